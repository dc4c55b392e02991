"""An activation function beside its derivative, with the regions where it saturates shaded.

Where the derivative is nearly zero the unit *saturates*: the backward pass multiplies every
gradient by that derivative, so almost nothing flows back through a saturated unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nncourse import activations

SATURATION_THRESHOLD = 0.05  # a unit counts as saturated where |f'(z)| falls below this


@dataclass
class ActivationPlot:
    """What plot_activation drew: the curves' data, the shaded intervals and the artists."""

    name: str
    z: np.ndarray
    a: np.ndarray
    da_dz: np.ndarray
    regions: list[tuple[float, float]]
    lines: list = field(default_factory=list)
    spans: list = field(default_factory=list)


def derivative(name: str | None, z: np.ndarray) -> np.ndarray:
    """f'(z) of a named element-wise activation, from its backward function with da = 1."""
    if name == "softmax":
        raise ValueError("softmax is not element-wise: it has a Jacobian, not one derivative.")
    f, f_backward = activations.get(name)
    z = np.asarray(z, dtype=np.float64)
    return f_backward(np.ones_like(z), z, f(z))


def saturation_regions(
    z: np.ndarray, da_dz: np.ndarray, threshold: float = SATURATION_THRESHOLD
) -> list[tuple[float, float]]:
    """The intervals [z_start, z_end] of the sampled z where |f'(z)| < threshold."""
    flat = np.abs(da_dz) < threshold
    # +1 where a run of flat samples starts, -1 one past where it ends.
    edges = np.diff(np.concatenate([[0], flat.astype(int), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(float(z[i]), float(z[j])) for i, j in zip(starts, stops)]


def plot_activation(
    ax,
    name: str | None,
    z: np.ndarray | None = None,
    show_derivative: bool = True,
    threshold: float = SATURATION_THRESHOLD,
) -> ActivationPlot:
    """Draw a = f(z) and f'(z) over z (default -6..6) and shade where f saturates."""
    z = np.linspace(-6.0, 6.0, 601) if z is None else np.asarray(z, dtype=np.float64)
    f, _ = activations.get(name)
    a, da_dz = f(z), derivative(name, z)
    regions = saturation_regions(z, da_dz, threshold)
    label = name or "linear"
    drawn = ActivationPlot(label, z, a, da_dz, regions)
    drawn.lines.append(ax.plot(z, a, lw=2, label=f"{label}(z)")[0])
    if show_derivative:
        drawn.lines.append(ax.plot(z, da_dz, lw=2, ls="--", label=f"{label}'(z)")[0])
    for i, (lo, hi) in enumerate(regions):
        tag = f"saturated: |f'| < {threshold:g}" if i == 0 else None
        drawn.spans.append(ax.axvspan(lo, hi, color="grey", alpha=0.15, lw=0, label=tag))
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set(xlabel="z", title=label, xlim=(z[0], z[-1]))
    ax.legend(loc="upper left", fontsize="small")
    return drawn
