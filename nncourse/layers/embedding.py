"""Embedding: turn integer ids into learned vectors by looking up rows of a table.

Looking up row i of E is the same as multiplying a one-hot vector for i by E, so its gradient is
the one-hot transpose times dy: every row of dE collects the dy of each position holding its id,
summed when an id appears more than once.
"""

from __future__ import annotations

import numpy as np

from nncourse.layers.base import Layer, Shape


def embedding_forward(ids: np.ndarray, E: np.ndarray):
    """y = E[ids].   ids (N, T) integers in [0, V), E (V, M) -> y (N, T, M), cache"""
    return E[ids], (ids, E.shape)


def embedding_backward(dy: np.ndarray, cache) -> np.ndarray:
    """dy (N, T, M) -> dE (V, M); rows of repeated ids add up."""
    ids, shape = cache
    dE = np.zeros(shape, dtype=dy.dtype)
    np.add.at(dE, ids, dy)  # unlike dE[ids] += dy, adds once per occurrence
    return dE


class Embedding(Layer):
    """Embedding(input_dim, output_dim), like keras.layers.Embedding.

    Input: integer ids (N, T) in [0, input_dim) (any shape works); output (N, T, output_dim).
    Weight: embeddings (input_dim, output_dim). Ids are not differentiable, so ``backward``
    returns zeros shaped like the ids: it keeps a model's backward loop uniform, it is no gradient.
    """

    def __init__(
        self, input_dim: int, output_dim: int, embeddings_initializer="uniform", **kwargs
    ) -> None:
        super().__init__(**kwargs)
        if int(input_dim) <= 0 or int(output_dim) <= 0:
            raise ValueError(
                f"Embedding needs positive input_dim and output_dim, got {input_dim}, {output_dim}."
            )
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = embeddings_initializer

    def build(self, input_shape: Shape) -> None:
        shape = (self.input_dim, self.output_dim)
        self.embeddings = self.add_weight("embeddings", shape, self.embeddings_initializer)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*tuple(input_shape), self.output_dim)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        ids = self._ids(x)
        if not self.built:
            self.build((None, *ids.shape[1:]))
        y, self._cache = embedding_forward(ids, self.embeddings.data)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_cache"):
            raise RuntimeError(f"Layer '{self.name}': call forward before backward.")
        self.embeddings.grad[...] = embedding_backward(dy, self._cache)
        return np.zeros(self._cache[0].shape, dtype=self.embeddings.data.dtype)

    def _ids(self, x) -> np.ndarray:
        """x as an integer array of valid ids, or a ValueError saying what is wrong."""
        x = np.asarray(x)
        if x.dtype.kind == "f":
            fractional = x[x != np.round(x)]
            if fractional.size:
                raise ValueError(
                    f"Layer '{self.name}' expects integer ids, got {x.dtype} values "
                    f"such as {fractional[0]}."
                )
            x = x.astype(np.int64)  # whole numbers stored as floats are fine, as in Keras
        if x.dtype.kind not in "iu":
            raise ValueError(f"Layer '{self.name}' expects integer ids, got dtype {x.dtype}.")
        outside = x[(x < 0) | (x >= self.input_dim)]
        if outside.size:
            raise ValueError(
                f"Layer '{self.name}' got id {outside[0]}, outside [0, {self.input_dim}) "
                f"(input_dim={self.input_dim})."
            )
        return x
