"""Gradient clipping: keep one exploding gradient from throwing the weights far away.

Clipping by the *global* norm treats all gradients as one long vector and, when that vector is
longer than ``max_norm``, shrinks it to length ``max_norm``. Its direction is kept, so the update
still points downhill; only the step is shorter. Keras does this with ``global_clipnorm``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def global_norm(arrays: Iterable[np.ndarray]) -> float:
    """sqrt(sum of every squared element of every array): the norm of all of them as one vector."""
    return float(np.sqrt(sum(np.sum(np.square(a, dtype=np.float64)) for a in arrays)))


def clip_by_global_norm(parameters_or_grads: Iterable, max_norm: float) -> float:
    """Scale gradients in place so their global norm is at most max_norm; return the norm before.

    Takes Parameters (their ``.grad`` is scaled) or the gradient arrays themselves.
    Scaling by max_norm / max(norm, max_norm) leaves gradients already short enough untouched.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}.")
    grads = [getattr(p, "grad", p) for p in parameters_or_grads]
    norm = global_norm(grads)
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return norm
