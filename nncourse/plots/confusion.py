"""The confusion matrix: how often each true class was predicted as each class."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nncourse.plots.style import class_labels


@dataclass
class ConfusionPlot:
    """The counts (or row fractions) that were drawn, the image and the number texts."""

    matrix: np.ndarray
    image: object
    texts: list = field(default_factory=list)


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """counts[i, j] = how many examples of class i were predicted as j.   -> (C, C) int.

    Labels may be integers (N,) or one-hot / probability rows (N, C), which are argmax-ed.
    """
    t, p = class_labels(y_true), class_labels(y_pred)
    if len(t) != len(p):
        raise ValueError(f"y_true and y_pred differ in length: {len(t)} and {len(p)}.")
    if num_classes is None:  # the largest label seen, or the width of one-hot / score rows
        widths = [np.shape(a)[-1] for a in (y_true, y_pred) if np.ndim(a) == 2]
        num_classes = int(max(t.max(initial=0) + 1, p.max(initial=0) + 1, *widths))
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (t, p), 1)
    return counts


def plot_confusion_matrix(
    ax, y_true, y_pred, labels: list[str] | None = None, normalize: bool = False
) -> ConfusionPlot:
    """Draw the matrix with each cell's number; normalize=True shows each row as fractions."""
    counts = confusion_matrix(y_true, y_pred, len(labels) if labels else None)
    matrix = counts.astype(np.float64)
    if normalize:
        totals = matrix.sum(axis=1, keepdims=True)
        matrix = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    image = ax.imshow(matrix, cmap="Blues", vmin=0)
    n = len(matrix)
    labels = labels or [str(k) for k in range(n)]
    texts = []
    for (i, j), value in np.ndenumerate(matrix):
        light = value > matrix.max() / 2  # white text on dark cells
        texts.append(
            ax.text(
                j,
                i,
                f"{value:.2f}" if normalize else f"{int(value)}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if light else "black",
            )
        )
    ax.set(
        xticks=range(n),
        yticks=range(n),
        xticklabels=labels,
        yticklabels=labels,
        xlabel="predicted class",
        ylabel="true class",
    )
    return ConfusionPlot(matrix, image, texts)
