"""Activation functions and their derivatives, as pure numpy function pairs.

Every activation ``a = f(z)`` comes with a backward function ``dz = f_backward(da, z, a)``
that applies the chain rule: it turns the gradient of the loss with respect to the output
``a`` into the gradient with respect to the input ``z``. Both ``z`` and ``a`` are passed so
each derivative can use whichever is cheaper (sigmoid's derivative is ``a * (1 - a)``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Forward = Callable[[np.ndarray], np.ndarray]
Backward = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def linear(z: np.ndarray) -> np.ndarray:
    """a = z (no activation)."""
    return z


def linear_backward(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return da


def sigmoid(z: np.ndarray) -> np.ndarray:
    """a = 1 / (1 + e^-z)."""
    # For z below about -710, e^-z overflows to inf and 1 / (1 + inf) = 0: the right limit.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_backward(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return da * a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    """a = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(z)


def tanh_backward(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return da * (1.0 - a * a)


def relu(z: np.ndarray) -> np.ndarray:
    """a = max(0, z)."""
    return np.maximum(z, 0)


def relu_backward(da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return da * (z > 0)


def leaky_relu(z: np.ndarray, negative_slope: float = 0.2) -> np.ndarray:
    """a = z for z > 0, else negative_slope * z (Keras's default slope is 0.2)."""
    return np.where(z > 0, z, negative_slope * z)


def leaky_relu_backward(
    da: np.ndarray, z: np.ndarray, a: np.ndarray, negative_slope: float = 0.2
) -> np.ndarray:
    return da * np.where(z > 0, 1.0, negative_slope).astype(da.dtype, copy=False)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """a_i = e^z_i / sum_j e^z_j; the max is subtracted first so e^z never overflows."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(da: np.ndarray, z: np.ndarray, a: np.ndarray, axis: int = -1) -> np.ndarray:
    # The Jacobian is diag(a) - a a^T; multiplying it by da needs no matrix.
    return a * (da - (da * a).sum(axis=axis, keepdims=True))


ACTIVATIONS: dict[str, tuple[Forward, Backward]] = {
    "linear": (linear, linear_backward),
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
    "softmax": (softmax, softmax_backward),
}


def get(name: str | None) -> tuple[Forward, Backward]:
    """Look up an activation's (forward, backward) pair by its Keras name; None means linear."""
    if name is None:
        name = "linear"
    if name not in ACTIVATIONS:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"Unknown activation {name!r}. Known activations: {known} (or None).")
    return ACTIVATIONS[name]
