"""Flatten: turn each example's feature map into one long vector, e.g. before a Dense layer."""

from __future__ import annotations

import math

import numpy as np

from nncourse.layers.base import Layer, Shape


class Flatten(Layer):
    """Flatten(): x (N, d1, d2, ...) -> (N, d1 * d2 * ...) in row-major order, like Keras.

    A batch of scalars, x (N,), becomes (N, 1), as in Keras.
    """

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        features = tuple(input_shape)[1:]
        size = None if None in features else math.prod(features)
        return (input_shape[0], size)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x = self._prepare(x)
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_shape"):
            raise RuntimeError(f"Layer '{self.name}': call forward before backward.")
        return dy.reshape(self._shape)
