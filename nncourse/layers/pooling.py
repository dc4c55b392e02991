"""Pooling: summarise each small window of every channel by its maximum or its mean.

x (N, H, W, C) -> y (N, Ho, Wo, C); the window sizes, strides and padding follow Keras. Both
passes loop only over the ph x pw offsets inside a window, each step a whole-array operation:
offset (i, j) of every window is the strided slice ``xp[:, tap(i), tap(j), :]``.
"""

from __future__ import annotations

import numpy as np

from nncourse.layers.base import Layer, Shape
from nncourse.layers.padding import (
    check_padding,
    image_shape,
    output_hw,
    pad2d,
    pair,
    tap,
    unpad2d,
)


def _offsets(ph: int, pw: int):
    """The (i, j) offsets inside a ph x pw window, row by row."""
    return [(i, j) for i in range(ph) for j in range(pw)]


def maxpool_forward(x: np.ndarray, pool_size, strides, padding):
    """y = max over each window.   x (N, H, W, C) -> y (N, Ho, Wo, C), cache."""
    pool_size, strides = pair(pool_size, "pool_size"), pair(strides, "strides")
    (ph, pw), (sh, sw) = pool_size, strides
    # Padding with -inf means a padded cell never wins the maximum.
    xp, pads = pad2d(x, pool_size, strides, check_padding(padding), value=-np.inf)
    Ho, Wo = (xp.shape[1] - ph) // sh + 1, (xp.shape[2] - pw) // sw + 1
    y = np.full((x.shape[0], Ho, Wo, x.shape[3]), -np.inf, dtype=x.dtype)
    for i, j in _offsets(ph, pw):
        np.maximum(y, xp[:, tap(i, sh, Ho), tap(j, sw, Wo), :], out=y)
    return y, (xp, pads, y, pool_size, strides)


def maxpool_backward(dy: np.ndarray, cache) -> np.ndarray:
    """dy (N, Ho, Wo, C) -> dx (N, H, W, C): each window's gradient goes to its maximum.

    On ties the first maximum in row-by-row order gets it all, as TensorFlow does.
    """
    xp, pads, y, (ph, pw), (sh, sw) = cache
    Ho, Wo = y.shape[1:3]
    dxp = np.zeros(xp.shape, dtype=dy.dtype)
    routed = np.zeros(y.shape, dtype=bool)  # windows whose maximum was already found
    for i, j in _offsets(ph, pw):
        rows, cols = tap(i, sh, Ho), tap(j, sw, Wo)
        winner = (xp[:, rows, cols, :] == y) & ~routed
        dxp[:, rows, cols, :] += dy * winner
        routed |= winner
    return unpad2d(dxp, pads)


def avgpool_forward(x: np.ndarray, pool_size, strides, padding):
    """y = mean over the real (unpadded) cells of each window.   x (N, H, W, C) -> y, cache."""
    pool_size, strides = pair(pool_size, "pool_size"), pair(strides, "strides")
    (ph, pw), (sh, sw) = pool_size, strides
    padding = check_padding(padding)
    xp, pads = pad2d(x, pool_size, strides, padding)
    # Counting the real cells per window the same way the values are summed gives TF's divisor.
    real, _ = pad2d(np.ones((1, *x.shape[1:3], 1), dtype=x.dtype), pool_size, strides, padding)
    Ho, Wo = (xp.shape[1] - ph) // sh + 1, (xp.shape[2] - pw) // sw + 1
    total = np.zeros((x.shape[0], Ho, Wo, x.shape[3]), dtype=x.dtype)
    count = np.zeros((1, Ho, Wo, 1), dtype=x.dtype)
    for i, j in _offsets(ph, pw):
        total += xp[:, tap(i, sh, Ho), tap(j, sw, Wo), :]
        count += real[:, tap(i, sh, Ho), tap(j, sw, Wo), :]
    return total / count, (xp.shape, pads, count, pool_size, strides)


def avgpool_backward(dy: np.ndarray, cache) -> np.ndarray:
    """dy (N, Ho, Wo, C) -> dx (N, H, W, C): each cell of a window gets dy / (window's count)."""
    xp_shape, pads, count, (ph, pw), (sh, sw) = cache
    Ho, Wo = dy.shape[1:3]
    share = dy / count
    dxp = np.zeros(xp_shape, dtype=dy.dtype)
    for i, j in _offsets(ph, pw):
        dxp[:, tap(i, sh, Ho), tap(j, sw, Wo), :] += share
    return unpad2d(dxp, pads)


class _Pooling2D(Layer):
    """Shared settings, shape checks and caching of the two pooling layers."""

    _forward = staticmethod(maxpool_forward)
    _backward = staticmethod(maxpool_backward)

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid", **kwargs) -> None:
        super().__init__(**kwargs)
        self.pool_size = pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else pair(strides, "strides")
        self.padding = check_padding(padding)

    def build(self, input_shape: Shape) -> None:
        # Pooling has no weights, so any H, W and C will do; only the rank is fixed.
        image_shape(self.name, input_shape)
        super().build((None, None, None, None))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        sizes = output_hw(
            self.name, "pool", input_shape, self.pool_size, self.strides, self.padding
        )
        return (input_shape[0], *sizes, input_shape[3])

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x = self._prepare(x, 4)
        self.compute_output_shape(x.shape)  # a clear error when the pool does not fit
        y, self._cache = self._forward(x, self.pool_size, self.strides, self.padding)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_cache"):
            raise RuntimeError(f"Layer '{self.name}': call forward before backward.")
        return self._backward(dy, self._cache)


class MaxPooling2D(_Pooling2D):
    """MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid"), like Keras's layer."""


class AveragePooling2D(_Pooling2D):
    """AveragePooling2D(pool_size=(2, 2), strides=None, padding="valid"), like Keras's layer."""

    _forward = staticmethod(avgpool_forward)
    _backward = staticmethod(avgpool_backward)
