"""Weight initialisers with Keras's names and formulas, driven by an explicit random generator."""

from __future__ import annotations

import numpy as np

Seed = int | np.random.Generator | None


def as_generator(seed: Seed) -> np.random.Generator:
    """Turn a seed (or an existing Generator, or None for fresh entropy) into a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras's fan_in and fan_out: a conv kernel (kh, kw, c_in, c_out) counts kh*kw per unit."""
    if len(shape) < 2:
        return shape[0], shape[0]
    receptive_field = int(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator, dtype="float64") -> np.ndarray:
    """U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def uniform(shape: tuple[int, ...], rng: np.random.Generator, dtype="float64") -> np.ndarray:
    """U(-0.05, 0.05): Keras's "uniform" (RandomUniform with its defaults), used by Embedding."""
    return rng.uniform(-0.05, 0.05, size=shape).astype(dtype)


def orthogonal(shape: tuple[int, ...], rng: np.random.Generator, dtype="float64") -> np.ndarray:
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix."""
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))  # makes the result uniformly distributed
    if rows < cols:
        q = q.T
    return q.reshape(shape).astype(dtype)


def zeros(shape: tuple[int, ...], rng: np.random.Generator | None = None, dtype="float64"):
    return np.zeros(shape, dtype=dtype)


def ones(shape: tuple[int, ...], rng: np.random.Generator | None = None, dtype="float64"):
    return np.ones(shape, dtype=dtype)


INITIALIZERS = {
    "glorot_uniform": glorot_uniform,
    "uniform": uniform,
    "random_uniform": uniform,
    "orthogonal": orthogonal,
    "zeros": zeros,
    "ones": ones,
}


def get(name):
    """An initialiser by its Keras name, or a callable(shape, rng, dtype) passed through."""
    if callable(name):
        return name
    if name not in INITIALIZERS:
        raise ValueError(f"Unknown initializer {name!r}. Known: {', '.join(sorted(INITIALIZERS))}.")
    return INITIALIZERS[name]
