"""A one-line progress bar on stderr for a grading batch."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """Draws ``grading 12/40 [=====>    ] 31s, 1 not ok`` in place (or every 10% if not a tty)."""

    def __init__(self, total: int, stream: TextIO | None, width: int = 24) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.done, self.not_ok, self.start = 0, 0, time.perf_counter()
        self.tty = bool(stream and getattr(stream, "isatty", lambda: False)())
        self._printed_tenth = -1

    def advance(self, status: str) -> None:
        """Count one finished submission and redraw."""
        self.done += 1
        self.not_ok += status != "ok"
        self._draw()

    def _draw(self) -> None:
        if self.stream is None or self.total == 0:
            return
        tenth = 10 * self.done // self.total
        if not self.tty and tenth == self._printed_tenth:
            return
        self._printed_tenth = tenth
        filled = self.width * self.done // self.total
        bar = ("=" * filled + (">" if filled < self.width else "")).ljust(self.width)
        text = f"grading {self.done}/{self.total} [{bar}] {time.perf_counter() - self.start:.0f}s"
        text += f", {self.not_ok} not ok" if self.not_ok else ""
        end = "\n" if self.done == self.total or not self.tty else ""
        self.stream.write(("\r" if self.tty else "") + text + end)
        self.stream.flush()
