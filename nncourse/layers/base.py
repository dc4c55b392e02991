"""The layer contract shared by every nncourse layer.

A layer makes its weights in ``build(input_shape)``, computes in ``forward(x, training)`` and
sends gradients back in ``backward(dy) -> dx``. Its weights are ``Parameter`` objects holding
``.data`` and ``.grad``; ``parameters()`` lists them in the order Keras's ``get_weights()`` uses,
so weights copy between an nncourse layer and the Keras layer of the same name.
"""

from __future__ import annotations

import re

import numpy as np

from nncourse import initializers

Shape = tuple[int | None, ...]


class Parameter:
    """A trainable array and the gradient of the loss with respect to it."""

    def __init__(self, data: np.ndarray, name: str) -> None:
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class: holds the name, the weights and the input-shape checks."""

    def __init__(
        self, name: str | None = None, seed: initializers.Seed = None, dtype: str | None = None
    ) -> None:
        self.name = name or _snake_case(type(self).__name__)
        self.seed = seed
        # Weights take this dtype; left as None, the first input decides (weights made before it,
        # by build() or a model's Input, start as float64 and are cast then).
        self.dtype = dtype
        self.built = False
        self.input_shape: Shape | None = None
        self._params: list[Parameter] = []

    # -- the contract -------------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch size first, may be None)."""
        self.input_shape = (None, *tuple(input_shape)[1:])
        self.built = True

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    # -- shared behaviour ----------------------------------------------------------------------
    def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.forward(x, training=training)

    def parameters(self) -> list[Parameter]:
        """The trainable weights, in Keras's get_weights() order (the same objects every call)."""
        return self._params

    def get_weights(self) -> list[np.ndarray]:
        return [p.data.copy() for p in self._params]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Copy arrays into the existing weights in place; counts and shapes must match."""
        weights = list(weights)
        if len(weights) != len(self._params):
            raise ValueError(
                f"Layer '{self.name}' expects {len(self._params)} weight arrays "
                f"({', '.join(p.name for p in self._params) or 'none'}), got {len(weights)}."
            )
        for p, w in zip(self._params, weights):
            w = np.asarray(w)
            if w.shape != p.data.shape:
                raise ValueError(
                    f"Layer '{self.name}': weight '{p.name}' has shape {p.data.shape}, "
                    f"got an array of shape {w.shape}."
                )
            p.data[...] = w

    def regularization_loss(self) -> float:
        """Penalties on this layer's weights, added to the loss (none by default)."""
        return 0.0

    def count_params(self) -> int:
        return int(sum(p.data.size for p in self._params))

    # -- helpers for subclasses ----------------------------------------------------------------
    def add_weight(self, name: str, shape: tuple[int, ...], initializer="zeros") -> Parameter:
        """Create a Parameter from a Keras-named initialiser and register it."""
        init = initializers.get(initializer)
        dtype = self.dtype or "float64"
        p = Parameter(init(tuple(shape), self._rng(), dtype=dtype), name)
        self._params.append(p)
        return p

    def _rng(self) -> np.random.Generator:
        if not hasattr(self, "_generator"):
            self._generator = initializers.as_generator(self.seed)
        return self._generator

    def _prepare(self, x: np.ndarray, ndim: int | None = None) -> np.ndarray:
        """Check x's rank and feature sizes, build lazily, and return x as a float array."""
        x = as_float(x)
        if ndim is not None and x.ndim != ndim:
            raise ValueError(
                f"Layer '{self.name}' expects input of rank {ndim} "
                f"{_describe(ndim)}, got shape {x.shape} (rank {x.ndim})."
            )
        if not self.built:
            self.dtype = self.dtype or x.dtype.name
            self.build((None, *x.shape[1:]))
            return x
        expected = self.input_shape
        if expected is not None and (
            len(expected) != x.ndim
            or any(e is not None and e != a for e, a in zip(expected[1:], x.shape[1:]))
        ):
            raise ValueError(
                f"Layer '{self.name}' expects input of shape {expected}, got {x.shape}."
            )
        if self.dtype is None:  # built before any input: the first input decides now
            self._cast_weights(x.dtype)
        return x

    def _cast_weights(self, dtype) -> None:
        """Give every weight (and its gradient) ``dtype``; the Parameter objects stay the same."""
        self.dtype = np.dtype(dtype).name
        for p in self._params:
            p.data = p.data.astype(self.dtype, copy=False)
            p.grad = np.zeros_like(p.data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.name}'>"


def as_float(x) -> np.ndarray:
    """x as a numpy array of a floating dtype (integers and booleans become float64)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def _snake_case(name: str) -> str:
    """Keras's default layer names: Dense -> dense, Conv2D -> conv2d, SimpleRNN -> simple_rnn."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _describe(ndim: int) -> str:
    return {2: "(batch, features)", 3: "(batch, steps, features)", 4: "(batch, H, W, C)"}.get(
        ndim, ""
    )
