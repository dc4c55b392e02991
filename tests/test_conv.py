"""Conv2D: gradients, Keras parity, loop vs vectorized, shapes, errors and a learning test.

One table of configurations drives every check; each row is (input shape, Conv2D arguments).
"""

import numpy as np
import pytest
from keras_parity import assert_parity

from nncourse.gradcheck import check_layer
from nncourse.layers import (
    Conv2D,
    conv2d_backward,
    conv2d_backward_loop,
    conv2d_forward,
    conv2d_forward_loop,
)

CONFIGS = {
    "valid-s1": ((2, 6, 6, 1), dict(filters=2, kernel_size=3)),
    "valid-s2-multichannel": ((2, 7, 7, 2), dict(filters=3, kernel_size=3, strides=2)),
    "valid-s2-leftover-rows": ((2, 8, 6, 2), dict(filters=2, kernel_size=3, strides=2)),
    "same-s1": ((2, 5, 5, 2), dict(filters=2, kernel_size=3, padding="same")),
    "same-s2-asymmetric": ((2, 7, 7, 2), dict(filters=3, kernel_size=4, strides=2, padding="same")),
    "same-even-kernel": ((2, 6, 5, 1), dict(filters=2, kernel_size=2, padding="same")),
    "same-stride>kernel": ((2, 7, 8, 2), dict(filters=2, kernel_size=2, strides=3, padding="same")),
    "nonsquare-valid": ((2, 7, 6, 3), dict(filters=2, kernel_size=(3, 2), strides=(2, 1))),
    "nonsquare-same": (
        (2, 6, 7, 2),
        dict(filters=2, kernel_size=(2, 3), strides=(1, 2), padding="same"),
    ),
    "tanh": ((2, 5, 6, 2), dict(filters=3, kernel_size=3, activation="tanh", padding="same")),
    "relu": ((2, 6, 6, 2), dict(filters=2, kernel_size=2, strides=2, activation="relu")),
    "no-bias": ((2, 6, 6, 2), dict(filters=2, kernel_size=3, use_bias=False, strides=(1, 2))),
}
PARAMS = pytest.mark.parametrize("shape, kwargs", CONFIGS.values(), ids=CONFIGS.keys())


def random_weights(layer, rng):
    """Give every weight (bias included) random values, so no check hides behind zeros."""
    layer.set_weights([rng.standard_normal(p.data.shape) * 0.5 for p in layer.parameters()])


@PARAMS
def test_gradients_match_finite_differences(shape, kwargs):
    rng = np.random.default_rng(1)
    layer = Conv2D(**kwargs, seed=0)
    layer.build(shape)
    random_weights(layer, rng)
    report = check_layer(layer, rng.standard_normal(shape))
    assert report.max_error <= 1e-7, str(report)


@PARAMS
def test_matches_keras(shape, kwargs):
    import keras

    rng = np.random.default_rng(2)
    klayer = keras.layers.Conv2D(**kwargs, dtype="float64")
    klayer.build(shape)
    klayer.set_weights([rng.standard_normal(w.shape) for w in klayer.get_weights()])
    assert_parity(Conv2D(**kwargs), klayer, rng.standard_normal(shape))


@PARAMS
def test_output_shape_matches_keras(shape, kwargs):
    import keras

    layer, klayer = Conv2D(**kwargs), keras.layers.Conv2D(**kwargs)
    for batch in (shape[0], None):
        expected = tuple(klayer.compute_output_shape((batch, *shape[1:])))
        assert layer.compute_output_shape((batch, *shape[1:])) == expected
    assert layer(np.zeros(shape)).shape == klayer.compute_output_shape(shape)


@PARAMS
def test_loop_and_vectorized_agree(shape, kwargs):
    rng = np.random.default_rng(3)
    k = kwargs["kernel_size"]
    kh, kw = (k, k) if np.isscalar(k) else k
    x = rng.standard_normal(shape)
    W = rng.standard_normal((kh, kw, shape[-1], kwargs["filters"]))
    b = rng.standard_normal(kwargs["filters"]) if kwargs.get("use_bias", True) else None
    stride, padding = kwargs.get("strides", 1), kwargs.get("padding", "valid")

    z, cache = conv2d_forward(x, W, b, stride, padding)
    np.testing.assert_allclose(z, conv2d_forward_loop(x, W, b, stride, padding), atol=1e-10)
    dz = rng.standard_normal(z.shape)
    grads = conv2d_backward(dz, cache)
    loop_grads = conv2d_backward_loop(dz, x, W, stride, padding)
    for name, g, g_loop in zip(("dx", "dW", "db"), grads, loop_grads):
        np.testing.assert_allclose(g, g_loop, atol=1e-10, err_msg=name)


def test_keeps_float32():
    layer = Conv2D(2, 3)
    y = layer(np.ones((1, 5, 5, 1), dtype=np.float32))
    assert y.dtype == np.float32 and layer.kernel.data.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32


def test_other_image_sizes_after_build():
    layer = Conv2D(4, 3, padding="same")
    layer(np.zeros((1, 8, 8, 3)))
    assert layer(np.zeros((2, 5, 7, 3))).shape == (2, 5, 7, 4)


