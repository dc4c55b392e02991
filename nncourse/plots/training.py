"""Training curves: a loss or metric per epoch, on the training and the validation data."""

from __future__ import annotations

import numpy as np


def history_dict(history) -> dict[str, list[float]]:
    """The per-epoch logs of an nncourse or Keras History (or a plain dict) as a dict of lists."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"Expected a History or a dict of lists, got {type(history).__name__}.")
    return {key: [float(v) for v in values] for key, values in logs.items()}


def history_keys(history, metric: str = "loss") -> list[str]:
    """The recorded series plot_history draws for ``metric``: itself and ``val_<metric>``."""
    logs = getattr(history, "history", history)
    return [key for key in (metric, f"val_{metric}") if logs.get(key)]


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
    label_of = dict(zip((metric, f"val_{metric}"), labels))
    lines = [ax.plot([], [], label=label_of[key])[0] for key in history_keys(logs, metric)]
    if lines:
        update_history(lines, logs, metric, x)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=metric)
    ax.legend(fontsize="small")
    return lines


def update_history(lines: list, history, metric: str = "loss", x: np.ndarray | None = None):
    """Move the latest values into the lines plot_history drew, and rescale their Axes.

    Cheaper than drawing the plot again, which is what a curve growing during training needs.
    """
    logs, ax = history_dict(history), lines[0].axes
    markers = [line.get_marker() for line in lines]
    for line, key in zip(lines, history_keys(logs, metric), strict=True):
        steps = np.arange(1, len(logs[key]) + 1) if x is None else np.asarray(x)
        line.set_data(steps, logs[key])
        line.set_marker("." if len(steps) < 30 else "None")  # dots only while they are apart
    if markers != [line.get_marker() for line in lines] and ax.get_legend() is not None:
        ax.legend(fontsize="small")  # the legend copied the old markers
    ax.relim()
    ax.autoscale_view()
