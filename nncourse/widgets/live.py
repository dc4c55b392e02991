"""LiveTrainingPlot: loss and metric curves that redraw during training, in Keras or nncourse.

It is an nncourse Callback, which carries every hook Keras calls, so the same object goes into
``model.fit(..., callbacks=[live])`` of an nncourse Sequential or of a Keras model.
"""

from __future__ import annotations

import time

from nncourse.callbacks import Callback
from nncourse.plots.training import plot_history
from nncourse.widgets.base import Explorer


class LiveTrainingPlot(Callback, Explorer):
    """Record each epoch's logs; redraw at most every ``interval`` seconds (and at the end).

    ``metrics`` picks the panels (default: every logged name without the ``val_`` prefix).
    Display it before training (as a cell's last expression) to watch it; if it was not
    displayed, it displays itself when training starts inside a notebook.
    """

    figsize = (8.0, 3.0)
    css_class = "nncourse-live-plot"

    def __init__(self, metrics: list[str] | None = None, interval: float = 0.5) -> None:
        Explorer.__init__(self)
        self.metrics, self.interval = metrics, interval
        self.history: dict[str, list[float]] = {}
        self._last_draw = 0.0
        self._shown, self._handle = False, None
        self.update()

    # -- callback hooks -----------------------------------------------------------------------
    def on_train_begin(self, logs=None) -> None:
        self.history = {}
        if not self._shown:
            self._handle = _display_in_notebook(self)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if time.monotonic() - self._last_draw >= self.interval:
            self.update()

    def on_train_end(self, logs=None) -> None:
        self.update()
        if self._handle is not None:  # so the saved notebook's picture shows the final curves
            self._handle.update(self)

    # -- drawing ------------------------------------------------------------------------------
    def panels(self) -> list[str]:
        if self.metrics is not None:
            return list(self.metrics)
        return [k for k in self.history if not k.startswith("val_")] or ["loss"]

    def draw(self, figure):
        self._last_draw = time.monotonic()
        names = self.panels()
        axes = figure.subplots(1, len(names), squeeze=False)[0]
        drawn = {}
        for ax, name in zip(axes, names):
            if name in self.history:
                drawn[name] = plot_history(ax, self.history, name)
            else:
                ax.set(title=f"{name}: waiting for the first epoch", xticks=[], yticks=[])
        return drawn

    def _repr_mimebundle_(self, **kwargs) -> dict:
        self._shown = True
        return super()._repr_mimebundle_(**kwargs)


def _display_in_notebook(widget):
    """Show the widget if inside an IPython kernel (not a script or a test); -> its handle."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    return display(widget, display_id=True)
