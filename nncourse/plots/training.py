"""Training curves: a loss or metric per epoch, on the training and the validation data."""

from __future__ import annotations

import numpy as np


def history_dict(history) -> dict[str, list[float]]:
    """The per-epoch logs of an nncourse or Keras History (or a plain dict) as a dict of lists."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"Expected a History or a dict of lists, got {type(history).__name__}.")
    return {key: [float(v) for v in values] for key, values in logs.items()}


def plot_history(
    ax,
    history,
    metric: str = "loss",
    labels: tuple[str, str] = ("train", "validation"),
    log: bool = False,
    x: np.ndarray | None = None,
) -> list:
    """One line for ``metric`` and one for ``val_<metric>`` if recorded, against the epoch.

    ``x`` replaces the epoch numbers 1, 2, ... (e.g. a fractional epoch count).
    """
    logs = history_dict(history)
    if metric not in logs:
        known = ", ".join(logs) or "nothing"
        raise KeyError(f"The history has no {metric!r}; it recorded {known}.")
    lines = []
    for key, label in zip((metric, f"val_{metric}"), labels):
        if key in logs and logs[key]:
            steps = np.arange(1, len(logs[key]) + 1) if x is None else np.asarray(x)
            lines.append(
                ax.plot(steps, logs[key], marker="." if len(steps) < 30 else None, label=label)[0]
            )
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=metric)
    ax.legend(fontsize="small")
    return lines
