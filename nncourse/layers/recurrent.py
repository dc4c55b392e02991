"""What SimpleRNN, LSTM and GRU share: weights, input checks, the output choice, and BPTT norms.

A recurrent layer reads a sequence x (N, T, D) one step at a time, carrying a hidden state h
(N, units) from step to step. Each subclass names its pure sequence functions; this base class
makes the weights Keras's way and turns the sequence of states into the layer's output.
"""

from __future__ import annotations

import numpy as np

from nncourse.layers.base import Layer, Shape


def previous_states(hs: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """The state each step started from: h0, h_1, ..., h_{T-1}.   hs (N, T, H) -> (N, T, H)"""
    return np.concatenate([h0[:, None, :], hs[:, :-1]], axis=1)


def initial_state(h0: np.ndarray | None, x: np.ndarray, units: int) -> np.ndarray:
    """h0, or zeros (N, units) in x's dtype when no initial state is given (Keras's default)."""
    return np.zeros((x.shape[0], units), dtype=x.dtype) if h0 is None else h0


class Recurrent(Layer):
    """Base of the recurrent layers: kernel (D, k*units), recurrent_kernel (units, k*units), bias.

    After ``backward`` the layer holds ``hidden_grad_norms`` (T,): the norm ||dL/dh_t|| of the
    gradient reaching each hidden state (over the whole batch), the quantity that vanishes or
    explodes as it travels back through time.
    """

    gates = 1  # k: how many blocks of `units` columns the kernels hold

    def __init__(
        self,
        units: int,
        return_sequences: bool = False,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(
                f"{type(self).__name__} needs a positive number of units, got {units}."
            )
        self.units = int(units)
        self.return_sequences = bool(return_sequences)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.hidden_grad_norms: np.ndarray | None = None  # filled in by backward

    # -- what a subclass provides -----------------------------------------------------------------
    def _bias(self):
        """The bias's shape and initialiser."""
        return (self.gates * self.units,), self.bias_initializer

    def _sequence_forward(self, x: np.ndarray):
        """x (N, T, D) -> hs (N, T, units), cache."""
        raise NotImplementedError

    def _sequence_backward(self, dhs: np.ndarray, cache):
        """dhs (N, T, units) -> dx, [dkernel, drecurrent_kernel, dbias], dh_total (N, T, units)."""
        raise NotImplementedError

    # -- the layer contract -----------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects input of rank 3 "
                f"(batch, steps, features), got shape {tuple(input_shape)}."
            )
        features, width = input_shape[-1], self.gates * self.units
        self.kernel = self.add_weight("kernel", (features, width), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer
        )
        self.bias = self.add_weight("bias", *self._bias())
        super().build((None, None, features))  # any number of steps, as in Keras

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        batch, steps = input_shape[0], input_shape[1]
        return (batch, steps, self.units) if self.return_sequences else (batch, self.units)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x = self._prepare(x, ndim=3)
        if x.shape[1] == 0:
            raise ValueError(f"Layer '{self.name}' got a sequence of 0 steps, shape {x.shape}.")
        hs, self._cache = self._sequence_forward(x)
        self._shape = x.shape[:2]
        return hs if self.return_sequences else hs[:, -1].copy()

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_cache"):
            raise RuntimeError(f"Layer '{self.name}': call forward before backward.")
        N, T = self._shape
        expected = (N, T, self.units) if self.return_sequences else (N, self.units)
        if np.shape(dy) != expected:
            raise ValueError(
                f"Layer '{self.name}': backward expects dy of shape {expected}, got {np.shape(dy)}."
            )
        if self.return_sequences:
            dhs = dy
        else:  # only the last state was output, so only it receives dy directly
            dhs = np.zeros((N, T, self.units), dtype=dy.dtype)
            dhs[:, -1] = dy
        dx, grads, dh_total = self._sequence_backward(dhs, self._cache)
        for p, g in zip(self._params, grads):
            p.grad[...] = g
        self.hidden_grad_norms = np.sqrt(np.sum(dh_total * dh_total, axis=(0, 2)))
        return dx
