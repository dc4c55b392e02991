"""Metrics: numbers reported during training that are not differentiated, as Keras 3 computes them.

Each metric is a function ``metric(y_true, y_pred) -> float`` giving the mean over one batch.
"accuracy" means different things for different outputs; Keras chooses among binary,
categorical and sparse categorical accuracy, and so does ``get("accuracy", loss)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nncourse import losses

Metric = Callable[[np.ndarray, np.ndarray], float]


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Fraction of outputs where (y_pred > threshold) equals y_true.   (N, ...) -> float."""
    y, p = losses.match_shapes("binary_accuracy", y_true, y_pred)
    return float(np.mean((p > threshold) == y))


def categorical_accuracy(y_true, y_pred) -> float:
    """Fraction of rows where argmax(y_pred) is the hot index of y_true.   (N, C) -> float."""
    y, p = losses.match_shapes("categorical_accuracy", y_true, y_pred)
    return float(np.mean(np.argmax(y, axis=-1) == np.argmax(p, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred) -> float:
    """Fraction of rows where argmax(y_pred) equals the label.   (N,) ints, (N, C) -> float."""
    labels, p = losses.sparse_labels("sparse_categorical_accuracy", y_true, y_pred)
    return float(np.mean(labels == np.argmax(p, axis=-1)))


def accuracy(y_true, y_pred) -> float:
    """Keras's own "accuracy": the kind is chosen from the shapes, as compile() does.

    One output unit -> binary; labels with fewer axes than y_pred (or a last axis of 1) ->
    sparse categorical; otherwise categorical.
    """
    t, p = np.shape(y_true), np.shape(y_pred)
    if p[-1] == 1:
        return binary_accuracy(y_true, y_pred)
    if len(t) < len(p) or t[-1] == 1:
        return sparse_categorical_accuracy(y_true, y_pred)
    return categorical_accuracy(y_true, y_pred)


def mean_absolute_error(y_true, y_pred) -> float:
    """mean(|y_pred - y_true|) over every element.   (N, ...) -> float."""
    y, p = losses.match_shapes("mean_absolute_error", y_true, y_pred)
    return float(np.mean(np.abs(p - y)))


METRICS: dict[str, Metric] = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mse": losses.mean_squared_error,
    "mean_squared_error": losses.mean_squared_error,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
}

# The accuracy that goes with each cross-entropy. Keras thresholds binary outputs at 0.5 even
# when they are logits (from_logits=True), where 0 would be the right cut; we do the same.
ACCURACY_FOR_LOSS: dict[str, Metric] = {
    "binary_crossentropy": binary_accuracy,
    "categorical_crossentropy": categorical_accuracy,
    "sparse_categorical_crossentropy": sparse_categorical_accuracy,
}


def accuracy_for(loss: str | losses.Loss | None) -> Metric:
    """The accuracy Keras reports as "accuracy" when training with ``loss``.

    Keras really decides from the shapes (see ``accuracy``); the two agree for the usual set-ups
    (BCE with one output unit, CCE with one-hot labels, SCCE with integer labels). For BCE over
    several outputs (multi-label) Keras's shape rule picks categorical accuracy; this picks
    binary accuracy, the meaningful one. Other losses (e.g. MSE) get the shape rule.
    """
    name = losses.get(loss).name if loss is not None else None
    return ACCURACY_FOR_LOSS.get(name, accuracy)


def get(name: str | Metric, loss: str | losses.Loss | None = None) -> Metric:
    """A metric function from its Keras name; "accuracy" and "acc" depend on the loss."""
    if callable(name):
        return name
    if str(name).lower() in ("accuracy", "acc"):
        return accuracy_for(loss)
    if name in METRICS:
        return METRICS[name]
    known = ", ".join(["accuracy", "acc", *METRICS])
    raise ValueError(f"Unknown metric {name!r}. Known metrics: {known} (or a function).")
