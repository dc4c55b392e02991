"""The gated recurrent unit, like keras.layers.GRU with its default ``reset_after=True``.

The kernels hold three blocks of H columns in Keras's order z, r, h (update gate, reset gate,
candidate): W (D, 3H) is ``kernel``, U (H, 3H) ``recurrent_kernel``. The bias (2, 3H) has a row
for the input part and a row for the recurrent part, because the reset gate multiplies the
recurrent part h_prev @ U_h + b_h *after* the matmul.
"""

from __future__ import annotations

import numpy as np

from nncourse.activations import sigmoid
from nncourse.layers.recurrent import Recurrent, initial_state, previous_states


def gru_cell_forward(xw_t: np.ndarray, h_prev: np.ndarray, U: np.ndarray, b_rec: np.ndarray):
    """The gates and the new state, given the input part xw_t = x_t @ W + b[0].

    xw_t (N, 3H), h_prev (N, H), U (H, 3H), b_rec (3H,) -> h (N, H), cache
    """
    H = h_prev.shape[1]
    hu = h_prev @ U + b_rec  # the recurrent part of all three blocks
    zr = sigmoid(xw_t[:, : 2 * H] + hu[:, : 2 * H])  # both gates in one call
    z = zr[:, :H]  # update gate: how much of the old state to keep
    r = zr[:, H:]  # reset gate: how much of it the candidate sees
    hh = np.tanh(xw_t[:, 2 * H :] + r * hu[:, 2 * H :])  # candidate state
    h = z * h_prev + (1 - z) * hh
    return h, (z, r, hh, hu[:, 2 * H :], h_prev, U)


def gru_cell_backward(dh: np.ndarray, cache):
    """dh (N, H) -> dxw (N, 3H), dhu (N, 3H), dh_prev (N, H).

    dxw and dhu: gradients of the input part xw_t and of the recurrent part h_prev @ U + b[1].
    """
    z, r, hh, hu_h, h_prev, U = cache
    da_h = dh * (1 - z) * (1 - hh**2)  # through h = ... + (1 - z) * hh and tanh' = 1 - tanh^2
    da_z = dh * (h_prev - hh) * z * (1 - z)  # sigmoid' = s (1 - s)
    da_r = da_h * hu_h * r * (1 - r)
    dxw = np.concatenate([da_z, da_r, da_h], axis=1)
    dhu = np.concatenate([da_z, da_r, da_h * r], axis=1)
    return dxw, dhu, dh * z + dhu @ U.T


def gru_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray
):
    """One GRU step: two gates and a candidate from x_t and h_prev, then the new state.

    x_t (N, D), h_prev (N, H), W (D, 3H), U (H, 3H), b (2, 3H) -> h (N, H), cache.
    With σ the sigmoid, W_z, U_z the update gate's block of W, U (and so on), b = [b_in, b_rec]:

        z  = σ(x_t W_z + b_in_z + h_prev U_z + b_rec_z)           update gate
        r  = σ(x_t W_r + b_in_r + h_prev U_r + b_rec_r)           reset gate
        hh = tanh(x_t W_h + b_in_h + r * (h_prev U_h + b_rec_h))  candidate
        h  = z * h_prev + (1 - z) * hh
    """
    h, cell_cache = gru_cell_forward(x_t @ W + b[0], h_prev, U, b[1])
    return h, (x_t, h_prev, W, cell_cache)


def gru_step_backward(dh: np.ndarray, cache):
    """dh (N, H) -> dx_t (N, D), dh_prev (N, H), dW (D, 3H), dU (H, 3H), db (2, 3H)."""
    x_t, h_prev, W, cell_cache = cache
    dxw, dhu, dh_prev = gru_cell_backward(dh, cell_cache)
    db = np.stack([dxw.sum(axis=0), dhu.sum(axis=0)])
    return dxw @ W.T, dh_prev, x_t.T @ dxw, h_prev.T @ dhu, db


def gru_forward(
    x: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray, h0: np.ndarray | None = None
):
    """Run a GRU over a sequence.   x (N, T, D) -> hs (N, T, H), cache

    h0 (N, H) is the initial state, zeros by default.
    """
    h = h0 = initial_state(h0, x, U.shape[0])
    xw = x @ W + b[0]  # the input part of every step, in one matmul
    hs = np.empty((x.shape[0], x.shape[1], U.shape[0]), dtype=xw.dtype)
    cells = []
    for t in range(x.shape[1]):
        h, cell_cache = gru_cell_forward(xw[:, t], h, U, b[1])
        hs[:, t] = h
        cells.append(cell_cache)
    return hs, (x, W, h0, hs, cells)


def gru_backward(dhs: np.ndarray, cache):
    """Backpropagation through time.   dhs (N, T, H): dL/dh_t from the outputs ->

    dx (N, T, D), dW (D, 3H), dU (H, 3H), db (2, 3H), dh (N, T, H): the total dL/dh_t per step.
    """
    x, W, h0, hs, cells = cache
    dxw = np.empty((*x.shape[:2], W.shape[1]), dtype=dhs.dtype)
    dhu, dh = np.empty_like(dxw), np.empty_like(dhs)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        dh[:, t] = dhs[:, t] + dh_next  # from the output at t and from step t + 1
        dxw[:, t], dhu[:, t], dh_next = gru_cell_backward(dh[:, t], cells[t])
    # Every step uses the same W, U and b, so their gradients sum over steps: one matmul each.
    dxw2, dhu2 = dxw.reshape(-1, dxw.shape[-1]), dhu.reshape(-1, dhu.shape[-1])
    dW = x.reshape(-1, x.shape[-1]).T @ dxw2
    dU = previous_states(hs, h0).reshape(-1, hs.shape[-1]).T @ dhu2
    db = np.stack([dxw2.sum(axis=0), dhu2.sum(axis=0)])
    return dxw @ W.T, dW, dU, db, dh


class GRU(Recurrent):
    """GRU(units, return_sequences=False), like keras.layers.GRU (reset_after=True).

    Input (N, T, D); output (N, units), the last state, or (N, T, units) with return_sequences.
    Weights: kernel (D, 3 units), recurrent_kernel (units, 3 units) (orthogonal), bias (2, 3 units),
    gate order z, r, h.
    """

    gates = 3

    def _bias(self):
        return (2, 3 * self.units), self.bias_initializer

    def _sequence_forward(self, x):
        W, U, b = (p.data for p in self._params)
        return gru_forward(x, W, U, b)

    def _sequence_backward(self, dhs, cache):
        dx, dW, dU, db, dh = gru_backward(dhs, cache)
        return dx, [dW, dU, db], dh
