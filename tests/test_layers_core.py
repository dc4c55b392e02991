"""Dense, activation and dropout layers: gradient checks, Keras parity and the layer contract."""

import numpy as np
import pytest
from keras_parity import assert_parity

from nncourse import layers
from nncourse.gradcheck import check_layer

RNG = np.random.default_rng(42)


def away_from_kinks(shape, rng=RNG):
    """Inputs whose magnitude is >= 0.1, so ReLU's kink at 0 never falls within ±h."""
    x = rng.standard_normal(shape)
    return np.sign(x) * (np.abs(x) + 0.1)


# (name, nncourse layer factory, keras layer factory, input shape)
CASES = [
    ("dense", lambda: layers.Dense(4), lambda k: k.layers.Dense(4), (5, 3)),
    ("dense_relu", lambda: layers.Dense(4, "relu"), lambda k: k.layers.Dense(4, "relu"), (5, 3)),
    ("dense_tanh", lambda: layers.Dense(3, "tanh"), lambda k: k.layers.Dense(3, "tanh"), (6, 4)),
    (
        "dense_sigmoid",
        lambda: layers.Dense(2, "sigmoid"),
        lambda k: k.layers.Dense(2, "sigmoid"),
        (4, 5),
    ),
    (
        "dense_softmax",
        lambda: layers.Dense(5, "softmax"),
        lambda k: k.layers.Dense(5, "softmax"),
        (4, 3),
    ),
    (
        "dense_no_bias",
        lambda: layers.Dense(3, use_bias=False),
        lambda k: k.layers.Dense(3, use_bias=False),
        (4, 3),
    ),
    ("dense_3d", lambda: layers.Dense(3, "tanh"), lambda k: k.layers.Dense(3, "tanh"), (2, 4, 5)),
    ("relu", layers.ReLU, lambda k: k.layers.ReLU(), (4, 6)),
    # 0.25 is exact in float32: Keras keeps the slope as a float32 constant, so 0.3 would differ
    # from a float64 computation by 4e-8 for reasons that have nothing to do with the maths.
    (
        "leaky_relu",
        lambda: layers.LeakyReLU(negative_slope=0.25),
        lambda k: k.layers.LeakyReLU(negative_slope=0.25),
        (4, 6),
    ),
    ("sigmoid", layers.Sigmoid, lambda k: k.layers.Activation("sigmoid"), (4, 6)),
    ("tanh", layers.Tanh, lambda k: k.layers.Activation("tanh"), (4, 6)),
    ("softmax", layers.Softmax, lambda k: k.layers.Softmax(), (4, 6)),
    (
        "softmax_axis1",
        lambda: layers.Softmax(axis=1),
        lambda k: k.layers.Softmax(axis=1),
        (2, 3, 4),
    ),
    ("dropout_inference", lambda: layers.Dropout(0.5), lambda k: k.layers.Dropout(0.5), (4, 6)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, make, make_keras, shape", CASES, ids=IDS)
def test_gradients_match_finite_differences(name, make, make_keras, shape):
    report = check_layer(make(), away_from_kinks(shape))
    assert report.max_error <= 1e-7, f"\n{report}"


@pytest.mark.parametrize("name, make, make_keras, shape", CASES, ids=IDS)
def test_matches_keras_on_same_weights(name, make, make_keras, shape):
    import keras

    klayer = make_keras(keras)
    klayer = type(klayer).from_config({**klayer.get_config(), "dtype": "float64"})
    assert_parity(make(), klayer, away_from_kinks(shape))


def test_dense_weights_copy_both_ways_with_keras():
    import keras

    klayer = keras.layers.Dense(3, dtype="float64")
    klayer.build((None, 4))
    ours = layers.Dense(3, seed=0)
    ours.build((None, 4))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in klayer.get_weights()]
    klayer.set_weights(ours.get_weights())
    x = RNG.standard_normal((5, 4))
    np.testing.assert_allclose(np.asarray(klayer(x)), ours(x), rtol=1e-12)


def test_parameters_are_stable_and_set_weights_works_in_place():
    dense = layers.Dense(2, seed=0)
    dense.build((None, 3))
    params = dense.parameters()
    kernel_array = params[0].data
    dense.set_weights([np.ones((3, 2)), np.full(2, 0.5)])
    assert dense.parameters() is params and params[0].data is kernel_array
    np.testing.assert_array_equal(kernel_array, np.ones((3, 2)))


def test_backward_overwrites_gradients():
    dense = layers.Dense(2, seed=0)
    x = RNG.standard_normal((4, 3))
    dense.forward(x)
    dy = RNG.standard_normal((4, 2))
    dense.backward(dy)
    first = dense.kernel.grad.copy()
    dense.backward(dy)
    np.testing.assert_array_equal(dense.kernel.grad, first)


def test_glorot_uniform_bounds_zero_bias_and_seed():
    a, b = layers.Dense(50, seed=3), layers.Dense(50, seed=3)
    a.build((None, 30))
    b.build((None, 30))
    limit = np.sqrt(6 / (30 + 50))
    k = a.kernel.data
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.9 * limit
    assert abs(k.mean()) < 0.05 * limit and np.all(a.bias.data == 0)
    np.testing.assert_array_equal(k, b.kernel.data)
    c = layers.Dense(50, seed=np.random.default_rng(4))
    c.build((None, 30))
    assert not np.array_equal(k, c.kernel.data)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_computation_keeps_input_dtype(dtype):
    model_layers = [layers.Dense(4, "relu", seed=0), layers.Dropout(0.2), layers.Softmax()]
    x = RNG.standard_normal((3, 5)).astype(dtype)
    for layer in model_layers:
        x = layer.forward(x, training=True)
        assert x.dtype == dtype
        assert layer.backward(np.ones_like(x)).dtype == dtype


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_model_built_from_input_takes_the_dtype_of_its_first_data(dtype):
    from nncourse.models import Sequential

    model = Sequential([layers.Input((5,)), layers.Dense(4, "relu"), layers.Dense(3)], seed=0)
    params = model.parameters()
    before = [p.data.copy() for p in params]
    assert all(p.data.dtype == np.float64 for p in params)  # built before any data was seen
    x = RNG.standard_normal((6, 5)).astype(dtype)
    assert model.predict(x).dtype == dtype
    assert all(p.data.dtype == dtype and p.grad.dtype == dtype for p in params)
    assert all(a is b for a, b in zip(params, model.parameters()))  # the same objects
    for p, w in zip(params, before):  # the initial values are kept, only their precision changes
        np.testing.assert_array_equal(p.data, w.astype(dtype))
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((6, 3), dtype), epochs=1, verbose=0)
    assert all(p.data.dtype == dtype for p in model.parameters())


