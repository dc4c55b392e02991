"""The fully connected layer: every output unit is a neuron z = x · w + b over all inputs."""

from __future__ import annotations

import numpy as np

from nncourse import activations, regularizers
from nncourse.layers.base import Layer, Shape


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray | None):
    """z = x @ W + b.   x (N, D), W (D, M), b (M,) -> z (N, M), cache.

    Extra leading axes are allowed: x (N, T, D) gives z (N, T, M), as in Keras.
    """
    z = x @ W
    if b is not None:
        z = z + b
    return z, (x, W)


def dense_backward(dz: np.ndarray, cache):
    """dz (N, M) -> dx (N, D), dW (D, M), db (M,)."""
    x, W = cache
    x2 = x.reshape(-1, x.shape[-1])  # fold any extra axes into the batch
    dz2 = dz.reshape(-1, dz.shape[-1])
    return dz @ W.T, x2.T @ dz2, dz2.sum(axis=0)


class Dense(Layer):
    """Dense(units, activation=None): a = activation(x @ kernel + bias), like keras.layers.Dense."""

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense needs a positive number of units, got {units}.")
        self.units = int(units)
        self.activation = activation
        self._act, self._act_backward = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = regularizers.get(kernel_regularizer)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 2:
            raise ValueError(
                f"Layer '{self.name}' expects input of shape (batch, features), got {input_shape}."
            )
        self.kernel = self.add_weight(
            "kernel", (input_shape[-1], self.units), self.kernel_initializer
        )
        self.bias = (
            self.add_weight("bias", (self.units,), self.bias_initializer) if self.use_bias else None
        )
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*tuple(input_shape)[:-1], self.units)

    def regularization_loss(self) -> float:
        """The kernel's penalty, which the model adds to the training loss."""
        if self.kernel_regularizer is None or not self.built:
            return 0.0
        return self.kernel_regularizer.penalty(self.kernel.data)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if np.ndim(x) < 2:
            raise ValueError(
                f"Layer '{self.name}' expects input of shape (batch, features), got shape "
                f"{np.shape(x)}. For a single example use x.reshape(1, -1)."
            )
        x = self._prepare(x)
        b = self.bias.data if self.bias is not None else None
        z, self._cache = dense_forward(x, self.kernel.data, b)
        a = self._act(z)
        self._z, self._a = z, a
        return a

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_cache"):
            raise RuntimeError(f"Layer '{self.name}': call forward before backward.")
        dz = self._act_backward(dy, self._z, self._a)
        dx, dW, db = dense_backward(dz, self._cache)
        if self.kernel_regularizer is not None:  # the penalty is part of the loss too
            dW = dW + self.kernel_regularizer.gradient(self.kernel.data)
        self.kernel.grad[...] = dW
        if self.bias is not None:
            self.bias.grad[...] = db
        return dx
