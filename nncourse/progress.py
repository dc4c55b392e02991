"""A small text progress bar for training, like the one Keras prints."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """Prints ``12/47 [=====>....] - 0.4s - loss: 0.3012`` on one line, redrawn in place."""

    def __init__(self, total: int, width: int = 28, interval: float = 0.1, stream=None) -> None:
        self.total, self.width, self.interval = total, width, interval
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self._last_draw = 0.0

    def update(self, done: int, logs: dict[str, float], final: bool = False) -> None:
        now = time.perf_counter()
        if not final and now - self._last_draw < self.interval:
            return  # redrawing on every batch would flood the notebook output
        self._last_draw = now
        filled = int(self.width * done / max(self.total, 1))
        bar = "=" * max(filled - 1, 0) + (">" if done < self.total else "=") * (filled > 0)
        text = f"\r{done}/{self.total} [{bar:<{self.width}}] - {now - self.start:.1f}s"
        text += "".join(f" - {k}: {v:.4f}" for k, v in logs.items())
        self.stream.write(text + ("\n" if final else ""))
        self.stream.flush()


def epoch_line(epoch: int, epochs: int, seconds: float, logs: dict[str, float]) -> str:
    """The one-line summary printed per epoch with verbose=2."""
    return f"Epoch {epoch}/{epochs} - {seconds:.1f}s" + "".join(
        f" - {k}: {v:.4f}" for k, v in logs.items()
    )
