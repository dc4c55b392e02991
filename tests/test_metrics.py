"""Metrics: hand-worked examples, parity with keras.metrics, and which "accuracy" Keras picks."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import metrics
from nncourse.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

P3 = [[0.1, 0.8, 0.1], [0.3, 0.6, 0.1], [0.2, 0.2, 0.6]]  # argmax 1, 1, 2

HAND_WORKED = [
    # (p > 0.5) = 1, 0, 0, 0 against 1, 1, 0, 0: rows 1, 3, 4 agree (0.5 is not above 0.5).
    (metrics.binary_accuracy, [[1], [1], [0], [0]], [[0.9], [0.4], [0.2], [0.5]], 3 / 4),
    # Hot indices 1, 0, 2 against argmax 1, 1, 2: two of three.
    (metrics.categorical_accuracy, [[0, 1, 0], [1, 0, 0], [0, 0, 1]], P3, 2 / 3),
    (metrics.sparse_categorical_accuracy, [1, 0, 2], P3, 2 / 3),
    (metrics.sparse_categorical_accuracy, [[1], [1], [2]], P3, 1.0),
    # Errors 1 and 2: squares average to 5/2, absolute values to 3/2.
    (metrics.get("mse"), [[1.0, 2.0]], [[2.0, 4.0]], 2.5),
    (metrics.get("mae"), [[1.0, 2.0]], [[2.0, 4.0]], 1.5),
]


@pytest.mark.parametrize(("metric", "y_true", "y_pred", "value"), HAND_WORKED)
def test_hand_worked(metric, y_true, y_pred, value):
    assert metric(np.array(y_true), np.array(y_pred)) == pytest.approx(value, rel=1e-12)


def test_binary_accuracy_threshold():
    # Logits -0.2, 0.3 with labels 0, 1: a cut at 0 gets both right, the default 0.5 only one.
    y, z = np.array([[0], [1]]), np.array([[-0.2], [0.3]])
    assert metrics.binary_accuracy(y, z, threshold=0.0) == 1.0
    assert metrics.binary_accuracy(y, z) == 0.5


def _one_hot(rng, shape):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]


# id -> (our metric, Keras metric class, make(rng) -> (y_true, y_pred))
KERAS_CASES = {
    "binary": (
        metrics.binary_accuracy,
        "BinaryAccuracy",
        lambda r: (r.integers(0, 2, (20, 1)), r.random((20, 1))),
    ),
    "binary_true_rank1": (
        metrics.binary_accuracy,
        "BinaryAccuracy",
        lambda r: (r.integers(0, 2, 20), r.random((20, 1))),
    ),
    "binary_multi": (
        metrics.binary_accuracy,
        "BinaryAccuracy",
        lambda r: (r.integers(0, 2, (10, 3)), r.random((10, 3))),
    ),
    "categorical": (
        metrics.categorical_accuracy,
        "CategoricalAccuracy",
        lambda r: (_one_hot(r, (20, 4)), r.random((20, 4))),
    ),
    "categorical_sequence": (
        metrics.categorical_accuracy,
        "CategoricalAccuracy",
        lambda r: (_one_hot(r, (4, 5, 3)), r.random((4, 5, 3))),
    ),
    "sparse": (
        metrics.sparse_categorical_accuracy,
        "SparseCategoricalAccuracy",
        lambda r: (r.integers(0, 4, 20), r.random((20, 4))),
    ),
    "sparse_column": (
        metrics.sparse_categorical_accuracy,
        "SparseCategoricalAccuracy",
        lambda r: (r.integers(0, 4, (20, 1)), r.random((20, 4))),
    ),
    "mse": (
        metrics.get("mse"),
        "MeanSquaredError",
        lambda r: (r.standard_normal((6, 3)), r.standard_normal((6, 3))),
    ),
    "mae": (
        metrics.get("mae"),
        "MeanAbsoluteError",
        lambda r: (r.standard_normal((6, 1)), r.standard_normal(6)),
    ),
}


@pytest.mark.parametrize("case", list(KERAS_CASES))
def test_matches_keras_metric(case):
    import keras

    metric, keras_name, make = KERAS_CASES[case]
    y_true, y_pred = make(np.random.default_rng(0))
    kmetric = getattr(keras.metrics, keras_name)(dtype="float64")
    kmetric.update_state(y_true.astype(np.float64), y_pred)
    assert metric(y_true, y_pred) == pytest.approx(float(kmetric.result()), rel=1e-12)


# -- which accuracy "accuracy" means -------------------------------------------------------------
# id -> (our loss, make(rng) -> (y_true, y_pred), the metric we expect accuracy_for to pick)
ACCURACY_CASES = {
    "bce": (BinaryCrossentropy(), lambda r: (r.integers(0, 2, (16, 1)), r.random((16, 1)))),
    # Keras cuts logits at 0.5 too: labels (z > 0) are all right at 0, not at 0.5.
    "bce_logits": (
        BinaryCrossentropy(from_logits=True),
        lambda r: ((np.linspace(-2, 2, 16) > 0)[:, None], np.linspace(-2, 2, 16)[:, None]),
    ),
    "cce": (CategoricalCrossentropy(), lambda r: (_one_hot(r, (16, 3)), r.random((16, 3)))),
    "scce": (SparseCategoricalCrossentropy(), lambda r: (r.integers(0, 3, 16), r.random((16, 3)))),
    "scce_column": (
        SparseCategoricalCrossentropy(),
        lambda r: (r.integers(0, 3, (16, 1)), r.random((16, 3))),
    ),
    "mse_one_output": (
        MeanSquaredError(),
        lambda r: (r.integers(0, 2, (16, 1)), r.random((16, 1))),
    ),
    "mse_three_outputs": (MeanSquaredError(), lambda r: (_one_hot(r, (16, 3)), r.random((16, 3)))),
}


def keras_compiled_accuracy(loss, y_true, y_pred) -> float:
    """What model.compile(metrics=["accuracy"]) reports for a model that outputs y_pred."""
    import keras

    kwargs = {"from_logits": True} if loss.from_logits else {}
    model = keras.Sequential([keras.Input(y_pred.shape[1:]), keras.layers.Identity()])
    model.compile(loss=getattr(keras.losses, type(loss).__name__)(**kwargs), metrics=["accuracy"])
    result = model.evaluate(y_pred, y_true, batch_size=len(y_pred), verbose=0, return_dict=True)
    return result["accuracy"]


@pytest.mark.parametrize("case", list(ACCURACY_CASES))
def test_accuracy_matches_keras_compile(case):
    loss, make = ACCURACY_CASES[case]
    y_true, y_pred = make(np.random.default_rng(1))
    expected = keras_compiled_accuracy(loss, y_true, y_pred)
    assert metrics.get("accuracy", loss)(y_true, y_pred) == pytest.approx(expected, abs=1e-6)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(expected, abs=1e-6)


def test_logit_outputs_are_thresholded_at_one_half_as_in_keras():
    loss, make = ACCURACY_CASES["bce_logits"]
    y_true, z = make(np.random.default_rng(1))
    assert metrics.binary_accuracy(y_true, z, threshold=0.0) == 1.0
    assert metrics.accuracy_for(loss)(y_true, z) == pytest.approx(14 / 16)  # 0.13, 0.4 missed


def test_multi_label_bce_uses_binary_accuracy_where_keras_shapes_say_categorical():
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.integers(0, 2, (16, 3)), rng.random((16, 3))
    assert metrics.accuracy_for("binary_crossentropy") is metrics.binary_accuracy
    keras_value = keras_compiled_accuracy(BinaryCrossentropy(), y_true, y_pred)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(keras_value, abs=1e-6)
    assert keras_value == pytest.approx(metrics.categorical_accuracy(y_true, y_pred), abs=1e-6)


# -- look-up -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "loss", "expected"),
    [
        ("accuracy", "binary_crossentropy", metrics.binary_accuracy),
        ("acc", "categorical_crossentropy", metrics.categorical_accuracy),
        ("Accuracy", SparseCategoricalCrossentropy(), metrics.sparse_categorical_accuracy),
        ("accuracy", "mse", metrics.accuracy),
        ("accuracy", None, metrics.accuracy),
        ("sparse_categorical_accuracy", None, metrics.sparse_categorical_accuracy),
        ("mae", None, metrics.mean_absolute_error),
        ("mean_absolute_error", None, metrics.mean_absolute_error),
        (metrics.categorical_accuracy, None, metrics.categorical_accuracy),
    ],
)
def test_get(name, loss, expected):
    assert metrics.get(name, loss) is expected


def test_get_mse_is_the_loss_function():
    from nncourse.losses import mean_squared_error

    assert metrics.get("mse") is metrics.get("mean_squared_error") is mean_squared_error


def test_get_unknown_lists_known_names():
    with pytest.raises(ValueError, match="Known metrics: accuracy, acc, binary_accuracy"):
        metrics.get("auc")


ERRORS = [
    (metrics.binary_accuracy, np.zeros(3), np.zeros((4, 1)), r"'binary_accuracy'.*\(4, 1\)"),
    (metrics.categorical_accuracy, [0, 1], np.eye(2), r"'categorical_accuracy'.*\(2, 2\)"),
    (metrics.sparse_categorical_accuracy, [0, 5], np.eye(2), r"\[0, 2\)"),
]


@pytest.mark.parametrize(("metric", "y_true", "y_pred", "message"), ERRORS)
def test_wrong_inputs_raise(metric, y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        metric(y_true, y_pred)
