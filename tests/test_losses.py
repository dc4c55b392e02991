"""Losses: hand-worked examples, Keras parity (values and gradients), gradient checks, errors."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import losses
from nncourse.gradcheck import check_loss
from nncourse.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

LN2 = np.log(2.0)


# -- hand-worked examples: two samples each, worked out in the comments ---------------------------
HAND_WORKED = [
    # MSE: errors -0.5, 0.5 -> squares 0.25, 0.25 -> mean 0.25; dL/dp = 2 (p - y) / 2 = p - y.
    (MeanSquaredError(), [[1.0], [0.0]], [[0.5], [0.5]], 0.25, [[-0.5], [0.5]]),
    # BCE: -(ln 0.8 + ln 0.6) / 2; dL/dp = (p - y) / (p (1 - p)) / 2:
    # (0.8 - 1) / 0.16 / 2 = -0.625 and 0.4 / 0.24 / 2 = 5/6.
    (BinaryCrossentropy(), [[1.0], [0.0]], [[0.8], [0.4]], -(np.log(0.8) + np.log(0.6)) / 2,
     [[-0.625], [5 / 6]]),
    # BCE, p = 0 is clipped to 1e-7: -ln(1e-7) = 7 ln 10 for y = 1, and the gradient is 0.
    # p = 0.5, y = 0: ln 2, gradient 0.5 / 0.25 / 2 = 1.
    (BinaryCrossentropy(), [[1.0], [0.0]], [[0.0], [0.5]], (7 * np.log(10) + LN2) / 2,
     [[0.0], [1.0]]),
    # BCE from logits z = 0, ln 3: sigmoid = 1/2, 3/4. Losses -ln(1/2) = ln 2 and
    # -ln(1 - 3/4) = ln 4, mean 1.5 ln 2; dL/dz = (sigmoid - y) / 2 = -0.25, 0.375.
    (BinaryCrossentropy(from_logits=True), [[1.0], [0.0]], [[0.0], [np.log(3)]], 1.5 * LN2,
     [[-0.25], [0.375]]),
    # CCE: true-class probabilities 0.5 and 0.25 -> (ln 2 + ln 4) / 2 = 1.5 ln 2.
    # With rows summing to 1, dL/dp_i = (1 - y_i / p_i) / 2: row 1 (1/2, -1/2, 1/2),
    # row 2 (1 - 4) / 2 = -3/2 then 1/2, 1/2.
    (CategoricalCrossentropy(), [[0, 1, 0], [1, 0, 0]], [[0.2, 0.5, 0.3], [0.25, 0.25, 0.5]],
     1.5 * LN2, [[0.5, -0.5, 0.5], [-1.5, 0.5, 0.5]]),
    # CCE rescales rows: (1, 3) becomes (1/4, 3/4), loss -ln(3/4) = ln 4 - ln 3.
    # dL/dp_i = (1 - y_i / q_i) / s with s = 4: (1/4, (1 - 4/3) / 4 = -1/12).
    (CategoricalCrossentropy(), [[0, 1]], [[1.0, 3.0]], np.log(4 / 3), [[0.25, -1 / 12]]),
    # CCE from logits: row 1 z = 0 -> softmax 1/3 each, loss ln 3; row 2 z = (ln 2, 0, 0) ->
    # softmax (1/2, 1/4, 1/4), loss ln 2. Mean ln(6)/2; dL/dz = (softmax - y) / 2.
    (CategoricalCrossentropy(from_logits=True), [[1, 0, 0], [1, 0, 0]],
     [[0.0, 0.0, 0.0], [LN2, 0.0, 0.0]], np.log(6) / 2,
     [[-1 / 3, 1 / 6, 1 / 6], [-1 / 4, 1 / 8, 1 / 8]]),
    # SCCE: the CCE example with labels 1 and 0 instead of one-hot rows -> same numbers.
    (SparseCategoricalCrossentropy(), [1, 0], [[0.2, 0.5, 0.3], [0.25, 0.25, 0.5]], 1.5 * LN2,
     [[0.5, -0.5, 0.5], [-1.5, 0.5, 0.5]]),
    (SparseCategoricalCrossentropy(from_logits=True), [[0], [0]],
     [[0.0, 0.0, 0.0], [LN2, 0.0, 0.0]], np.log(6) / 2,
     [[-1 / 3, 1 / 6, 1 / 6], [-1 / 4, 1 / 8, 1 / 8]]),
]  # fmt: skip


@pytest.mark.parametrize(("loss", "y_true", "y_pred", "value", "grad"), HAND_WORKED)
def test_hand_worked(loss, y_true, y_pred, value, grad):
    assert loss(np.array(y_true), np.array(y_pred)) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), grad, rtol=1e-12, atol=1e-15)


# -- random data for parity and gradient checks ----------------------------------------------------
def _probs(rng, shape):
    e = np.exp(rng.standard_normal(shape))
    return e / e.sum(axis=-1, keepdims=True)


def _one_hot(rng, shape):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]


def _bits(rng, shape):
    return rng.integers(0, 2, shape).astype(np.float64)


NEAR_CLIP = np.array([0.0, 1e-9, 5e-8, 1e-7, 1.5e-7, 1e-3, 0.5, 1 - 1e-3, 1 - 1e-7, 1 - 5e-8, 1.0])

# id -> (loss, make(rng) -> (y_true, y_pred)); shapes follow what each loss accepts in Keras.
CASES = {
    "mse": (MeanSquaredError(), lambda r: (r.standard_normal((5, 3)), r.standard_normal((5, 3)))),
    "mse_true_rank1": (MeanSquaredError(), lambda r: (r.standard_normal(5), r.random((5, 1)))),
    "mse_pred_rank1": (MeanSquaredError(), lambda r: (r.standard_normal((5, 1)), r.random(5))),
    "mse_sequence": (
        MeanSquaredError(),
        lambda r: (r.standard_normal((3, 4, 2)), r.standard_normal((3, 4, 2))),
    ),
    "bce": (BinaryCrossentropy(), lambda r: (_bits(r, (6, 1)), r.uniform(0.05, 0.95, (6, 1)))),
    "bce_soft_multi": (
        BinaryCrossentropy(),
        lambda r: (r.random((4, 3)), r.uniform(0.05, 0.95, (4, 3))),
    ),
    "bce_true_rank1": (BinaryCrossentropy(), lambda r: (_bits(r, 6), r.uniform(0.1, 0.9, (6, 1)))),
    "bce_logits": (
        BinaryCrossentropy(from_logits=True),
        lambda r: (_bits(r, (6, 2)), 3 * r.standard_normal((6, 2))),
    ),
    "cce": (CategoricalCrossentropy(), lambda r: (_one_hot(r, (5, 4)), _probs(r, (5, 4)))),
    "cce_unnormalised": (
        CategoricalCrossentropy(),
        lambda r: (_probs(r, (5, 4)), r.uniform(0.2, 2.0, (5, 4))),
    ),
    "cce_logits": (
        CategoricalCrossentropy(from_logits=True),
        lambda r: (_probs(r, (5, 4)), 3 * r.standard_normal((5, 4))),
    ),
    "cce_sequence": (
        CategoricalCrossentropy(),
        lambda r: (_one_hot(r, (2, 3, 4)), _probs(r, (2, 3, 4))),
    ),
    "scce": (
        SparseCategoricalCrossentropy(),
        lambda r: (r.integers(0, 4, 5), r.uniform(0.1, 1.0, (5, 4))),
    ),
    "scce_column_labels": (
        SparseCategoricalCrossentropy(),
        lambda r: (r.integers(0, 4, (5, 1)), _probs(r, (5, 4))),
    ),
    "scce_logits": (
        SparseCategoricalCrossentropy(from_logits=True),
        lambda r: (r.integers(0, 4, 5), 3 * r.standard_normal((5, 4))),
    ),
    "scce_logits_sequence": (
        SparseCategoricalCrossentropy(from_logits=True),
        lambda r: (r.integers(0, 4, (2, 3)), r.standard_normal((2, 3, 4))),
    ),
}

# Probabilities on and around the clipping bounds [1e-7, 1 - 1e-7], where the gradient is 0.
NEAR_CLIPPING_CASES = {
    "bce_near_clip": (
        BinaryCrossentropy(),
        lambda r: (np.tile([[1.0], [0.0]], (11, 1)), np.repeat(NEAR_CLIP, 2)[:, None]),
    ),
    "cce_near_clip": (
        CategoricalCrossentropy(),
        lambda r: (
            np.eye(3)[[0, 1, 2, 0]],
            np.array([[1e-9, 0.5, 0.5], [1e-7, 1 - 1e-7, 0], [0.3, 0.7, 0.0], [1, 5e-8, 2e-7]]),
        ),
    ),
    "scce_near_clip": (
        SparseCategoricalCrossentropy(),
        lambda r: (
            np.array([0, 1, 2, 0, 1]),
            np.array([[1e-9, 0.5, 0.5], [1e-7, 1 - 1e-7, 0], [0.3, 0.7, 0.0], [1, 5e-8, 2e-7],
                      [0.2, 1 - 5e-8, 0.1]]),
        ),
    ),
}  # fmt: skip


def keras_value_and_grad(loss, y_true, y_pred):
    """The float64 Keras loss of the same name: its value and dL/dy_pred from GradientTape."""
    import keras
    import tensorflow as tf

    kwargs = {"from_logits": True} if loss.from_logits else {}
    kloss = getattr(keras.losses, type(loss).__name__)(dtype="float64", **kwargs)
    p = tf.Variable(np.asarray(y_pred, dtype=np.float64))
    with tf.GradientTape() as tape:
        value = kloss(tf.constant(np.asarray(y_true, dtype=np.float64)), p)
    return float(value), tape.gradient(value, p).numpy()


@pytest.mark.parametrize("case", [*CASES, *NEAR_CLIPPING_CASES])
def test_keras_parity(case):
    loss, make = {**CASES, **NEAR_CLIPPING_CASES}[case]
    y_true, y_pred = make(np.random.default_rng(1))
    value_k, grad_k = keras_value_and_grad(loss, y_true, y_pred)
    assert loss(y_true, y_pred) == pytest.approx(value_k, rel=1e-8, abs=1e-12)
    grad = loss.backward()
    assert grad.shape == np.shape(y_pred)
    np.testing.assert_allclose(grad, grad_k, rtol=1e-8, atol=1e-12)


# Labels that do not sum to 1: TensorFlow's gradient is softmax - y there, which is not the
# derivative of its own loss value (that is softmax * sum(y) - y), so only the check applies.
GRADCHECK_ONLY = {
    "cce_logits_unnormalised_labels": (
        CategoricalCrossentropy(from_logits=True),
        lambda r: (r.random((3, 4)), r.standard_normal((3, 4))),
    ),
}


@pytest.mark.parametrize("case", [*CASES, *GRADCHECK_ONLY])
def test_gradient_check(case):
    loss, make = {**CASES, **GRADCHECK_ONLY}[case]
    y_true, y_pred = make(np.random.default_rng(2))
    assert check_loss(loss, y_true, y_pred).rel_error <= 1e-7


def test_clipped_probabilities_have_zero_gradient():
    loss = BinaryCrossentropy()
    loss(np.ones((4, 1)), np.array([[0.0], [5e-8], [1 - 5e-8], [1.0]]))
    np.testing.assert_array_equal(loss.backward(), 0.0)


HUGE_LOGITS = {
    "bce": (BinaryCrossentropy(from_logits=True), [[1, 0], [0, 1]], [[-1e3, 1e3], [-1e3, 1e3]]),
    "cce": (CategoricalCrossentropy(from_logits=True), np.eye(3), 1e3 * (2 * np.eye(3) - 1)[::-1]),
    "scce": (SparseCategoricalCrossentropy(from_logits=True), [0, 1], [[1e3, -1e3], [1e3, -1e3]]),
}


@pytest.mark.parametrize("case", list(HUGE_LOGITS))
def test_huge_logits_stay_finite_and_match_keras(case):
    loss, y_true, y_pred = HUGE_LOGITS[case]
    y_true, y_pred = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss(y_true, y_pred)
        grad = loss.backward()
    assert np.isfinite(value) and value > 100  # confidently wrong predictions cost ~1000
    assert np.all(np.isfinite(grad))
    value_k, grad_k = keras_value_and_grad(loss, y_true, y_pred)
    assert value == pytest.approx(value_k, rel=1e-12)
    np.testing.assert_allclose(grad, grad_k, rtol=1e-12, atol=1e-15)


# -- names and look-up -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("mse", MeanSquaredError),
        ("mean_squared_error", MeanSquaredError),
        ("binary_crossentropy", BinaryCrossentropy),
        ("categorical_crossentropy", CategoricalCrossentropy),
        ("sparse_categorical_crossentropy", SparseCategoricalCrossentropy),
        ("SparseCategoricalCrossentropy", SparseCategoricalCrossentropy),
    ],
)
def test_get_resolves_keras_names(name, cls):
    import keras

    loss = losses.get(name)
    assert type(loss) is cls and not loss.from_logits
    assert loss.name == getattr(keras.losses, cls.__name__)().name
    assert losses.get(loss) is loss


def test_get_unknown_lists_known_names():
    with pytest.raises(ValueError, match="Known losses: .*binary_crossentropy.*mse"):
        losses.get("hinge")


# -- errors ----------------------------------------------------------------------------------------
ERRORS = [
    (MeanSquaredError(), np.zeros(4), np.zeros((4, 3)), r"'mean_squared_error'.*\(4, 3\).*\(4,\)"),
    (MeanSquaredError(), np.zeros((4, 2)), np.zeros((4, 3)), r"shape \(4, 3\).*got \(4, 2\)"),
    (BinaryCrossentropy(), np.zeros(3), np.zeros((4, 1)), r"'binary_crossentropy'.*\(4, 1\)"),
    (CategoricalCrossentropy(), [0, 2], np.full((2, 3), 1 / 3), r"one-hot.*\(2, 3\).*sparse_"),
    (SparseCategoricalCrossentropy(), np.eye(3)[:2], np.full((2, 3), 1 / 3), r"\(2,\).*one-hot"),
    (SparseCategoricalCrossentropy(), [0, 3], np.full((2, 3), 1 / 3), r"\[0, 3\).*from 0 to 3"),
    (SparseCategoricalCrossentropy(), [-1, 0], np.full((2, 3), 1 / 3), r"\[0, 3\)"),
    (SparseCategoricalCrossentropy(), [0.5, 1], np.full((2, 3), 1 / 3), r"integer labels"),
]


@pytest.mark.parametrize(("loss", "y_true", "y_pred", "message"), ERRORS)
def test_wrong_inputs_raise(loss, y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        loss(y_true, y_pred)


def test_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match="forward before backward"):
        MeanSquaredError().backward()
