"""MaxPooling2D, AveragePooling2D and Flatten: gradients, Keras parity, shapes and errors.

One table of configurations drives every check; each row is (layer name, input shape, arguments).
"""

import numpy as np
import pytest
from keras_parity import assert_parity

from nncourse import layers
from nncourse.gradcheck import check_layer

POOLS = {
    "2x2": ((2, 6, 6, 2), dict(pool_size=2)),
    "2x2-valid-leftover": ((2, 7, 5, 1), dict(pool_size=(2, 2))),
    "nonsquare": ((2, 6, 6, 2), dict(pool_size=(3, 2), strides=(1, 2))),
    "overlapping": ((2, 7, 7, 2), dict(pool_size=3, strides=2)),
    "overlapping-s1": ((1, 5, 6, 2), dict(pool_size=2, strides=1)),
    "same-asymmetric": ((2, 7, 7, 2), dict(pool_size=2, padding="same")),
    "same-overlapping": ((2, 6, 5, 2), dict(pool_size=3, strides=2, padding="same")),
    "same-nonsquare": ((2, 5, 7, 1), dict(pool_size=(2, 3), strides=(1, 2), padding="same")),
    "same-s1-even": ((1, 4, 4, 3), dict(pool_size=4, strides=1, padding="same")),
}
CASES = {
    f"{kind}-{name}": (kind, shape, kwargs)
    for kind in ("MaxPooling2D", "AveragePooling2D")
    for name, (shape, kwargs) in POOLS.items()
}
PARAMS = pytest.mark.parametrize("kind, shape, kwargs", CASES.values(), ids=CASES.keys())


@PARAMS
def test_gradients_match_finite_differences(kind, shape, kwargs):
    # Random normal inputs have no ties, so the maximum of each window is unambiguous.
    x = np.random.default_rng(0).standard_normal(shape)
    report = check_layer(getattr(layers, kind)(**kwargs), x)
    assert report.max_error <= 1e-7, str(report)


@PARAMS
def test_matches_keras(kind, shape, kwargs):
    import keras

    x = np.random.default_rng(1).standard_normal(shape)
    klayer = getattr(keras.layers, kind)(**kwargs, dtype="float64")
    assert_parity(getattr(layers, kind)(**kwargs), klayer, x)


@PARAMS
def test_output_shape_matches_keras(kind, shape, kwargs):
    import keras

    layer, klayer = getattr(layers, kind)(**kwargs), getattr(keras.layers, kind)(**kwargs)
    for batch in (shape[0], None):
        expected = tuple(klayer.compute_output_shape((batch, *shape[1:])))
        assert layer.compute_output_shape((batch, *shape[1:])) == expected
    assert layer(np.zeros(shape)).shape == klayer.compute_output_shape(shape)


@pytest.mark.parametrize("kwargs", [dict(pool_size=2), dict(pool_size=2, strides=1)])
def test_max_pool_ties_go_to_the_first_maximum_like_keras(kwargs):
    import keras

    # Small integers make many ties inside windows; TensorFlow routes each to the first maximum.
    x = np.random.default_rng(2).integers(0, 3, size=(2, 6, 6, 2)).astype(np.float64)
    klayer = keras.layers.MaxPooling2D(**kwargs, dtype="float64")
    assert_parity(layers.MaxPooling2D(**kwargs), klayer, x)


def test_max_pool_tie_rule_by_hand():
    x = np.array([[1.0, 3.0], [3.0, 2.0]]).reshape(1, 2, 2, 1)
    layer = layers.MaxPooling2D()
    assert layer(x).item() == 3.0
    dx = layer.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(dx.reshape(2, 2), [[0.0, 1.0], [0.0, 0.0]])


def test_average_pool_same_padding_divides_by_real_cells():
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    y = layers.AveragePooling2D(padding="same")(x)
    # Windows [0 1; 3 4], [2; 5], [6 7], [8]: padding never enters the mean.
    np.testing.assert_allclose(y.reshape(2, 2), [[2.0, 3.5], [6.5, 8.0]])


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 7), (4,)], ids=["image", "table", "vector"])
def test_flatten(shape):
    import keras

    x = np.random.default_rng(3).standard_normal(shape)
    layer = layers.Flatten()
    expected = tuple(keras.layers.Flatten().compute_output_shape(shape))
    assert layer.compute_output_shape(shape) == expected
    assert layer.compute_output_shape((None, *shape[1:]))[0] is None
    assert_parity(layer, keras.layers.Flatten(dtype="float64"), x)
    assert check_layer(layers.Flatten(), x).max_error <= 1e-7


@pytest.mark.parametrize("kind", ["MaxPooling2D", "AveragePooling2D"])
def test_pool_errors(kind):
    pool = getattr(layers, kind)
    with pytest.raises(ValueError, match=r"'p'.*rank 4 \(batch, H, W, C\).*\(4, 4\)"):
        pool(name="p")(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"'p'.*pool \(3, 3\) is larger.*\(2, 5\).*'valid'"):
        pool(3, name="p")(np.zeros((1, 2, 5, 1)))
    with pytest.raises(ValueError, match=r"'p'.*rank 4 \(batch, H, W, C\).*\(None, 16\)"):
        pool(name="p").compute_output_shape((None, 16))
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same', got 'causal'"):
        pool(padding="causal")
    with pytest.raises(ValueError, match="pool_size must be a positive int"):
        pool(pool_size=(2, -1))
    with pytest.raises(RuntimeError, match="forward before backward"):
        pool().backward(np.zeros((1, 1, 1, 1)))
    assert pool(3, padding="same")(np.zeros((1, 2, 5, 1))).shape == (1, 1, 2, 1)
