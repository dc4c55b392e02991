"""NeuronExplorer: move w1, w2 and b and watch one neuron's output and decision line move."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from nncourse.plots.neuron import plot_neuron
from nncourse.plots.style import limits
from nncourse.widgets.base import Explorer

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "step")


class NeuronExplorer(Explorer):
    """Sliders for a two-input neuron; Z and A are spelled out for one chosen point."""

    figsize = (5.2, 4.0)
    css_class = "nncourse-neuron-explorer"

    def __init__(
        self,
        x: np.ndarray | None = None,
        y: np.ndarray | None = None,
        w1: float = 1.0,
        w2: float = -1.0,
        b: float = 0.0,
        activation: str = "sigmoid",
        point: tuple[float, float] = (1.0, 0.5),
    ) -> None:
        super().__init__()
        self.x, self.y = x, y
        self.xlim, self.ylim = limits(x) if x is not None else ((-3.0, 3.0), (-3.0, 3.0))
        self.w1, self.w2, self.b = (
            widgets.FloatSlider(value=v, min=-5, max=5, step=0.1, description=name)
            for name, v in (("w1", w1), ("w2", w2), ("b", b))
        )
        self.activation = widgets.Dropdown(
            options=ACTIVATIONS, value=activation, description="activation"
        )
        self.x1, self.x2 = (
            widgets.FloatText(value=v, step=0.1, description=name)
            for name, v in (("point x1", point[0]), ("point x2", point[1]))
        )
        self.label = widgets.HTML()
        self.label.add_class("nncourse-za")
        self.watch(self.w1, self.w2, self.b, self.activation, self.x1, self.x2)
        self.update()

    def controls(self) -> list[widgets.Widget]:
        return [self.w1, self.w2, self.b, self.activation, self.x1, self.x2, self.label]

    def draw(self, figure):
        w1, w2, b, f = self.w1.value, self.w2.value, self.b.value, self.activation.value
        drawn = plot_neuron(
            figure.add_subplot(),
            [w1, w2],
            b,
            f,
            self.x,
            self.y,
            point=(self.x1.value, self.x2.value),
            xlim=self.xlim,
            ylim=self.ylim,
        )
        x1, x2, Z, A = drawn.point
        self.label.value = (
            f"Z = {w1:.2f}·{x1:.2f} + ({w2:.2f})·{x2:.2f} + ({b:.2f}) = <b>{Z:.3f}</b><br>"
            f"A = {f}(Z) = <b>{A:.3f}</b>"
        )
        return drawn
