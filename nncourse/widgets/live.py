"""LiveTrainingPlot: loss and metric curves that redraw during training, in Keras or nncourse.

It is an nncourse Callback, which carries every hook Keras calls, so the same object goes into
``model.fit(..., callbacks=[live])`` of an nncourse Sequential or of a Keras model.

A redraw runs inside ``fit`` and holds up training, so it is kept cheap: after the first epoch
the same Axes and lines are reused and only their data change, and the margins are worked out
again only when the tick labels change length (working them out costs as much as a drawing).
"""

from __future__ import annotations

import time

from matplotlib.layout_engine import TightLayoutEngine

from nncourse.callbacks import Callback
from nncourse.plots.training import history_keys, plot_history, update_history
from nncourse.widgets.base import Explorer


class LiveTrainingPlot(Callback, Explorer):
    """Record each epoch's logs; redraw at most every ``interval`` seconds (and at the end).

    ``metrics`` picks the panels (default: every logged name without the ``val_`` prefix).
    Display it before training (as a cell's last expression) to watch it; if it was not
    displayed, it displays itself when training starts inside a notebook.
    """

    figsize = (8.0, 3.0)
    css_class = "nncourse-live-plot"
    layout_engine = None  # the margins are set in png(), only when they may change

    def __init__(self, metrics: list[str] | None = None, interval: float = 1.0) -> None:
        Explorer.__init__(self)
        self.metrics, self.interval = metrics, interval
        self.history: dict[str, list[float]] = {}
        self._last_draw = 0.0
        self._shown, self._handle = False, None
        self._drawn_panels, self._ticks_at_layout = None, None
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
            self.refresh()

    def on_train_end(self, logs=None) -> None:
        self.refresh()
        if self._handle is not None:  # so the saved notebook's picture shows the final curves
            self._handle.update(self)

    # -- drawing ------------------------------------------------------------------------------
    def panels(self) -> list[str]:
        if self.metrics is not None:
            return list(self.metrics)
        return [k for k in self.history if not k.startswith("val_")] or ["loss"]

    def panel_series(self) -> list[tuple[str, list[str]]]:
        """Each panel with the series it shows: what the drawn Axes and lines must match."""
        return [(name, history_keys(self.history, name)) for name in self.panels()]

    def refresh(self) -> None:
        """Show the latest epochs: new data in the drawn lines, or a full redraw if that differs."""
        if self._holding:
            return
        with self._draw_lock:
            if self.panel_series() != self._drawn_panels:
                self.update()
                return
            self._last_draw = time.monotonic()
            for name, lines in self.drawn.items():
                update_history(lines, self.history, name)
            self.image.value = self.png()

    def draw(self, figure):
        self._last_draw = time.monotonic()
        self._drawn_panels, self._ticks_at_layout = self.panel_series(), None
        names = self.panels()
        axes = figure.subplots(1, len(names), squeeze=False)[0]
        drawn = {}
        for ax, name in zip(axes, names):
            if name in self.history:
                drawn[name] = plot_history(ax, self.history, name)
            else:
                ax.set(title=f"{name}: waiting for the first epoch", xticks=[], yticks=[])
        return drawn

    def png(self) -> bytes:
        ticks = tick_label_lengths(self.figure)
        if ticks != self._ticks_at_layout:  # wider or narrower labels need other margins
            # Run once here, not kept as the figure's engine, which would rerun it on every save.
            TightLayoutEngine().execute(self.figure)
            self._ticks_at_layout = ticks
        return super().png()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        self._shown = True
        return super()._repr_mimebundle_(**kwargs)


def tick_label_lengths(figure) -> list[tuple[int, str]]:
    """For every x and y axis: its longest tick label's length and its offset text."""
    lengths = []
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            labels = formatter.format_ticks(axis.get_majorticklocs())
            lengths.append((max(map(len, labels), default=0), formatter.get_offset()))
    return lengths


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
