"""Dropout: randomly silence units while training so no unit can rely on another."""

from __future__ import annotations

import numpy as np

from nncourse.layers.base import Layer


class Dropout(Layer):
    """Dropout(rate): in training, zero each input with probability ``rate`` and scale the rest
    by 1 / (1 - rate) ("inverted dropout", as Keras does), so inference needs no change."""

    def __init__(self, rate: float, seed=None, **kwargs) -> None:
        super().__init__(seed=seed, **kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}.")
        self.rate = float(rate)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x = self._prepare(x)
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        keep = self._rng().random(x.shape) >= self.rate
        self._mask = keep.astype(x.dtype) / (1.0 - self.rate)
        return x * self._mask

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_mask"):
            raise RuntimeError(f"Layer '{self.name}': call forward before backward.")
        return dy if self._mask is None else dy * self._mask
