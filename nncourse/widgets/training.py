"""The Playground's training pieces, kept apart from its widgets so they test on their own.

The data are the 2-D toy problems of nncourse.datasets; the model is an nncourse Sequential;
one training step is the same forward / loss / backward / optimizer step as ``Sequential.fit``,
plus an optional L2 penalty on the kernels.
"""

from __future__ import annotations

import numpy as np

from nncourse import datasets
from nncourse.layers import Dense, Dropout, Input
from nncourse.models import Sequential

DATASETS = {
    "moons": datasets.make_moons,
    "spirals": datasets.make_spirals,
    "XOR": datasets.make_xor,
    "circles": datasets.make_circles,
}


def toy_data(name: str, noise: float, n_samples: int = 300, seed: int = 0):
    """A 2-D toy problem split 3:1.   -> (x_train, y_train), (x_test, y_test)."""
    rng = np.random.default_rng(seed)
    x, y = DATASETS[name](n_samples=n_samples, noise=noise, seed=rng)
    return datasets.train_test_split(x, y, 0.25, rng)


def parse_hidden(text: str) -> tuple[int, ...]:
    """'8, 8' -> (8, 8): the units of each hidden layer ('' means none)."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"Hidden layers are positive whole numbers like '8, 8'; got {text!r}.")
    return tuple(int(p) for p in parts)


def build_classifier(
    hidden: tuple[int, ...], activation: str, dropout: float = 0.0, seed: int = 0
) -> Sequential:
    """Input (2,) -> [Dense(units, activation), Dropout?] per hidden layer -> Dense(1, sigmoid)."""
    layers = [Input((2,))]
    for units in hidden:
        layers.append(Dense(units, activation=activation))
        if dropout > 0:
            layers.append(Dropout(dropout))
    layers.append(Dense(1, activation="sigmoid"))
    return Sequential(layers, seed=seed)


def train_batch(model: Sequential, xb: np.ndarray, yb: np.ndarray, l2: float = 0.0) -> float:
    """One step on one batch, with the L2 penalty l2 * sum(W**2) on every kernel W.

    That is Keras's ``kernel_regularizer=L2(l2)``: its gradient 2 * l2 * W joins each kernel's
    gradient before the optimizer step. Returns the batch's data loss (without the penalty).
    """
    value = float(model.loss.forward(yb, model.forward(xb, training=True)))
    if not np.isfinite(value):
        raise FloatingPointError(f"the loss became {value}; try a smaller learning rate.")
    model.backward(model.loss.backward())
    if l2 > 0:
        for p in model.parameters():
            if p.name == "kernel":
                p.grad += 2.0 * l2 * p.data
    model.optimizer.step(model.parameters())
    return value


class Batches:
    """Shuffled mini-batch indices, a fresh order each epoch, drawn from one seeded generator."""

    def __init__(self, n: int, seed: int = 0) -> None:
        self.n, self._rng = n, np.random.default_rng(seed)
        self._order, self._next = self._rng.permutation(n), 0
        self.seen = 0  # examples served so far

    def take(self, batch_size: int) -> np.ndarray:
        if self._next >= self.n:
            self._order, self._next = self._rng.permutation(self.n), 0
        idx = self._order[self._next : self._next + batch_size]
        self._next += len(idx)
        self.seen += len(idx)
        return idx

    @property
    def epoch(self) -> float:
        return self.seen / self.n
