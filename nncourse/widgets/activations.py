"""ActivationExplorer: pick activations and compare each one's curve, slope and flat regions."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from nncourse.plots.activations import SATURATION_THRESHOLD, plot_activation
from nncourse.widgets.base import Explorer

CHOICES = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")


class ActivationExplorer(Explorer):
    """One panel per chosen activation: f(z), f'(z), and where |f'(z)| < threshold (shaded)."""

    figsize = (9.0, 3.0)
    css_class = "nncourse-activation-explorer"

    def __init__(self, names=("sigmoid", "tanh", "relu"), z_range: float = 6.0) -> None:
        super().__init__()
        self.names = widgets.SelectMultiple(
            options=CHOICES, value=tuple(names), rows=len(CHOICES), description="activations"
        )
        self.z_range = widgets.FloatSlider(value=z_range, min=1, max=20, description="z range ±")
        self.threshold = widgets.FloatLogSlider(
            value=SATURATION_THRESHOLD, base=10, min=-3, max=-0.5, description="|f'| below"
        )
        self.show_derivative = widgets.Checkbox(value=True, description="show f'(z)")
        self.watch(self.names, self.z_range, self.threshold, self.show_derivative)
        self.update()

    def controls(self) -> list[widgets.Widget]:
        return [self.names, self.z_range, self.threshold, self.show_derivative]

    def layout(self, controls):
        return widgets.VBox([widgets.HBox(controls[:2]), widgets.HBox(controls[2:]), self.image])

    def draw(self, figure):
        names = self.names.value
        if not names:
            figure.text(0.5, 0.5, "Choose one or more activations.", ha="center")
            return []
        figure.set_size_inches(3.0 * len(names), self.figsize[1])
        z = np.linspace(-self.z_range.value, self.z_range.value, 601)
        axes = figure.subplots(1, len(names), squeeze=False)[0]
        return [
            plot_activation(ax, name, z, self.show_derivative.value, self.threshold.value)
            for ax, name in zip(axes, names)
        ]
