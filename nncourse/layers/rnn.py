"""The simple recurrent layer: h_t = tanh(x_t W + h_{t-1} U + b), like keras.layers.SimpleRNN.

W is Keras's ``kernel`` (D, H), U its ``recurrent_kernel`` (H, H) (other courses write Wx, Wh).
A step splits in two: the input part x_t W + b, which does not depend on the past, and the *cell*,
which mixes in h_{t-1}. The sequence functions compute the input part of every step in one matmul
before the time loop, and the weight gradients in one matmul after it.
"""

from __future__ import annotations

import numpy as np

from nncourse import activations
from nncourse.layers.recurrent import Recurrent, initial_state, previous_states


def rnn_cell_forward(
    xw_t: np.ndarray, h_prev: np.ndarray, U: np.ndarray, activation: str | None = "tanh"
):
    """h = activation(xw_t + h_prev @ U), given xw_t = x_t @ W + b.

    xw_t (N, H), h_prev (N, H), U (H, H) -> h (N, H), cache
    """
    act, act_backward = activations.get(activation)
    z = xw_t + h_prev @ U
    h = act(z)
    return h, (z, h, U, act_backward)


def rnn_cell_backward(dh: np.ndarray, cache):
    """dh (N, H) -> dz (N, H), the gradient of the pre-activation, and dh_prev (N, H)."""
    z, h, U, act_backward = cache
    dz = act_backward(dh, z, h)
    return dz, dz @ U.T


def rnn_step_forward(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
    activation: str | None = "tanh",
):
    """One step h = activation(x_t @ W + h_prev @ U + b), with tanh by default.

    x_t (N, D), h_prev (N, H), W (D, H), U (H, H), b (H,) -> h (N, H), cache
    """
    h, cell_cache = rnn_cell_forward(x_t @ W + b, h_prev, U, activation)
    return h, (x_t, h_prev, W, cell_cache)


def rnn_step_backward(dh: np.ndarray, cache):
    """dh (N, H) -> dx_t (N, D), dh_prev (N, H), dW (D, H), dU (H, H), db (H,)."""
    x_t, h_prev, W, cell_cache = cache
    dz, dh_prev = rnn_cell_backward(dh, cell_cache)
    return dz @ W.T, dh_prev, x_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0)


def rnn_forward(
    x: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
    h0: np.ndarray | None = None,
    activation: str | None = "tanh",
):
    """Run the recurrence over a sequence.   x (N, T, D) -> hs (N, T, H), cache

    h0 (N, H) is the initial state, zeros by default.
    """
    h = h0 = initial_state(h0, x, U.shape[0])
    xw = x @ W + b  # the input part of every step, in one matmul
    hs = np.empty(xw.shape, dtype=xw.dtype)
    cells = []
    for t in range(x.shape[1]):
        h, cell_cache = rnn_cell_forward(xw[:, t], h, U, activation)
        hs[:, t] = h
        cells.append(cell_cache)
    return hs, (x, W, h0, hs, cells)


def rnn_backward(dhs: np.ndarray, cache):
    """Backpropagation through time.   dhs (N, T, H): dL/dh_t from the outputs ->

    dx (N, T, D), dW (D, H), dU (H, H), db (H,), dh (N, T, H): the total dL/dh_t at each step.
    """
    x, W, h0, hs, cells = cache
    dz, dh = np.empty_like(dhs), np.empty_like(dhs)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        dh[:, t] = dhs[:, t] + dh_next  # from the output at t and from step t + 1
        dz[:, t], dh_next = rnn_cell_backward(dh[:, t], cells[t])
    # Every step uses the same W, U and b, so their gradients sum over steps: one matmul each.
    dz2 = dz.reshape(-1, dz.shape[-1])
    dW = x.reshape(-1, x.shape[-1]).T @ dz2
    dU = previous_states(hs, h0).reshape(-1, hs.shape[-1]).T @ dz2
    return dz @ W.T, dW, dU, dz2.sum(axis=0), dh


class SimpleRNN(Recurrent):
    """SimpleRNN(units, activation="tanh", return_sequences=False), like keras.layers.SimpleRNN.

    Input (N, T, D); output (N, units), the last state, or (N, T, units) with return_sequences.
    Weights: kernel (D, units), recurrent_kernel (units, units) (orthogonal), bias (units,).
    """

    def __init__(self, units: int, activation: str | None = "tanh", **kwargs) -> None:
        super().__init__(units, **kwargs)
        activations.get(activation)  # fail now, not at the first forward, on an unknown name
        self.activation = activation

    def _sequence_forward(self, x):
        W, U, b = (p.data for p in self._params)
        return rnn_forward(x, W, U, b, activation=self.activation)

    def _sequence_backward(self, dhs, cache):
        dx, dW, dU, db, dh = rnn_backward(dhs, cache)
        return dx, [dW, dU, db], dh
