"""Recurrent networks over time: the hidden state at every step, and the gradient reaching it.

During backpropagation through time the gradient dL/dh_t is multiplied by the recurrent
Jacobian once per step it travels back. Its norm, on a log scale, shows whether it vanishes
(falls steadily) or explodes (grows steadily) on the way to the early steps.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator


def plot_hidden_states(ax, hs: np.ndarray):
    """A heatmap of hidden states hs (T, units) (or (1, T, units)): units down, time across.

    Column t is centred on x = t for t = 1..T, the steps of plot_gradient_norms, so the two
    line up on a shared x axis. The colourbar sits in an inset just right of the Axes instead
    of taking width from it, so the heatmap stays as wide as the panels above and below it.
    """
    hs = np.asarray(hs, dtype=np.float64)
    if hs.ndim == 3:
        hs = hs[0]
    T, units = hs.shape
    bound = max(float(np.abs(hs).max()), 1e-12)
    image = ax.imshow(
        hs.T,
        aspect="auto",
        cmap="RdBu_r",
        vmin=-bound,
        vmax=bound,
        interpolation="nearest",
        extent=(0.5, T + 0.5, units - 0.5, -0.5),
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # whole steps
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    colorbar = ax.figure.colorbar(image, cax=ax.inset_axes([1.02, 0.0, 0.025, 1.0]))
    colorbar.ax.set_title("$h_t$")  # above the bar, not beside it: fits the default margin
    ax.set(xlabel="time step t", ylabel="unit", title="hidden state over time")
    return image


def plot_gradient_norms(ax, norms) -> list:
    """||dL/dh_t|| against t on a log scale: one array (T,), or a dict of them by label."""
    series = norms if isinstance(norms, dict) else {None: norms}
    lines = []
    for label, values in series.items():
        values = np.asarray(values, dtype=np.float64)
        steps = np.arange(1, len(values) + 1)
        lines.append(
            ax.plot(steps, values, marker="." if len(values) < 40 else None, label=label)[0]
        )
    ax.set_yscale("log")
    ax.set(
        xlabel="time step t",
        ylabel=r"$\|\partial L / \partial h_t\|$",
        title="gradient reaching each step",
    )
    if any(label is not None for label in series):
        ax.legend(fontsize="small")
    return lines
