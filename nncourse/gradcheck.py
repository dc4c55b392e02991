"""Gradient checking: compare backpropagation with central finite differences.

The check is the one a learner should run on any new layer: pick a random ``dy``, define the
scalar ``L = sum(layer(x) * dy)`` whose gradient backpropagation claims to compute, nudge every
input and weight by ±h, and compare. Work in float64: float32 cannot resolve the differences.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5):
    """dL/dx by central differences, (f(x + h) - f(x - h)) / 2h, one element at a time.

    ``x`` is nudged in place and restored, so ``f`` may read it through a closure.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||): 0 when equal, about 1e-10 for a correct float64 gradient."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs equal shapes, got {a.shape} and {b.shape}.")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


@dataclass
class GradResult:
    """The comparison for one array: the relative error and the element that differs most."""

    name: str
    rel_error: float
    worst_index: tuple[int, ...]
    analytic: float
    numerical: float


class GradCheckReport(list):
    """A list of GradResult, one per input and parameter, with the worst error in ``max_error``."""

    @property
    def max_error(self) -> float:
        return max((r.rel_error for r in self), default=0.0)

    def __str__(self) -> str:
        rows = [f"{'array':<16}{'rel. error':>12}  worst element (analytic vs numerical)"]
        for r in self:
            rows.append(
                f"{r.name:<16}{r.rel_error:>12.2e}  {r.worst_index}: "
                f"{r.analytic:.6g} vs {r.numerical:.6g}"
            )
        return "\n".join(rows)


def compare(name: str, analytic: np.ndarray, numerical: np.ndarray) -> GradResult:
    """Package the relative error of two gradients with the element where they differ most."""
    diff = np.abs(np.asarray(analytic, dtype=np.float64) - numerical)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    worst = tuple(int(i) for i in worst)
    return GradResult(
        name,
        rel_error(analytic, numerical),
        worst,
        float(analytic[worst]) if diff.size else 0.0,
        float(numerical[worst]) if diff.size else 0.0,
    )


def check_layer(layer, x: np.ndarray, seed: int = 0, h: float = 1e-5, training: bool = False):
    """Check ``layer.backward`` against finite differences for the input and every parameter.

    Returns a GradCheckReport; ``report.max_error`` below 1e-7 means the gradients are right.
    ``training=True`` is only meaningful for layers without randomness in training mode.
    """
    x = np.array(x, copy=True)
    if x.dtype != np.float64:
        warnings.warn(
            f"check_layer got {x.dtype} input: use float64, lower precision cannot resolve "
            "finite differences and the errors will look large.",
            stacklevel=2,
        )
    y = layer.forward(x, training=training)
    dy = np.random.default_rng(seed).standard_normal(y.shape).astype(y.dtype)
    dx = layer.backward(dy)
    analytic = [("input", dx)] + [(p.name, p.grad.copy()) for p in layer.parameters()]

    def loss(_):
        return np.sum(layer.forward(x, training=training) * dy)

    report = GradCheckReport()
    report.append(compare("input", dx, numerical_gradient(loss, x, h)))
    for p, (name, grad) in zip(layer.parameters(), analytic[1:]):
        report.append(compare(name, grad, numerical_gradient(loss, p.data, h)))
    return report


def check_loss(loss, y_true: np.ndarray, y_pred: np.ndarray, h: float = 1e-5) -> GradResult:
    """Check ``loss.backward()`` against finite differences of ``loss.forward``."""
    y_pred = np.array(y_pred, dtype=np.float64, copy=True)
    loss.forward(y_true, y_pred)
    analytic = loss.backward()
    numerical = numerical_gradient(lambda yp: loss.forward(y_true, yp), y_pred, h)
    return compare("y_pred", analytic, numerical)
