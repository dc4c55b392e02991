"""Loss functions and their gradients, computing exactly what Keras 3 computes.

Every loss comes as a pure pair, ``loss(y_true, y_pred) -> float`` and
``loss_backward(y_true, y_pred) -> dL/dy_pred``, plus a class (``MeanSquaredError``, ...) that
remembers its inputs so ``backward()`` needs no arguments. The value is the mean over the
batch, Keras's default reduction. Probabilities are clipped to [EPSILON, 1 - EPSILON] before the
logarithm, as Keras does; where the clip is active the gradient is zero, as in Keras. With
``from_logits=True`` the loss reads raw scores and uses log-sum-exp forms that never overflow.
"""

from __future__ import annotations

import numpy as np

EPSILON = 1e-7  # keras.backend.epsilon()


# -- shapes ---------------------------------------------------------------------------------------
def _as_arrays(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """y_pred as a float array, y_true as an array (labels may stay integers)."""
    y_pred = np.asarray(y_pred)
    if not np.issubdtype(y_pred.dtype, np.floating):
        y_pred = y_pred.astype(np.float64)
    return np.asarray(y_true), y_pred


def match_shapes(name: str, y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """y_true reshaped like y_pred, cast to its dtype; ValueError if the shapes do not match.

    Like Keras, a trailing axis of size 1 on either side is added or dropped, so y_true (N,)
    pairs with y_pred (N, 1). Anything else must match exactly (Keras may broadcast instead).
    """
    y_true, y_pred = _as_arrays(y_true, y_pred)
    t, p = y_true.shape, y_pred.shape
    if (len(p) == len(t) + 1 and p[-1] == 1) or (len(t) == len(p) + 1 and t[-1] == 1):
        y_true = y_true.reshape(p) if y_true.size == y_pred.size else y_true
    if y_true.shape != p:
        raise ValueError(f"'{name}' expects y_true of shape {p} like y_pred, got {t}.")
    return y_true.astype(y_pred.dtype), y_pred


def sparse_labels(name: str, y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Integer class labels of shape y_pred.shape[:-1] (a trailing axis of 1 is dropped)."""
    y_true, y_pred = _as_arrays(y_true, y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
        y_true = y_true[..., 0]
    if y_pred.ndim < 2 or y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"'{name}' expects integer labels y_true of shape {y_pred.shape[:-1]} for "
            f"y_pred of shape {y_pred.shape}, got {y_true.shape}. For one-hot labels use "
            "'categorical_crossentropy'."
        )
    labels = y_true.astype(np.int64, copy=False)
    num_classes = y_pred.shape[-1]
    not_whole = not np.issubdtype(y_true.dtype, np.integer) and np.any(labels != y_true)
    if labels.size and (not_whole or labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"'{name}' expects integer labels in [0, {num_classes}) for y_pred of shape "
            f"{y_pred.shape}, got values from {y_true.min()} to {y_true.max()}."
        )
    return labels, y_pred


def _one_hot_like(name: str, y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _as_arrays(y_true, y_pred)
    if y_pred.ndim >= 2 and y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] > 1:
        raise ValueError(
            f"'{name}' expects one-hot y_true of shape {y_pred.shape} like y_pred, got "
            f"{y_true.shape}. For integer labels use 'sparse_categorical_crossentropy'."
        )
    return match_shapes(name, y_true, y_pred)


def _clip(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p clipped to [EPSILON, 1 - EPSILON], and the mask where it was left alone."""
    inside = (p >= EPSILON) & (p <= 1.0 - EPSILON)
    return np.clip(p, EPSILON, 1.0 - EPSILON), inside


# -- the stable building blocks for logits --------------------------------------------------------
def _softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): the exponent is never positive."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """z - log sum_j e^z_j, with the max subtracted first so nothing overflows."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# -- mean squared error ---------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred) -> float:
    """L = mean((y_pred - y)^2) over every element.   y_true, y_pred (N, ...) -> float."""
    y, p = match_shapes("mean_squared_error", y_true, y_pred)
    return float(np.mean((p - y) ** 2))


def mean_squared_error_backward(y_true, y_pred) -> np.ndarray:
    """dL/dy_pred = 2 (y_pred - y) / n, n the number of elements.   -> shape of y_pred."""
    y, p = match_shapes("mean_squared_error", y_true, y_pred)
    return 2.0 * (p - y) / p.size


mse, mse_backward = mean_squared_error, mean_squared_error_backward


# -- binary cross-entropy -------------------------------------------------------------------------
def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> float:
    """L = -mean(y log p + (1 - y) log(1 - p)), p = sigmoid(z) if from_logits.   -> float."""
    y, p = match_shapes("binary_crossentropy", y_true, y_pred)
    if from_logits:
        # -y log sigmoid(z) - (1 - y) log(1 - sigmoid(z)) simplifies to softplus(z) - y z.
        return float(np.mean(_softplus(p) - y * p))
    pc, _ = _clip(p)
    return float(-np.mean(y * np.log(pc) + (1.0 - y) * np.log(1.0 - pc)))


def binary_crossentropy_backward(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """dL/dz = (sigmoid(z) - y) / n, or dL/dp = (p - y) / (p (1 - p)) / n.   -> shape of y_pred."""
    y, p = match_shapes("binary_crossentropy", y_true, y_pred)
    if from_logits:
        sigmoid = np.exp(-_softplus(-p))  # 1 / (1 + e^-z) without overflow
        return (sigmoid - y) / p.size
    pc, inside = _clip(p)
    return inside * (pc - y) / (pc * (1.0 - pc)) / p.size


# -- categorical cross-entropy (one-hot labels) ---------------------------------------------------
def categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> float:
    """L = -mean over rows of sum_i y_i log q_i.   y_true, y_pred (N, C) -> float.

    q = softmax(z) if from_logits, else q = p / sum(p) (Keras rescales each row to sum to 1).
    """
    y, p = _one_hot_like("categorical_crossentropy", y_true, y_pred)
    if from_logits:
        return float(-np.mean(np.sum(y * _log_softmax(p), axis=-1)))
    qc, _ = _clip(p / p.sum(axis=-1, keepdims=True))
    return float(-np.mean(np.sum(y * np.log(qc), axis=-1)))


def categorical_crossentropy_backward(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """dL/dz = (softmax(z) sum(y) - y) / rows, or the chain rule through q = p / sum(p)."""
    y, p = _one_hot_like("categorical_crossentropy", y_true, y_pred)
    rows = p.size // p.shape[-1]
    if from_logits:
        return (np.exp(_log_softmax(p)) * y.sum(axis=-1, keepdims=True) - y) / rows
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    qc, inside = _clip(q)
    dq = -(inside * y) / qc / rows
    # q_j = p_j / s, so dq_j/dp_i = (delta_ij - q_j) / s.
    return (dq - np.sum(dq * q, axis=-1, keepdims=True)) / s


# -- sparse categorical cross-entropy (integer labels) --------------------------------------------
def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> float:
    """L = -mean log q[label].   y_true (N,) integers, y_pred (N, C) -> float.

    q = softmax(z) if from_logits, else q = softmax(log clip(p)) = clip(p) / sum(clip(p)):
    Keras clips first and normalises after, the reverse of categorical_crossentropy.
    """
    labels, p = sparse_labels("sparse_categorical_crossentropy", y_true, y_pred)
    z = p if from_logits else np.log(_clip(p)[0])
    picked = np.take_along_axis(_log_softmax(z), labels[..., None], axis=-1)
    return float(-np.mean(picked))


def sparse_categorical_crossentropy_backward(
    y_true, y_pred, from_logits: bool = False
) -> np.ndarray:
    """dL/dz = (softmax(z) - onehot) / rows; for probabilities times d log(clip(p))/dp."""
    labels, p = sparse_labels("sparse_categorical_crossentropy", y_true, y_pred)
    rows = p.size // p.shape[-1]
    one_hot = np.arange(p.shape[-1]) == labels[..., None]
    if from_logits:
        return (np.exp(_log_softmax(p)) - one_hot) / rows
    pc, inside = _clip(p)
    dz = (pc / pc.sum(axis=-1, keepdims=True) - one_hot) / rows
    return inside * dz / pc


# -- classes --------------------------------------------------------------------------------------
class Loss:
    """Base class: forward(y_true, y_pred) -> float remembers its inputs for backward()."""

    name = "loss"

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def forward(self, y_true, y_pred) -> float:
        self._inputs = (y_true, y_pred)
        return self.loss(y_true, y_pred)

    def backward(self) -> np.ndarray:
        """dL/dy_pred for the last forward call, shaped like y_pred."""
        if not hasattr(self, "_inputs"):
            raise RuntimeError(f"Loss '{self.name}': call forward before backward.")
        return self.gradient(*self._inputs)

    __call__ = forward

    def loss(self, y_true, y_pred) -> float:
        raise NotImplementedError

    def gradient(self, y_true, y_pred) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'from_logits=True' if self.from_logits else ''})"


class MeanSquaredError(Loss):
    """keras.losses.MeanSquaredError: mean((y_pred - y_true)^2)."""

    name = "mean_squared_error"

    def __init__(self) -> None:
        super().__init__(from_logits=False)

    def loss(self, y_true, y_pred) -> float:
        return mean_squared_error(y_true, y_pred)

    def gradient(self, y_true, y_pred) -> np.ndarray:
        return mean_squared_error_backward(y_true, y_pred)


class BinaryCrossentropy(Loss):
    """keras.losses.BinaryCrossentropy: labels 0/1, one probability (or logit) per output."""

    name = "binary_crossentropy"

    def loss(self, y_true, y_pred) -> float:
        return binary_crossentropy(y_true, y_pred, self.from_logits)

    def gradient(self, y_true, y_pred) -> np.ndarray:
        return binary_crossentropy_backward(y_true, y_pred, self.from_logits)


class CategoricalCrossentropy(Loss):
    """keras.losses.CategoricalCrossentropy: one-hot labels (N, C), class scores (N, C)."""

    name = "categorical_crossentropy"

    def loss(self, y_true, y_pred) -> float:
        return categorical_crossentropy(y_true, y_pred, self.from_logits)

    def gradient(self, y_true, y_pred) -> np.ndarray:
        return categorical_crossentropy_backward(y_true, y_pred, self.from_logits)


class SparseCategoricalCrossentropy(Loss):
    """keras.losses.SparseCategoricalCrossentropy: integer labels (N,), class scores (N, C)."""

    name = "sparse_categorical_crossentropy"

    def loss(self, y_true, y_pred) -> float:
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def gradient(self, y_true, y_pred) -> np.ndarray:
        return sparse_categorical_crossentropy_backward(y_true, y_pred, self.from_logits)


LOSSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(identifier: str | Loss) -> Loss:
    """A Loss from its Keras name ("mse", "binary_crossentropy", ...); Loss objects pass through."""
    if isinstance(identifier, Loss):
        return identifier
    # Keras also accepts the class names, e.g. "MeanSquaredError".
    names = {**LOSSES, **{cls.__name__: cls for cls in LOSSES.values()}}
    if isinstance(identifier, str) and identifier in names:
        return names[identifier]()
    known = ", ".join(sorted(LOSSES))
    raise ValueError(f"Unknown loss {identifier!r}. Known losses: {known} (or a Loss object).")
