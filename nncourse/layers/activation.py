"""Activation layers: an activation function from nncourse.activations, wrapped as a layer."""

from __future__ import annotations

import functools

import numpy as np

from nncourse import activations
from nncourse.layers.base import Layer


class Activation(Layer):
    """Activation(name): applies a named activation, like keras.layers.Activation."""

    def __init__(self, activation: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.activation = activation
        self._act, self._act_backward = activations.get(activation)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x = self._prepare(x)
        self._z, self._a = x, self._act(x)
        return self._a

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_z"):
            raise RuntimeError(f"Layer '{self.name}': call forward before backward.")
        return self._act_backward(dy, self._z, self._a)


class ReLU(Activation):
    """a = max(0, z)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("relu", **kwargs)


class LeakyReLU(Activation):
    """a = z for z > 0, else negative_slope * z (Keras's layer default slope is 0.3)."""

    def __init__(self, negative_slope: float = 0.3, **kwargs) -> None:
        super().__init__("leaky_relu", **kwargs)
        self.negative_slope = negative_slope
        self._act = functools.partial(activations.leaky_relu, negative_slope=negative_slope)
        self._act_backward = functools.partial(
            activations.leaky_relu_backward, negative_slope=negative_slope
        )


class Sigmoid(Activation):
    """a = 1 / (1 + e^-z)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("sigmoid", **kwargs)


class Tanh(Activation):
    """a = tanh(z)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("tanh", **kwargs)


class Softmax(Activation):
    """a_i = e^z_i / sum_j e^z_j along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__("softmax", **kwargs)
        self.axis = axis
        self._act = functools.partial(activations.softmax, axis=axis)
        self._act_backward = functools.partial(activations.softmax_backward, axis=axis)
