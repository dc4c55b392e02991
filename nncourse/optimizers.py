"""Optimizers: turn each Parameter's gradient into a step for its weights, as Keras 3 does.

``optimizer.step(parameters)`` updates every ``p.data`` in place from ``p.grad``. Optimizers
with memory (momentum, running averages) keep one state per Parameter object, so call ``step``
with the same objects every time (``model.parameters()`` returns the same ones). The update
rules are Keras's, written as its formulas: ``g`` the gradient, ``w`` the weight, ``t`` the step
number counting from 1, ``lr`` the learning rate.
"""

from __future__ import annotations

import numpy as np


class Optimizer:
    """Base class: loops over the parameters, keeps per-parameter state and counts steps."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate
        self.iterations = 0  # steps taken so far, as keras.optimizers.Optimizer.iterations
        self._state: dict = {}

    def step(self, parameters) -> None:
        """Update each Parameter's ``.data`` in place from its ``.grad``."""
        for p in parameters:
            if p not in self._state:
                self._state[p] = self.init_state(p.data)
            self.update(p.data, p.grad, self._state[p])
        self.iterations += 1

    def init_state(self, w: np.ndarray) -> dict[str, np.ndarray]:
        """The zero-initialised memory this optimizer keeps for one weight array."""
        return {}

    def update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Change w (and the arrays in state) in place."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    plain:     w <- w - lr g
    momentum:  m <- momentum m - lr g;  w <- w + m
    nesterov:  m <- momentum m - lr g;  w <- w + momentum m - lr g
    """

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"SGD needs momentum in [0, 1], got {momentum}.")
        self.momentum = momentum
        self.nesterov = nesterov

    def init_state(self, w: np.ndarray) -> dict[str, np.ndarray]:
        return {"m": np.zeros_like(w)} if self.momentum else {}

    def update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        lr = self.learning_rate
        if not self.momentum:
            w -= lr * g
            return
        m = state["m"]
        m[...] = self.momentum * m - lr * g
        if self.nesterov:
            # Look ahead: step from where momentum is about to carry w.
            w += self.momentum * m - lr * g
        else:
            w += m


class RMSprop(Optimizer):
    """Divide the step by a running root-mean-square of the gradient.

    v <- rho v + (1 - rho) g^2
    centered: a <- rho a + (1 - rho) g;  v_c = v - a^2   (otherwise v_c = v)
    step = lr g / sqrt(v_c + epsilon)
    momentum: m <- momentum m + step;  w <- w - m   (otherwise w <- w - step)
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def init_state(self, w: np.ndarray) -> dict[str, np.ndarray]:
        state = {"v": np.zeros_like(w)}
        if self.centered:
            state["a"] = np.zeros_like(w)
        if self.momentum > 0:
            state["m"] = np.zeros_like(w)
        return state

    def update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        rho, v = self.rho, state["v"]
        v[...] = rho * v + (1 - rho) * g**2
        v_c = v
        if self.centered:
            # Subtracting the squared mean turns the second moment into a variance.
            state["a"][...] = rho * state["a"] + (1 - rho) * g
            v_c = v - state["a"] ** 2
        step = self.learning_rate * g / np.sqrt(v_c + self.epsilon)
        if self.momentum > 0:
            state["m"][...] = self.momentum * state["m"] + step
            step = state["m"]
        w -= step


class Adam(Optimizer):
    """Momentum and RMS scaling together, with the running averages' start-up bias removed.

    m <- m + (1 - beta_1) (g - m)
    v <- v + (1 - beta_2) (g^2 - v)
    amsgrad: v_max <- max(v_max, v), used in place of v
    alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
    w <- w - alpha m / (sqrt(v) + epsilon)
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def init_state(self, w: np.ndarray) -> dict[str, np.ndarray]:
        state = {"m": np.zeros_like(w), "v": np.zeros_like(w)}
        if self.amsgrad:
            state["v_max"] = np.zeros_like(w)
        return state

    def update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        m, v = state["m"], state["v"]
        m += (1 - self.beta_1) * (g - m)
        v += (1 - self.beta_2) * (g**2 - v)
        if self.amsgrad:
            np.maximum(state["v_max"], v, out=state["v_max"])
            v = state["v_max"]
        # m and v start at zero; alpha undoes that bias (the factors tend to 1 as t grows).
        t = self.iterations + 1
        alpha = self.learning_rate * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        w -= alpha * m / (np.sqrt(v) + self.epsilon)


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer with Keras's defaults from its name ("sgd", "rmsprop", "adam")."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in OPTIMIZERS:
        return OPTIMIZERS[identifier.lower()]()
    known = ", ".join(OPTIMIZERS)
    raise ValueError(
        f"Unknown optimizer {identifier!r}. Known optimizers: {known} (or an Optimizer object)."
    )
