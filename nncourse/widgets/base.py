"""What every explorer shares: controls, a matplotlib Figure shown as a PNG, and ``update()``.

The figure is a plain ``matplotlib.figure.Figure`` (no pyplot, so nothing is shown behind the
widget's back) rendered to PNG bytes in an ``ipywidgets.Image``. ``update()`` redraws it in
place; the drawing itself is done by the pure functions of ``nncourse.plots``, and whatever
they return is kept in ``self.drawn`` so tests can check it without a browser.

Displaying an explorer (the last expression of a cell) shows the live widget in Jupyter; the
same output also carries a PNG of the current picture, which frontends without widget support
(GitHub, nbviewer, an HTML export) show instead.
"""

from __future__ import annotations

import base64
import io
import threading
from contextlib import contextmanager

import ipywidgets as widgets
from matplotlib.figure import Figure


class Explorer:
    """Base class: subclasses make controls in ``__init__``, then ``draw(figure)`` the state."""

    figsize: tuple[float, float] = (6.0, 4.0)
    css_class = "nncourse-explorer"
    layout_engine = "tight"  # as readable as "constrained" here, and twice as fast to draw

    def __init__(self, figsize: tuple[float, float] | None = None, dpi: int = 80) -> None:
        self.figure = Figure(figsize=figsize or self.figsize, dpi=dpi, layout=self.layout_engine)
        self.image = widgets.Image(format="png")
        self.image.add_class("nncourse-figure")
        self.drawn = None
        self._holding = False
        self._ui: widgets.Box | None = None
        # A training thread and the notebook may both redraw; one at a time.
        self._draw_lock = threading.RLock()

    # -- what a subclass provides -------------------------------------------------------------
    def controls(self) -> list[widgets.Widget]:
        """The widgets shown beside the figure."""
        return []

    def draw(self, figure: Figure):
        """Draw the current state onto the (cleared) figure; return what was drawn."""
        raise NotImplementedError

    # -- shared behaviour ---------------------------------------------------------------------
    def update(self, change=None) -> None:
        """Redraw the figure from the controls' current values (skipped inside ``hold()``)."""
        if self._holding:
            return
        with self._draw_lock:
            self.figure.clear()
            self.drawn = self.draw(self.figure)
            self.image.value = self.png()

    def png(self) -> bytes:
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    @contextmanager
    def hold(self, redraw: bool = True):
        """Change several controls at once and redraw (if asked) once at the end."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if redraw:
            self.update()

    def watch(self, *controls: widgets.Widget) -> None:
        """Redraw whenever one of these controls changes its value."""
        for control in controls:
            control.observe(self.update, names="value")

    def layout(self, controls: list[widgets.Widget]) -> widgets.Box:
        """Controls on the left, the figure on the right."""
        panel = widgets.VBox(controls, layout=widgets.Layout(min_width="300px"))
        return widgets.HBox([panel, self.image])

    @property
    def ui(self) -> widgets.Box:
        """The whole explorer as one widget, built on first use."""
        if self._ui is None:
            self._ui = self.layout(self.controls())
            self._ui.add_class(self.css_class)
        return self._ui

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        bundle = dict(self.ui._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = repr(self)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: an interactive widget, run the notebook to use it>"
