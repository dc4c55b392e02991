"""Helpers shared by the data sets: argument checks, a stratified split, scaling, one-hot labels."""

from __future__ import annotations

import numpy as np

XY = tuple[np.ndarray, np.ndarray]  # (x, y)
Split = tuple[XY, XY]  # ((x_train, y_train), (x_test, y_test)), as keras.datasets returns


def check_test_size(test_size: float) -> float:
    """Return test_size as a float, or raise ValueError unless 0 < test_size < 1."""
    if not 0.0 < float(test_size) < 1.0:
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1, got {test_size}.")
    return float(test_size)


def check_n_samples(n_samples: int, minimum: int = 1) -> int:
    """Return n_samples as an int, or raise ValueError if it is below `minimum`."""
    if int(n_samples) != n_samples or n_samples < minimum:
        raise ValueError(f"n_samples must be a whole number >= {minimum}, got {n_samples}.")
    return int(n_samples)


def check_noise(noise: float) -> float:
    """Return noise as a float, or raise ValueError if it is negative."""
    if not float(noise) >= 0.0:  # also rejects NaN
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise}.")
    return float(noise)


def train_test_split(
    x: np.ndarray, y: np.ndarray, test_size: float, rng: np.random.Generator
) -> Split:
    """Stratified shuffle split: every class keeps its share in both parts.   -> Keras tuple."""
    test_size = check_test_size(test_size)
    test_idx, train_idx = [], []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_size * len(idx)))
        if len(idx) >= 2:  # a class with two or more samples appears on both sides
            n_test = min(max(n_test, 1), len(idx) - 1)
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    train, test = (
        rng.permutation(np.concatenate(train_idx)),
        rng.permutation(np.concatenate(test_idx)),
    )
    if len(train) == 0 or len(test) == 0:
        raise ValueError(
            f"Cannot split {len(y)} samples with test_size={test_size}: one side would be empty."
        )
    return (x[train], y[train]), (x[test], y[test])


def standardize(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale both parts to zero mean, unit variance using the TRAINING statistics only."""
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)  # a constant feature stays 0 instead of dividing by 0
    return (x_train - mean) / std, (x_test - mean) / std


def to_categorical(y, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels, like keras.utils.to_categorical.   y (N,) -> (N, C) float64.

    A trailing axis of size 1 is dropped first, so y (N, 1) also gives (N, C).
    """
    y = np.asarray(y)
    if y.size and not np.all(np.mod(y, 1) == 0):
        raise ValueError("to_categorical needs integer class labels; got non-integer values.")
    y = y.astype(np.int64)
    shape = y.shape[:-1] if y.ndim > 1 and y.shape[-1] == 1 else y.shape
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"Class labels must be >= 0, got {y.min()}.")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(
            f"Label {y.max()} does not fit num_classes={num_classes} (labels run 0..C-1)."
        )
    one_hot = np.zeros((y.size, num_classes))
    one_hot[np.arange(y.size), y] = 1.0
    return one_hot.reshape(*shape, num_classes)
