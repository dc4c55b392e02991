"""A single artificial neuron: Z = w1·x1 + … + wn·xn + b, then A = activation(Z).

This is the unit every later layer repeats. ``Neuron`` keeps the last ``Z`` and ``A`` it
computed so a lesson can print them next to the formula, and ``perceptron_fit`` trains a
step-activation neuron with Rosenblatt's rule (the first learning algorithm in the course).
"""

from __future__ import annotations

import numpy as np

from nncourse import activations


def step(z: np.ndarray) -> np.ndarray:
    """The perceptron's activation: 1 where z >= 0, else 0."""
    return (np.asarray(z) >= 0).astype(np.float64)


class Neuron:
    """One unit with weights ``w`` (n,), a bias ``b`` and a named activation (or "step")."""

    def __init__(self, weights, bias: float = 0.0, activation: str | None = "sigmoid") -> None:
        self.w = np.asarray(weights, dtype=np.float64).reshape(-1)
        self.b = float(bias)
        self.activation = activation
        self._f = step if activation == "step" else activations.get(activation)[0]
        self.Z: np.ndarray | None = None
        self.A: np.ndarray | None = None

    def forward(self, x) -> np.ndarray:
        """x (n,) for one example or (N, n) for a batch -> A () or (N,)."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape[-1:] != self.w.shape or x.ndim > 2:
            raise ValueError(
                f"Neuron with {self.w.size} weights expects input of shape ({self.w.size},) or "
                f"(batch, {self.w.size}), got {x.shape}."
            )
        self.Z = x @ self.w + self.b
        self.A = self._f(self.Z)
        return self.A

    __call__ = forward

    def __repr__(self) -> str:
        return f"Neuron(w={self.w.tolist()}, b={self.b}, activation={self.activation!r})"


def perceptron_fit(x, y, epochs: int = 20, learning_rate: float = 1.0) -> tuple[Neuron, list[int]]:
    """Rosenblatt's rule: for each mistake, w += lr·(y - ŷ)·x and b += lr·(y - ŷ).

    x (N, n), y (N,) of 0/1 -> the trained step neuron and the number of mistakes per epoch.
    It converges exactly when a straight line separates the two classes (AND, OR — not XOR).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(
            f"perceptron_fit expects x (N, n) and y (N,), got {x.shape} and {y.shape}."
        )
    neuron = Neuron(np.zeros(x.shape[1]), 0.0, activation="step")
    mistakes = []
    for _ in range(epochs):
        errors = 0
        for xi, yi in zip(x, y):
            delta = yi - neuron(xi)
            neuron.w += learning_rate * delta * xi
            neuron.b += learning_rate * float(delta)
            errors += int(delta != 0)
        mistakes.append(errors)
        if errors == 0:
            break
    return neuron, mistakes
