"""Input(shape): declares the shape of one example, so a Sequential model can build at once."""

from __future__ import annotations

import numpy as np

from nncourse.layers.base import Layer


class InputLayer(Layer):
    """A placeholder that passes its input through; ``shape`` excludes the batch axis."""

    def __init__(self, shape: tuple[int, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.shape = tuple(int(s) for s in np.atleast_1d(shape))
        self.build((None, *self.shape))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self._prepare(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy


def Input(shape: tuple[int, ...] | int, name: str | None = None) -> InputLayer:
    """The input of a model, like ``keras.Input(shape=(64,))``."""
    return InputLayer(shape, name=name or "input_layer")