def test_a_layer_with_a_stated_dtype_keeps_it():
    layer = layers.Dense(2, dtype="float64")
    layer.build((None, 3))
    assert layer.forward(np.ones((1, 3), "float32")).dtype == np.float64
    assert layer.kernel.data.dtype == np.float64


def test_dropout_training_mask_scaling_and_gradient():
    drop = layers.Dropout(0.25, seed=0)
    x = np.ones((200, 50))
    y = drop.forward(x, training=True)
    kept = y != 0
    assert abs(1 - kept.mean() - 0.25) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.75)
    dy = RNG.standard_normal(x.shape)
    np.testing.assert_allclose(drop.backward(dy), dy * kept / 0.75)
    np.testing.assert_array_equal(drop.forward(x, training=False), x)


def test_dropout_is_repeatable_with_a_seed():
    x = np.ones((10, 10))
    a = layers.Dropout(0.5, seed=7).forward(x, training=True)
    b = layers.Dropout(0.5, seed=7).forward(x, training=True)
    np.testing.assert_array_equal(a, b)


def test_wrong_feature_count_names_layer_and_shapes():
    dense = layers.Dense(3, name="hidden")
    dense.forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"'hidden'.*\(None, 4\).*\(2, 5\)"):
        dense.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"'hidden'.*\(batch, features\).*\(4,\).*reshape"):
        layers.Dense(3, name="hidden").forward(np.ones(4))  # one example without its batch axis


def test_set_weights_with_wrong_shapes_or_count():
    dense = layers.Dense(3)
    dense.build((None, 4))
    with pytest.raises(ValueError, match=r"kernel.*\(4, 3\).*\(3, 4\)"):
        dense.set_weights([np.zeros((3, 4)), np.zeros(3)])
    with pytest.raises(ValueError, match="expects 2 weight arrays"):
        dense.set_weights([np.zeros((4, 3))])


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown activation 'relux'.*relu"):
        layers.Dense(3, activation="relux")


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="positive number of units"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.0)


def test_backward_before_forward_is_a_clear_error():
    with pytest.raises(RuntimeError, match="forward before backward"):
        layers.Dense(2).backward(np.zeros((1, 2)))
