"""What the plots share: class colours, a grid of points over a rectangle, data limits."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

# Class k is drawn in CLASS_COLORS[k]: blue and orange first, as in the TensorFlow Playground.
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
Limits = tuple[float, float]


def class_colormap(n_classes: int) -> ListedColormap:
    """A colormap whose integer k is class k's colour."""
    return ListedColormap(CLASS_COLORS[: max(n_classes, 2)])


def limits(x: np.ndarray, margin: float = 0.5) -> tuple[Limits, Limits]:
    """The box around the points x (N, 2), widened by ``margin`` on every side."""
    x = np.asarray(x, dtype=np.float64)
    low, high = x.min(axis=0) - margin, x.max(axis=0) + margin
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


def grid(xlim: Limits, ylim: Limits, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """A resolution x resolution grid over the box.   -> g1, g2 (R, R), as np.meshgrid."""
    return np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))


def class_labels(y) -> np.ndarray:
    """Integer classes from labels (N,) or (N, 1), or from one-hot rows / scores (N, C)."""
    y = np.asarray(y)
    y = y.reshape(len(y), -1)
    return y.argmax(axis=1) if y.shape[1] > 1 else y[:, 0].round().astype(int)


def scatter_classes(ax, x: np.ndarray, y: np.ndarray | None, **kwargs):
    """The points x (N, 2), coloured by their integer class y (N,) (or all alike if y is None)."""
    x = np.asarray(x)
    if y is None:
        return ax.scatter(x[:, 0], x[:, 1], c="k", s=14, **kwargs)
    labels = class_labels(y)
    n_classes = int(labels.max()) + 1 if len(labels) else 2
    style = {"s": 18, "edgecolors": "white", "linewidths": 0.5, **kwargs}
    return ax.scatter(
        x[:, 0],
        x[:, 1],
        c=labels,
        cmap=class_colormap(n_classes),
        vmin=0,
        vmax=max(n_classes, 2) - 1,
        **style,
    )
