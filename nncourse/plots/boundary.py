"""The decision boundary of any classifier over the plane, with the data on top.

"Any classifier" means anything that maps points (N, 2) to outputs: an nncourse model, a Keras
model, a scikit-learn classifier (its ``predict_proba``) or a plain function. One output column
is read as P(class 1); several as one score per class.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from nncourse.plots.style import (
    CLASS_COLORS,
    Limits,
    class_colormap,
    class_labels,
    grid,
    limits,
    scatter_classes,
)

TWO_CLASSES = LinearSegmentedColormap.from_list(
    "two_classes", [CLASS_COLORS[0], "white", CLASS_COLORS[1]]
)


@dataclass
class BoundaryPlot:
    """The grid, the predicted class and its probability at each grid point, and the artists."""

    g1: np.ndarray
    g2: np.ndarray
    classes: np.ndarray  # (R, R) predicted class
    probability: np.ndarray  # (R, R) P(class 1) for two classes, else the winning class's score
    image: object
    contour: object


def _predictor(model):
    """A function points (N, 2) -> outputs (N, K) for a model or a plain function."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba
    if hasattr(model, "predict"):
        takes_verbose = "verbose" in inspect.signature(model.predict).parameters
        return (lambda p: model.predict(p, verbose=0)) if takes_verbose else model.predict
    if callable(model):
        return model
    raise TypeError(f"Expected a model with predict() or a function, got {type(model).__name__}.")


def predict_grid(model, xlim: Limits, ylim: Limits, resolution: int = 100):
    """Classify every grid point.   -> g1, g2, classes (R, R), probability (R, R)."""
    g1, g2 = grid(xlim, ylim, resolution)
    out = np.asarray(_predictor(model)(np.c_[g1.ravel(), g2.ravel()]), dtype=np.float64)
    out = out.reshape(g1.size, -1)
    if out.shape[1] <= 2:
        probability = out[:, -1]  # P(class 1), from a sigmoid unit or the second softmax column
        classes = (out.argmax(axis=1) if out.shape[1] == 2 else probability >= 0.5).astype(int)
    else:
        classes, probability = out.argmax(axis=1), out.max(axis=1)
    return g1, g2, classes.reshape(g1.shape), probability.reshape(g1.shape)


def plot_decision_boundary(
    ax,
    model,
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    xlim: Limits | None = None,
    ylim: Limits | None = None,
    resolution: int = 100,
    margin: float = 0.5,
) -> BoundaryPlot:
    """Shade the plane by the predicted class, draw the boundary line and the points (x, y)."""
    if xlim is None or ylim is None:
        box = limits(x, margin) if x is not None else ((-2.0, 2.0), (-2.0, 2.0))
        xlim, ylim = xlim or box[0], ylim or box[1]
    g1, g2, classes, probability = predict_grid(model, xlim, ylim, resolution)
    extent = (*xlim, *ylim)
    n_classes = max(int(classes.max()) + 1, 2 if y is None else int(class_labels(y).max()) + 1)
    if n_classes == 2 and 0 <= probability.min() and probability.max() <= 1:
        # Two classes: the colour fades to white where the model is unsure (P near 0.5).
        shade, cmap, top = probability, TWO_CLASSES, 1
    else:
        shade, cmap, top = classes, class_colormap(n_classes), n_classes - 1
    image = ax.imshow(
        shade, extent=extent, origin="lower", aspect="auto", cmap=cmap, vmin=0, vmax=top, alpha=0.6
    )
    contour = None
    if np.unique(classes).size > 1:  # with one class everywhere there is no boundary to draw
        edges = np.arange(n_classes - 1) + 0.5
        contour = ax.contour(g1, g2, classes, levels=edges, colors="k", linewidths=1.2)
    if x is not None:
        scatter_classes(ax, x, y, zorder=3)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$")
    return BoundaryPlot(g1, g2, classes, probability, image, contour)
