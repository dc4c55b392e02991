"""RNNExplorer: a recurrent cell reads a sequence; see its states and the gradient through time."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from nncourse.layers import GRU, LSTM, SimpleRNN
from nncourse.plots.rnn import plot_gradient_norms, plot_hidden_states
from nncourse.widgets.base import Explorer

CELLS = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}


def make_sequence(kind: str, length: int, seed: int = 0) -> np.ndarray:
    """A test input (length,): a sine wave, a step from 0 to 1 halfway, or Gaussian noise."""
    t = np.arange(length)
    if kind == "sine":
        return np.sin(2 * np.pi * t / 12)
    if kind == "step":
        return (t >= length // 2).astype(np.float64)
    if kind == "random":
        return np.random.default_rng(seed).standard_normal(length)
    raise ValueError(f"Unknown sequence {kind!r}: choose sine, step or random.")


def rnn_trace(cell: str, units: int, sequence: np.ndarray, scale: float = 1.0, seed: int = 0):
    """Run a fresh cell over the sequence and backpropagate from the last state.

    The recurrent kernel is multiplied by ``scale`` (below 1 gradients tend to vanish, above 1
    to grow). The loss is the sum of the last hidden state, so dL/dh_T is all ones.
    Returns hs (T, units) and ||dL/dh_t|| (T,).
    """
    layer = CELLS[cell](units, return_sequences=True, seed=seed)
    x = np.asarray(sequence, dtype=np.float64).reshape(1, -1, 1)
    layer.build(x.shape)
    layer.recurrent_kernel.data *= scale
    hs = layer.forward(x)
    dy = np.zeros_like(hs)
    dy[:, -1] = 1.0
    layer.backward(dy)
    return hs[0], layer.hidden_grad_norms


class RNNExplorer(Explorer):
    """Sequence, cell type, units, length and recurrent weight scale -> states and gradients."""

    figsize = (8.0, 6.0)
    css_class = "nncourse-rnn-explorer"

    def __init__(
        self,
        sequence: str = "sine",
        cell: str = "SimpleRNN",
        units: int = 8,
        length: int = 40,
        scale: float = 1.0,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.sequence = widgets.Dropdown(
            options=["sine", "step", "random"], value=sequence, description="sequence"
        )
        self.cell = widgets.ToggleButtons(options=list(CELLS), value=cell, description="cell")
        self.units = widgets.IntSlider(value=units, min=1, max=32, description="units")
        self.length = widgets.IntSlider(value=length, min=2, max=150, description="length")
        self.scale = widgets.FloatLogSlider(
            value=scale, base=10, min=-1, max=1, step=0.05, description="weight scale"
        )
        self.seed = widgets.IntText(value=seed, description="seed")
        self.watch(self.sequence, self.cell, self.units, self.length, self.scale, self.seed)
        self.update()

    def controls(self) -> list[widgets.Widget]:
        return [self.sequence, self.cell, self.units, self.length, self.scale, self.seed]

    def draw(self, figure):
        seq = make_sequence(self.sequence.value, self.length.value, self.seed.value)
        hs, norms = rnn_trace(
            self.cell.value, self.units.value, seq, self.scale.value, self.seed.value
        )
        ax_x, ax_h, ax_g = figure.subplots(3, 1, sharex=True)
        ax_x.plot(np.arange(1, len(seq) + 1), seq, ".-")
        ax_x.set(ylabel="$x_t$", title=f"{self.cell.value}, {self.units.value} units")
        image = plot_hidden_states(ax_h, hs)
        lines = plot_gradient_norms(ax_g, {self.cell.value: norms})
        for ax in (ax_x, ax_h):
            ax.label_outer()  # the shared time axis is labelled once, at the bottom
        return {"hs": hs, "norms": norms, "image": image, "lines": lines}
