"""Loss surfaces in two dimensions and the paths optimizers take across them.

The weights here are just a point (x, y) and the loss a formula f(x, y), so every step of
SGD, momentum, RMSprop or Adam can be drawn. The steps are taken by nncourse's own optimizers
on a Parameter, exactly as they train a network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nncourse import optimizers
from nncourse.layers.base import Parameter
from nncourse.plots.style import Limits, grid

Fn = Callable[[np.ndarray, np.ndarray], np.ndarray]
Grad = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Surface:
    """A test function f(x, y), its gradient, a start point and the box to draw."""

    name: str
    f: Fn
    grad: Grad
    start: tuple[float, float]
    xlim: Limits
    ylim: Limits


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


SURFACES = {
    "bowl": Surface(
        "bowl",
        lambda x, y: x**2 + y**2,
        lambda x, y: (2 * x, 2 * y),
        (-1.5, 1.6),
        (-2, 2),
        (-2, 2),
    ),
    # 20 times steeper across than along: one learning rate cannot suit both directions.
    "elongated valley": Surface(
        "elongated valley",
        lambda x, y: 0.1 * x**2 + 2 * y**2,
        lambda x, y: (0.2 * x, 4 * y),
        (-1.8, 0.9),
        (-2, 2),
        (-1.2, 1.2),
    ),
    "rosenbrock": Surface(
        "rosenbrock",
        _rosenbrock,
        _rosenbrock_grad,
        (-1.5, 2.0),
        (-2, 2),
        (-1, 3),
    ),
    # The origin is flat but not a minimum: downhill along y, uphill along x.
    "saddle": Surface(
        "saddle",
        lambda x, y: x**2 - y**2,
        lambda x, y: (2 * x, -2 * y),
        (-1.8, 0.05),
        (-2, 2),
        (-2, 2),
    ),
}


@dataclass
class OptimizerPath:
    """The points an optimizer visited (S+1, 2), start included, and the loss at each (S+1,)."""

    points: np.ndarray
    losses: np.ndarray


def make_optimizer(name: str, learning_rate: float) -> optimizers.Optimizer:
    """The optimizer named SGD, Momentum (SGD with momentum 0.9), RMSprop or Adam."""
    makers = {
        "sgd": lambda: optimizers.SGD(learning_rate),
        "momentum": lambda: optimizers.SGD(learning_rate, momentum=0.9),
        "rmsprop": lambda: optimizers.RMSprop(learning_rate),
        "adam": lambda: optimizers.Adam(learning_rate),
    }
    if name.lower() not in makers:
        raise ValueError(f"Unknown optimizer {name!r}: choose SGD, Momentum, RMSprop or Adam.")
    return makers[name.lower()]()


def optimizer_path(
    f: Fn, grad: Grad, start, optimizer: optimizers.Optimizer, steps: int
) -> OptimizerPath:
    """Let ``optimizer`` take ``steps`` steps on f from ``start``; stops early if it diverges."""
    p = Parameter(np.array(start, dtype=np.float64), "xy")
    points = [p.data.copy()]
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging path is shown, not an error
        for _ in range(steps):
            p.grad[...] = grad(*p.data)
            optimizer.step([p])
            points.append(p.data.copy())
            if not np.all(np.isfinite(p.data)):
                break
        points = np.array(points)
        return OptimizerPath(points, f(points[:, 0], points[:, 1]))


def plot_loss_surface(
    ax, f: Fn, xlim: Limits, ylim: Limits, levels: int = 20, resolution: int = 150
):
    """Contour lines of f over the box, spaced by quantiles so flat and steep parts both show."""
    g1, g2 = grid(xlim, ylim, resolution)
    values = f(g1, g2)
    cuts = np.unique(np.quantile(values, np.linspace(0, 1, levels + 1)[1:-1]))
    contours = ax.contour(g1, g2, values, levels=cuts, cmap="viridis", linewidths=0.8)
    ax.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y")
    return contours


def plot_optimizer_paths(ax, paths: dict[str, OptimizerPath | np.ndarray]) -> list:
    """One line per optimizer through the points it visited, a dot at the start, x at the end."""
    lines = []
    for name, path in paths.items():
        points = path.points if isinstance(path, OptimizerPath) else np.asarray(path)
        (line,) = ax.plot(points[:, 0], points[:, 1], "-", lw=1.5, label=name)
        ax.plot(*points[0], "o", color=line.get_color(), ms=5)
        ax.plot(*points[-1], "x", color=line.get_color(), ms=8, mew=2)
        lines.append(line)
    if lines:
        ax.legend(loc="upper right", fontsize="small")
    return lines
