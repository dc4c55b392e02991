"""Weight penalties, like keras.regularizers: added to the loss to keep weights small.

L2 adds ``l2 · ΣW²`` to the loss and so ``2 · l2 · W`` to the kernel's gradient ("weight decay");
L1 adds ``l1 · Σ|W|`` and pushes weights to exactly zero.
"""

from __future__ import annotations

import numpy as np


class Regularizer:
    """penalty(W) -> float added to the loss; gradient(W) -> dpenalty/dW."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        if l1 < 0 or l2 < 0:
            raise ValueError(f"Regularization factors must be >= 0, got l1={l1}, l2={l2}.")
        self.l1, self.l2 = float(l1), float(l2)

    def penalty(self, W: np.ndarray) -> float:
        return float(self.l1 * np.abs(W).sum() + self.l2 * np.square(W).sum())

    def gradient(self, W: np.ndarray) -> np.ndarray:
        return self.l1 * np.sign(W) + 2.0 * self.l2 * W

    __call__ = penalty

    def __repr__(self) -> str:
        return f"{type(self).__name__}(l1={self.l1}, l2={self.l2})"


class L1(Regularizer):
    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)


class L2(Regularizer):
    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)


class L1L2(Regularizer):
    """Both penalties; Keras's defaults for this class are zero."""


def get(identifier) -> Regularizer | None:
    """A regularizer from Keras's names ("l1", "l2", "l1_l2"), an object, or None."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    names = {"l1": L1, "l2": L2, "l1_l2": L1L2}
    if isinstance(identifier, str) and identifier.lower() in names:
        return names[identifier.lower()]()
    raise ValueError(f"Unknown regularizer {identifier!r}. Known: l1, l2, l1_l2 (or an object).")
