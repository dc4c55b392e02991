"""Long short-term memory, like keras.layers.LSTM: a cell state c guarded by three gates.

The kernels hold four blocks of H columns in Keras's order i, f, c, o (input gate, forget gate,
candidate cell, output gate): W (D, 4H) is ``kernel``, U (H, 4H) ``recurrent_kernel``, b (4H,)
``bias``. The cell state changes only by gated addition, c = f * c_prev + i * g, so its gradient
can travel back many steps without passing through a squashing function.
"""

from __future__ import annotations

import numpy as np

from nncourse import initializers
from nncourse.activations import sigmoid
from nncourse.layers.recurrent import Recurrent, initial_state, previous_states


def lstm_cell_forward(xw_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, U: np.ndarray):
    """The gates and the new state, given the input part xw_t = x_t @ W + b.

    xw_t (N, 4H), h_prev (N, H), c_prev (N, H), U (H, 4H) -> h (N, H), c (N, H), cache
    """
    H = h_prev.shape[1]
    z = xw_t + h_prev @ U
    s = sigmoid(z)  # one call for all gates beats three (the c block's sigmoid goes unused)
    i = s[:, :H]  # input gate: how much of the candidate to write
    f = s[:, H : 2 * H]  # forget gate: how much of the old cell to keep
    g = np.tanh(z[:, 2 * H : 3 * H])  # candidate cell values
    o = s[:, 3 * H :]  # output gate: how much of the cell to show
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, (i, f, g, o, c_prev, tanh_c, U)


def lstm_cell_backward(dh: np.ndarray, dc: np.ndarray, cache):
    """dh, dc (N, H): gradients reaching h and c -> dz (N, 4H), dh_prev (N, H), dc_prev (N, H).

    dz is the gradient of the gate pre-activations z = xw_t + h_prev @ U.
    """
    i, f, g, o, c_prev, tanh_c, U = cache
    dc = dc + dh * o * (1 - tanh_c**2)  # c reaches the loss directly and through h
    di, df, dg, do = dc * g, dc * c_prev, dc * i, dh * tanh_c
    # sigmoid' = s (1 - s) and tanh' = 1 - tanh^2, written with the saved outputs
    dz = np.concatenate(
        [di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1
    )
    return dz, dz @ U.T, dc * f


def lstm_step_forward(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
):
    """One LSTM step: four gates from x_t and h_prev, then the new cell and hidden state.

    x_t (N, D), h_prev (N, H), c_prev (N, H), W (D, 4H), U (H, 4H), b (4H,) -> h, c (N, H), cache.
    With σ the sigmoid and W_i, U_i, b_i the input gate's block of W, U, b (and so on):

        i = σ(x_t W_i + h_prev U_i + b_i)        input gate
        f = σ(x_t W_f + h_prev U_f + b_f)        forget gate
        g = tanh(x_t W_c + h_prev U_c + b_c)     candidate cell
        o = σ(x_t W_o + h_prev U_o + b_o)        output gate
        c = f * c_prev + i * g
        h = o * tanh(c)
    """
    h, c, cell_cache = lstm_cell_forward(x_t @ W + b, h_prev, c_prev, U)
    return h, c, (x_t, h_prev, W, cell_cache)


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray, cache):
    """dh, dc (N, H) -> dx_t (N, D), dh_prev (N, H), dc_prev (N, H), dW, dU, db."""
    x_t, h_prev, W, cell_cache = cache
    dz, dh_prev, dc_prev = lstm_cell_backward(dh, dc, cell_cache)
    return dz @ W.T, dh_prev, dc_prev, x_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0)


def lstm_forward(
    x: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
):
    """Run an LSTM over a sequence.   x (N, T, D) -> hs (N, T, H), cache

    h0, c0 (N, H) are the initial states, zeros by default.
    """
    H = U.shape[0]
    h = h0 = initial_state(h0, x, H)
    c = initial_state(c0, x, H)
    xw = x @ W + b  # the input part of every step, in one matmul
    hs = np.empty((x.shape[0], x.shape[1], H), dtype=xw.dtype)
    cells = []
    for t in range(x.shape[1]):
        h, c, cell_cache = lstm_cell_forward(xw[:, t], h, c, U)
        hs[:, t] = h
        cells.append(cell_cache)
    return hs, (x, W, h0, hs, cells)


def lstm_backward(dhs: np.ndarray, cache):
    """Backpropagation through time.   dhs (N, T, H): dL/dh_t from the outputs ->

    dx (N, T, D), dW (D, 4H), dU (H, 4H), db (4H,), dh (N, T, H): the total dL/dh_t at each step.
    """
    x, W, h0, hs, cells = cache
    dz = np.empty((*x.shape[:2], W.shape[1]), dtype=dhs.dtype)
    dh = np.empty_like(dhs)
    dh_next, dc = np.zeros_like(h0), np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        dh[:, t] = dhs[:, t] + dh_next  # from the output at t and from step t + 1
        dz[:, t], dh_next, dc = lstm_cell_backward(dh[:, t], dc, cells[t])
    # Every step uses the same W, U and b, so their gradients sum over steps: one matmul each.
    dz2 = dz.reshape(-1, dz.shape[-1])
    dW = x.reshape(-1, x.shape[-1]).T @ dz2
    dU = previous_states(hs, h0).reshape(-1, hs.shape[-1]).T @ dz2
    return dz @ W.T, dW, dU, dz2.sum(axis=0), dh


class LSTM(Recurrent):
    """LSTM(units, return_sequences=False), like keras.layers.LSTM.

    Input (N, T, D); output (N, units), the last h, or (N, T, units) with return_sequences.
    Weights: kernel (D, 4 units), recurrent_kernel (units, 4 units) (orthogonal), bias (4 units,),
    gate order i, f, c, o. ``unit_forget_bias=True`` starts the forget gate's bias at 1, so the
    cell keeps its memory at first (σ(1) ≈ 0.73) instead of halving it every step.
    """

    gates = 4

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs) -> None:
        super().__init__(units, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    def _bias(self):
        if not self.unit_forget_bias:
            return super()._bias()
        H, init = self.units, initializers.get(self.bias_initializer)

        def forget_gate_at_one(shape, rng, dtype="float64"):
            b = init(shape, rng, dtype=dtype)
            b[H : 2 * H] = 1.0
            return b

        return (4 * H,), forget_gate_at_one

    def _sequence_forward(self, x):
        W, U, b = (p.data for p in self._params)
        return lstm_forward(x, W, U, b)

    def _sequence_backward(self, dhs, cache):
        dx, dW, dU, db, dh = lstm_backward(dhs, cache)
        return dx, [dW, dU, db], dh
