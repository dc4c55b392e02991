"""Two-dimensional toy problems for classifiers: moons, spirals, XOR and circles.

Each `make_*` returns x (N, 2) float64 and y (N,) int64, shuffled; each `load_*` also splits
them, stratified, into the Keras tuple `(x_train, y_train), (x_test, y_test)`.
"""

from __future__ import annotations

import numpy as np

from nncourse.datasets.utils import XY, Split, check_n_samples, check_noise, train_test_split
from nncourse.initializers import Seed, as_generator


def _finish(x: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator) -> XY:
    """Add Gaussian noise to the points and shuffle, so classes are not stored in blocks."""
    x = x + noise * rng.standard_normal(x.shape)
    order = rng.permutation(len(y))
    return x[order], y[order].astype(np.int64)


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: Seed = None) -> XY:
    """Two interleaving half circles: class 0 on top, class 1 below.   -> x (N, 2), y (N,)."""
    n, noise, rng = check_n_samples(n_samples), check_noise(noise), as_generator(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    return _finish(np.where(y[:, None] == 0, upper, lower), y, noise, rng)


def make_spirals(
    n_samples: int = 300,
    n_classes: int = 2,
    noise: float = 0.05,
    seed: Seed = None,
    turns: float = 1.0,
):
    """`n_classes` arms winding `turns` times around the origin.   -> x (N, 2), y (N,).

    Arm k is r = 0.1 + 0.9 t, angle = 2 pi (k / n_classes + turns t) for t in [0, 1]; the gap
    between neighbouring arms is 0.9 / (n_classes * turns), so noise well below that keeps the
    classes separable (the defaults are learnable by a small MLP to about 99 %).
    """
    n, noise, rng = check_n_samples(n_samples), check_noise(noise), as_generator(seed)
    if int(n_classes) != n_classes or n_classes < 2:
        raise ValueError(f"make_spirals needs n_classes >= 2, got {n_classes}.")
    if not turns > 0:
        raise ValueError(f"turns must be positive, got {turns}.")
    y = np.arange(n) % int(n_classes)
    t = rng.uniform(0.0, 1.0, n)
    r = 0.1 + 0.9 * t  # start off the origin, where all arms would meet
    angle = 2.0 * np.pi * (y / n_classes + turns * t)
    return _finish(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1), y, noise, rng)


def make_xor(n_samples: int = 200, noise: float = 0.3, seed: Seed = None) -> XY:
    """Four blobs at (+-1, +-1); the label is 1 where the signs differ.   -> x (N, 2), y (N,).

    With noise=0 the four distinct points are exactly the XOR truth table (with -1 for 0).
    """
    n, noise, rng = check_n_samples(n_samples), check_noise(noise), as_generator(seed)
    corner = np.arange(n) % 4
    signs = np.stack([np.where(corner % 2, 1.0, -1.0), np.where(corner // 2, 1.0, -1.0)], axis=1)
    y = (signs[:, 0] != signs[:, 1]).astype(np.int64)
    return _finish(signs, y, noise, rng)


def make_circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: Seed = None
) -> XY:
    """An outer circle of radius 1 (class 0) around an inner one of radius `factor` (class 1)."""
    n, noise, rng = check_n_samples(n_samples), check_noise(noise), as_generator(seed)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor is the inner radius and must lie in (0, 1), got {factor}.")
    y = np.arange(n) % 2
    t = rng.uniform(0.0, 2.0 * np.pi, n)
    r = np.where(y == 0, 1.0, factor)
    return _finish(np.stack([r * np.cos(t), r * np.sin(t)], axis=1), y, noise, rng)


def _load(make, test_size: float, seed: Seed, **kwargs) -> Split:
    """Draw a data set with `make` and split it, both from one generator made from `seed`."""
    rng = as_generator(seed)
    x, y = make(seed=rng, **kwargs)
    return train_test_split(x, y, test_size, rng)


def load_moons(
    n_samples: int = 400, noise: float = 0.1, test_size: float = 0.25, seed: Seed = 0
) -> Split:
    """make_moons, split into (x_train, y_train), (x_test, y_test)."""
    return _load(make_moons, test_size, seed, n_samples=n_samples, noise=noise)


def load_spirals(
    n_samples: int = 600,
    n_classes: int = 2,
    noise: float = 0.05,
    test_size: float = 0.25,
    seed: Seed = 0,
) -> Split:
    """make_spirals, split into (x_train, y_train), (x_test, y_test)."""
    return _load(
        make_spirals, test_size, seed, n_samples=n_samples, n_classes=n_classes, noise=noise
    )


def load_xor(
    n_samples: int = 400, noise: float = 0.3, test_size: float = 0.25, seed: Seed = 0
) -> Split:
    """make_xor, split into (x_train, y_train), (x_test, y_test)."""
    return _load(make_xor, test_size, seed, n_samples=n_samples, noise=noise)


def load_circles(
    n_samples: int = 400,
    noise: float = 0.05,
    factor: float = 0.5,
    test_size: float = 0.25,
    seed: Seed = 0,
) -> Split:
    """make_circles, split into (x_train, y_train), (x_test, y_test)."""
    return _load(make_circles, test_size, seed, n_samples=n_samples, noise=noise, factor=factor)
