"""One neuron over the plane: its output A at every point, and the line where Z = 0.

A neuron with two inputs computes Z = w1 x1 + w2 x2 + b and A = activation(Z). The points with
Z = 0 form a straight line, the *decision line*: Z > 0 on one side and Z < 0 on the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nncourse.neuron import Neuron
from nncourse.plots.style import Limits, grid, limits, scatter_classes

# The range of A each activation can reach, so the colours mean the same from plot to plot.
OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "step": (0.0, 1.0)}


@dataclass
class NeuronPlot:
    """What plot_neuron drew: A on the grid, the decision line's end points, and the artists."""

    A: np.ndarray  # (R, R), rows along x2
    line: np.ndarray  # (2, 2) end points of Z = 0 inside the box, or (0, 2) if there is none
    image: object
    line_artist: object
    point: tuple[float, float, float, float] | None = None  # (x1, x2, Z, A) of the chosen point


def decision_line(w, b: float, xlim: Limits, ylim: Limits) -> np.ndarray:
    """Where w1 x1 + w2 x2 + b = 0 crosses the box's edges.   -> (2, 2), or (0, 2) if nowhere."""
    w1, w2 = (float(v) for v in w)
    ends = []
    if w2 != 0:
        ends += [(x1, -(w1 * x1 + b) / w2) for x1 in xlim]
    if w1 != 0:
        ends += [(-(w2 * x2 + b) / w1, x2) for x2 in ylim]
    inside = [
        p
        for p in ends
        if xlim[0] - 1e-9 <= p[0] <= xlim[1] + 1e-9 and ylim[0] - 1e-9 <= p[1] <= ylim[1] + 1e-9
    ]
    distinct = list(dict.fromkeys((round(p[0], 9), round(p[1], 9)) for p in inside))
    return np.array(distinct[:2]) if len(distinct) >= 2 else np.empty((0, 2))


def plot_neuron(
    ax,
    w,
    b: float,
    activation: str | None = "sigmoid",
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    point=None,
    xlim: Limits | None = None,
    ylim: Limits | None = None,
    resolution: int = 100,
) -> NeuronPlot:
    """Colour the plane by A = activation(w·x + b), draw the line Z = 0 and the data on top."""
    if xlim is None or ylim is None:
        box = limits(x) if x is not None else ((-3.0, 3.0), (-3.0, 3.0))
        xlim, ylim = xlim or box[0], ylim or box[1]
    neuron = Neuron(w, b, activation)
    g1, g2 = grid(xlim, ylim, resolution)
    A = neuron(np.c_[g1.ravel(), g2.ravel()]).reshape(g1.shape)
    vmin, vmax = OUTPUT_RANGE.get(activation, (float(A.min()), float(A.max()) + 1e-12))
    image = ax.imshow(
        A,
        extent=(*xlim, *ylim),
        origin="lower",
        aspect="auto",
        cmap="RdBu_r",
        vmin=vmin,
        vmax=vmax,
        alpha=0.8,
    )
    ax.figure.colorbar(image, ax=ax, label=f"A = {activation}(Z)")
    line = decision_line(neuron.w, neuron.b, xlim, ylim)
    (line_artist,) = ax.plot(line[:, 0], line[:, 1], "k-", lw=2, label="Z = 0")
    if x is not None:
        scatter_classes(ax, x, y, zorder=3)
    chosen = None if point is None else _mark_point(ax, neuron, point)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$")
    return NeuronPlot(A, line, image, line_artist, chosen)


def _mark_point(ax, neuron: Neuron, point) -> tuple[float, float, float, float]:
    """Star the point and return (x1, x2, Z, A) there."""
    p = np.asarray(point, dtype=np.float64)
    A = float(neuron(p))
    ax.plot(*p, marker="*", ms=16, color="gold", mec="k", zorder=4)
    return float(p[0]), float(p[1]), float(neuron.Z), A
