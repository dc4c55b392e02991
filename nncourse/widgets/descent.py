"""GradientDescentExplorer: SGD, momentum, RMSprop and Adam racing across a loss surface."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from nncourse.plots.surfaces import (
    SURFACES,
    make_optimizer,
    optimizer_path,
    plot_loss_surface,
    plot_optimizer_paths,
)
from nncourse.widgets.base import Explorer

OPTIMIZERS = ("SGD", "Momentum", "RMSprop", "Adam")


class GradientDescentExplorer(Explorer):
    """Choose a surface, a start, a learning rate and optimizers; see each one's path."""

    figsize = (10.0, 3.6)
    css_class = "nncourse-descent-explorer"

    def __init__(
        self,
        surface: str = "elongated valley",
        learning_rate: float = 0.1,
        steps: int = 60,
        optimizers=("SGD", "Momentum", "Adam"),
        layout: str = "side by side",
    ) -> None:
        super().__init__()
        self.surface = widgets.Dropdown(
            options=list(SURFACES), value=surface, description="surface"
        )
        self.start_x = widgets.FloatSlider(min=-2, max=2, step=0.05, description="start x")
        self.start_y = widgets.FloatSlider(min=-2, max=3, step=0.05, description="start y")
        self.learning_rate = widgets.FloatLogSlider(
            value=learning_rate, base=10, min=-4, max=0, step=0.1, description="learning rate"
        )
        self.steps = widgets.IntSlider(value=steps, min=1, max=500, description="steps")
        self.use = {
            name: widgets.Checkbox(value=name in optimizers, description=name, indent=False)
            for name in OPTIMIZERS
        }
        self.arrangement = widgets.ToggleButtons(
            options=["side by side", "overlay"], value=layout, description="paths"
        )
        self._move_start()
        self.surface.observe(lambda change: self._move_start(redraw=True), names="value")
        self.watch(self.start_x, self.start_y, self.learning_rate, self.steps, self.arrangement)
        self.watch(*self.use.values())
        self.update()

    def _move_start(self, redraw: bool = False) -> None:
        """Put the start sliders at the new surface's usual start (and its box)."""
        s = SURFACES[self.surface.value]
        with self.hold(redraw):
            for slider, start, (low, high) in zip(
                (self.start_x, self.start_y), s.start, (s.xlim, s.ylim)
            ):
                slider.min, slider.max = -1e9, 1e9  # widen first so no old bound clips a value
                slider.value = start
                slider.min, slider.max = low, high

    def controls(self) -> list[widgets.Widget]:
        boxes = widgets.HBox(list(self.use.values()))
        return [
            self.surface,
            self.start_x,
            self.start_y,
            self.learning_rate,
            self.steps,
            boxes,
            self.arrangement,
        ]

    def paths(self) -> dict:
        """The path of every ticked optimizer from the start point, by name."""
        s, start = SURFACES[self.surface.value], (self.start_x.value, self.start_y.value)
        return {
            name: optimizer_path(
                s.f, s.grad, start, make_optimizer(name, self.learning_rate.value), self.steps.value
            )
            for name, box in self.use.items()
            if box.value
        }

    def draw(self, figure):
        s, paths = SURFACES[self.surface.value], self.paths()
        if self.arrangement.value == "overlay" or not paths:
            ax_surface, ax_loss = figure.subplots(1, 2)
            plot_loss_surface(ax_surface, s.f, s.xlim, s.ylim)
            plot_optimizer_paths(ax_surface, paths)
            ax_surface.set_title(s.name)
            for name, path in paths.items():
                ax_loss.plot(path.losses, label=name)
            positive = all(path.losses.min() > 0 for path in paths.values())
            ax_loss.set(xlabel="step", ylabel="loss", yscale="log" if positive else "linear")
            return paths
        # Shared y axis and two-line titles: up to four panels must fit side by side.
        axes = figure.subplots(1, len(paths), squeeze=False, sharey=True)[0]
        for ax, (name, path) in zip(axes, paths.items()):
            plot_loss_surface(ax, s.f, s.xlim, s.ylim)
            plot_optimizer_paths(ax, {name: path})
            ax.get_legend().remove()  # the title already names the optimizer
            ax.set_title(f"{name}\n{outcome(path)}", fontsize=10)
        for ax in axes[1:]:
            ax.set_ylabel("")
        return paths


def outcome(path) -> str:
    """A short summary of where a path ended, for a panel title."""
    steps, loss = len(path.points) - 1, path.losses[-1]
    if not np.isfinite(loss):
        return f"diverged at step {steps}"
    return f"loss {loss:.2g} after {steps} step{'' if steps == 1 else 's'}"
