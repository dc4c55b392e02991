"""Per-layer histograms of one training step's outputs and gradients, and the update ratios.

Each layer is one outline histogram on a shared Axes, so the layers compare at a glance: the
outputs of a deep sigmoid stack piling up at 0 and 1, or gradients shrinking layer by layer.
"""

from __future__ import annotations

import numpy as np

from nncourse.plots.diagnostics import LayerStatistics

KINDS = {
    "outputs": "layer outputs",
    "output_grads": "gradient of the loss w.r.t. layer outputs",
    "weight_grads": "gradient of the loss w.r.t. the kernel",
}


def _values(s: LayerStatistics, kind: str) -> np.ndarray | None:
    if kind == "weight_grads":
        return s.weight_grads.get("kernel")
    return getattr(s, kind)


def plot_layer_histograms(ax, stats: list[LayerStatistics], kind: str = "outputs", bins: int = 40):
    """One outline histogram per layer of ``kind`` ("outputs", "output_grads", "weight_grads").

    The legend gives each layer's mean, standard deviation and (for outputs) saturated share.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}.")
    lines = []
    for s in stats:
        values = _values(s, kind)
        if values is None or values.size == 0:
            continue
        counts, edges = np.histogram(values, bins=bins)
        centres = (edges[:-1] + edges[1:]) / 2
        label = f"{s.name} ({s.activation or 'linear'}): mean {values.mean():+.2g}, "
        label += f"std {values.std():.2g}"
        if kind == "outputs" and s.saturation is not None:
            label += f", saturated {s.saturation:.0%}"
        lines.append(ax.plot(centres, counts / values.size, label=label)[0])
    ax.set(xlabel=KINDS[kind], ylabel="share of values", title=KINDS[kind])
    ax.legend(fontsize="x-small")
    return lines


def plot_update_ratios(ax, stats: list[LayerStatistics], reference: float = 1e-3):
    """A bar per layer: ||update|| / ||kernel|| of the next step, log scale, reference line."""
    names = [s.name for s in stats if "kernel" in s.update_ratios]
    ratios = [s.update_ratios["kernel"] for s in stats if "kernel" in s.update_ratios]
    bars = ax.bar(names, ratios, color="tab:blue")
    ax.axhline(reference, color="k", ls="--", lw=1, label=f"rule of thumb {reference:g}")
    ax.set_yscale("log")
    ax.set(ylabel="update / weight (norms)", title="update-to-data ratio of each kernel")
    ax.legend(fontsize="small")
    ax.tick_params(axis="x", labelrotation=30)
    return bars