@pytest.mark.parametrize(
    "layer, x, message",
    [
        (Conv2D(2, 3, name="c"), np.zeros((2, 8, 8)), r"'c'.*rank 4 \(batch, H, W, C\).*\(2, 8,"),
        (Conv2D(2, 5, name="c"), np.zeros((1, 4, 6, 1)), r"'c'.*kernel \(5, 5\).*larger.*\(4, 6\)"),
        (Conv2D(2, (1, 3), strides=2), np.zeros((1, 4, 2, 1)), r"kernel \(1, 3\).*'valid'"),
    ],
    ids=["rank-3", "kernel-too-large", "kernel-too-wide"],
)
def test_bad_input_is_a_clear_error(layer, x, message):
    with pytest.raises(ValueError, match=message):
        layer(x)


def test_shape_errors_before_any_data():
    with pytest.raises(ValueError, match=r"'c' expects input of rank 4.*\(None, 10\)"):
        Conv2D(2, 3, name="c").compute_output_shape((None, 10))
    with pytest.raises(ValueError, match=r"'c' expects input of rank 4.*\(None, 10\)"):
        Conv2D(2, 3, name="c").build((None, 10))
    with pytest.raises(ValueError, match=r"'c' needs a known channel count"):
        Conv2D(2, 3, name="c").build((None, 8, 8, None))
    with pytest.raises(ValueError, match=r"'c': kernel \(3, 3\) is larger.*\(2, 9\)"):
        Conv2D(2, 3, name="c").compute_output_shape((None, 2, 9, 1))


def test_wrong_channel_count_after_build():
    layer = Conv2D(2, 3, name="edges")
    layer(np.zeros((1, 6, 6, 3)))
    with pytest.raises(ValueError, match=r"'edges'.*\(None, None, None, 3\).*\(1, 6, 6, 1\)"):
        layer(np.zeros((1, 6, 6, 1)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(padding="full"), r"padding must be 'valid' or 'same', got 'full'"),
        (dict(kernel_size=0), r"kernel_size must be a positive int"),
        (dict(kernel_size=(3, 3, 3)), r"kernel_size must be a positive int or a pair"),
        (dict(strides=(1, 0)), r"strides must be a positive int"),
        (dict(filters=0), r"positive number of filters"),
    ],
    ids=["padding", "kernel-zero", "kernel-triple", "stride-zero", "filters"],
)
def test_bad_settings_are_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv2D(**{"filters": 2, "kernel_size": 3, **kwargs})


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="forward before backward"):
        Conv2D(2, 3).backward(np.zeros((1, 2, 2, 2)))


def test_cnn_learns_digits():
    from threadpoolctl import threadpool_limits

    from nncourse.datasets import load_digits
    from nncourse.layers import Dense, Flatten, MaxPooling2D
    from nncourse.models import Sequential
    from nncourse.optimizers import Adam

    (x_train, y_train), (x_test, y_test) = load_digits(seed=0)  # (N, 8, 8, 1) in [0, 1]
    model = Sequential(
        [
            Conv2D(16, 3, padding="same", activation="relu"),
            MaxPooling2D(),
            Conv2D(32, 3, padding="same", activation="relu"),
            MaxPooling2D(),
            Flatten(),
            Dense(10, activation="softmax"),
        ],
        seed=0,
    )
    model.compile(Adam(0.002), "sparse_categorical_crossentropy", metrics=["accuracy"])
    with threadpool_limits(1):  # small matrices: a second BLAS thread only adds contention
        history = model.fit(x_train, y_train, epochs=20, batch_size=32, verbose=0)
        loss, accuracy = model.evaluate(x_test, y_test)
    assert history.history["loss"][-1] < history.history["loss"][0] / 5
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f}"


def test_a_strided_cnn_with_average_pooling_learns_digits():
    """Other parts of the conv toolbox in one trained model: stride 2, "same" padding,
    a non-square kernel and average pooling."""
    from threadpoolctl import threadpool_limits

    from nncourse.datasets import load_digits
    from nncourse.layers import AveragePooling2D, Dense, Flatten
    from nncourse.models import Sequential
    from nncourse.optimizers import Adam

    (x_train, y_train), (x_test, y_test) = load_digits(seed=0)
    model = Sequential(
        [
            Conv2D(16, (3, 2), padding="same", activation="relu"),
            AveragePooling2D(),
            Conv2D(32, 3, strides=2, padding="same", activation="relu"),
            Flatten(),
            Dense(10, activation="softmax"),
        ],
        seed=0,
    )
    model.compile(Adam(0.003), "sparse_categorical_crossentropy", metrics=["accuracy"])
    with threadpool_limits(1):
        history = model.fit(x_train, y_train, epochs=15, batch_size=32, verbose=0)
        _, accuracy = model.evaluate(x_test, y_test)
    assert history.history["loss"][-1] < history.history["loss"][0] / 5
    assert accuracy >= 0.93, f"test accuracy {accuracy:.3f}"
