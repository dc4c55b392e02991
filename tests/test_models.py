"""Sequential: learning, Keras parity of whole models, callbacks, reporting and errors."""

import io
import subprocess
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

from nncourse.callbacks import Callback, LambdaCallback
from nncourse.datasets import load_digits, load_spirals
from nncourse.datasets.utils import standardize
from nncourse.layers import Dense, Dropout, Input, ReLU, Softmax
from nncourse.models import Sequential
from nncourse.optimizers import SGD, Adam


def mlp(seed=0, hidden=16, inputs=4, outputs=3):
    return Sequential(
        [Input((inputs,)), Dense(hidden, "tanh"), Dense(outputs, "softmax")], seed=seed
    )


def toy_data(n=64, inputs=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, inputs))
    return x, np.argmax(x[:, :classes] + 0.3 * rng.standard_normal((n, classes)), axis=1)


# -- learning ---------------------------------------------------------------------------------
def test_mlp_reaches_97_percent_on_digits():
    (x_train, y_train), (x_test, y_test) = load_digits(flatten=True, seed=0)
    x_train, x_test = standardize(x_train, x_test)
    model = Sequential(
        [Input((64,)), Dense(256, "relu"), Dropout(0.5), Dense(10, "softmax")], seed=0
    )
    model.compile(Adam(), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=60, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test)
    assert accuracy >= 0.97, f"test accuracy {accuracy:.3f}"


def test_mlp_reaches_95_percent_on_spirals():
    (x_train, y_train), (x_test, y_test) = load_spirals(seed=0)
    model = Sequential(
        [Input((2,)), Dense(64, "relu"), Dense(64, "relu"), Dense(1, "sigmoid")], seed=0
    )
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train.reshape(-1, 1), epochs=200, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test.reshape(-1, 1))
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f}"


# -- parity with Keras --------------------------------------------------------------------------
@pytest.fixture
def keras_float64():
    import keras

    # The dtype policy is fixed once the first Keras layer exists, so set it as well as floatx.
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    yield keras
    keras.config.set_floatx("float32")
    keras.config.set_dtype_policy("float32")


# Keras keeps hyperparameters (learning rate, momentum, betas) as float32 constants even in a
# float64 model, so 0.9 is really 0.899999976 there. With values float32 represents exactly, the
# two implementations agree to rounding error, which is what this test demands.
OPTIMIZERS = {
    "sgd_momentum": dict(cls="SGD", learning_rate=0.125, momentum=0.5),
    "sgd_nesterov": dict(cls="SGD", learning_rate=0.125, momentum=0.5, nesterov=True),
    "rmsprop": dict(cls="RMSprop", learning_rate=2**-6, rho=0.875, epsilon=2**-20),
    "adam": dict(cls="Adam", learning_rate=2**-6, beta_1=0.875, beta_2=1 - 2**-10, epsilon=2**-20),
}


@pytest.mark.parametrize("config", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_training_steps_match_keras(keras_float64, config):
    import nncourse.optimizers

    keras = keras_float64
    config = dict(config)
    cls = config.pop("cls")
    ours = mlp()
    theirs = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(16, "tanh"), keras.layers.Dense(3, "softmax")]
    )
    ours.set_weights(theirs.get_weights())
    ours.compile(getattr(nncourse.optimizers, cls)(**config), "sparse_categorical_crossentropy")
    theirs.compile(getattr(keras.optimizers, cls)(**config), "sparse_categorical_crossentropy")
    x, y = toy_data()
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), rtol=1e-10)
    for step in range(8):
        batch = slice(16 * (step % 4), 16 * (step % 4 + 1))
        loss_ours = ours.train_on_batch(x[batch], y[batch])
        loss_keras = theirs.train_on_batch(x[batch], y[batch])
        assert loss_ours == pytest.approx(float(loss_keras), rel=1e-10)
    for w_ours, w_keras in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, w_keras, rtol=1e-10, atol=1e-12)


def test_summary_counts_match_keras():
    import keras

    ours = Sequential([Input((64,)), Dense(32, "relu"), Dropout(0.2), Dense(10), Softmax()])
    theirs = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(32, "relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10),
            keras.layers.Softmax(),
        ]
    )
    assert ours.count_params() == theirs.count_params() == 64 * 32 + 32 + 32 * 10 + 10
    lines = []
    assert ours.summary(print_fn=lines.append) is None  # printed, not returned, as in Keras
    text = "\n".join(lines)
    assert "dense_1 (Dense)" in text and "(None, 10)" in text and "Total params: 2,410" in text


# -- fit, evaluate, predict ------------------------------------------------------------------
def test_history_has_keras_keys_and_one_value_per_epoch():
    x, y = toy_data()
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=16, validation_data=(x, y), verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values()) and history.epoch == [0, 1, 2]
    # validating on the training set after the last epoch equals evaluate()
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x, y)[0])
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_fit_takes_kerass_arguments_in_kerass_order():
    import inspect

    import keras

    ours = list(inspect.signature(Sequential.fit).parameters)[1:]
    theirs = list(inspect.signature(keras.Model.fit).parameters)
    assert ours == [name for name in theirs if name in ours]  # the same relative order


def test_validation_split_holds_out_the_last_examples_before_shuffling():
    x, y = toy_data(n=40)
    split = mlp()
    split.compile("sgd", "sparse_categorical_crossentropy")
    history = split.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    explicit = mlp()
    explicit.compile("sgd", "sparse_categorical_crossentropy")
    same = explicit.fit(x[:30], y[:30], epochs=2, validation_data=(x[30:], y[30:]), verbose=0)
    assert history.history == same.history  # trained on the first 30, validated on the last 10
    both = mlp()
    both.compile("sgd", "sparse_categorical_crossentropy")
    given = both.fit(x, y, epochs=1, validation_split=0.5, validation_data=(x, y), verbose=0)
    assert given.history["val_loss"][0] == pytest.approx(both.evaluate(x, y)[0])  # data wins
    for bad in (1.0, -0.1, 0.01):
        with pytest.raises(ValueError, match="validation_split"):
            _fit_compiled(x, y, bad)


def _fit_compiled(x, y, fraction):
    model = mlp()
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, validation_split=fraction, verbose=0)


def test_same_seed_gives_the_same_training():
    x, y = toy_data()
    runs = []
    for _ in range(2):
        model = Sequential([Dense(8, "relu"), Dropout(0.3), Dense(3, "softmax")], seed=5)
        model.compile("sgd", "sparse_categorical_crossentropy")
        runs.append(model.fit(x, y, epochs=2, batch_size=8, verbose=0).history["loss"])
    assert runs[0] == runs[1]


def test_verbose_prints_progress_and_epoch_lines():
    x, y = toy_data()
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    out = io.StringIO()
    with redirect_stdout(out):
        model.fit(x, y, epochs=2, batch_size=16, verbose=1)
        model.fit(x, y, epochs=1, batch_size=16, verbose=2)
    text = out.getvalue()
    assert "Epoch 1/2" in text and "4/4 [" in text and "accuracy:" in text
    assert "Epoch 1/1 -" in text


def test_callbacks_are_called_and_can_stop_training():
    x, y = toy_data()
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    batches = []

    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    history = model.fit(
        x,
        y,
        epochs=10,
        batch_size=32,
        verbose=0,
        callbacks=[
            StopAfterTwo(),
            LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b)),
        ],
    )
    assert len(history.history["loss"]) == 2 and batches == [0, 1, 0, 1]


def test_predict_uses_inference_mode_and_batches():
    x, _ = toy_data()
    model = Sequential([Dense(8), Dropout(0.9), Dense(2)], seed=0)
    np.testing.assert_allclose(model.predict(x, batch_size=7), model.predict(x, batch_size=64))


def test_weights_round_trip():
    a, b = mlp(seed=1), mlp(seed=2)
    b.set_weights(a.get_weights())
    x, _ = toy_data()
    np.testing.assert_array_equal(a.predict(x), b.predict(x))


# -- errors --------------------------------------------------------------------------------------
def test_nan_loss_stops_with_a_clear_message():
    x, y = toy_data()
    model = Sequential([Dense(3)], seed=0)  # linear, so a far too large step can blow up
    model.compile(SGD(1e3), "mse")
    with (
        np.errstate(over="ignore", invalid="ignore"),
        pytest.raises(FloatingPointError, match=r"Epoch \d+, batch \d+: the loss became (nan|inf)"),
    ):
        model.fit(x, np.eye(3)[y], epochs=50, batch_size=8, verbose=0)


def test_nan_input_is_reported_too():
    x, y = toy_data()
    x[3, 1] = np.nan
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(FloatingPointError, match="NaN"):
        model.fit(x, y, epochs=1, batch_size=64, verbose=0)


def test_usage_errors():
    x, y = toy_data()
    model = mlp()
    with pytest.raises(RuntimeError, match="compiled"):
        model.fit(x, y)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="same number of examples, got 64 and 63"):
        model.fit(x, y[:-1])
    with pytest.raises(ValueError, match="has 4 weight arrays, got 1"):
        model.set_weights([np.zeros(1)])
    with pytest.raises(ValueError, match=r"expects input of shape \(None, 4\), got \(2, 5\)"):
        model.predict(np.zeros((2, 5)))
    with pytest.raises(TypeError, match="nncourse layer"):
        Sequential([lambda v: v])
    with pytest.raises(ValueError, match="needs a loss"):
        model.compile("adam")


def test_unbuilt_model_summary_says_so():
    lines = []
    Sequential([Dense(3), ReLU()]).summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "not fully built" in text


def test_importing_the_package_loads_neither_tensorflow_nor_matplotlib():
    code = (
        "import sys, nncourse, nncourse.layers, nncourse.models, nncourse.datasets, "
        "nncourse.gradcheck, nncourse.neuron\n"
        "nncourse.layers.Dense\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- regularisation and early stopping -------------------------------------------------------
def test_l2_penalty_gradient_matches_finite_differences():
    from nncourse.gradcheck import numerical_gradient, rel_error
    from nncourse.regularizers import L1L2

    rng = np.random.default_rng(0)
    layer = Dense(3, "tanh", kernel_regularizer=L1L2(l1=0.01, l2=0.05), seed=0)
    x, dy = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer.forward(x)
    layer.backward(dy)

    def total(_):
        return np.sum(layer.forward(x) * dy) + layer.regularization_loss()

    numerical = numerical_gradient(total, layer.kernel.data)
    assert rel_error(layer.kernel.grad, numerical) < 1e-7


def test_regularized_training_matches_keras(keras_float64):
    from nncourse.regularizers import L2

    keras = keras_float64  # 2**-7 rather than Keras's default 0.01: float32 keeps it exactly
    ours = Sequential(
        [Input((4,)), Dense(16, "tanh", kernel_regularizer=L2(2**-7)), Dense(3, "softmax")]
    )
    theirs = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(16, "tanh", kernel_regularizer=keras.regularizers.L2(2**-7)),
            keras.layers.Dense(3, "softmax"),
        ]
    )
    ours.set_weights(theirs.get_weights())
    ours.compile(SGD(0.125), "sparse_categorical_crossentropy")
    theirs.compile(keras.optimizers.SGD(0.125), "sparse_categorical_crossentropy")
    x, y = toy_data()
    for step in range(4):
        batch = slice(16 * step, 16 * (step + 1))
        assert ours.train_on_batch(x[batch], y[batch]) == pytest.approx(
            float(theirs.train_on_batch(x[batch], y[batch])), rel=1e-9
        )
    for w_ours, w_keras in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, w_keras, rtol=1e-9, atol=1e-12)
    assert ours.evaluate(x, y)[0] == pytest.approx(theirs.evaluate(x, y, verbose=0), rel=1e-9)


def test_early_stopping_stops_and_restores_the_best_weights():
    from nncourse.callbacks import EarlyStopping

    x, y = toy_data(n=40)
    x_val, y_val = toy_data(n=40, seed=1)
    model = Sequential([Dense(64, "relu"), Dense(3, "softmax")], seed=0)
    model.compile(Adam(0.05), "sparse_categorical_crossentropy")
    stop = EarlyStopping(patience=3, restore_best_weights=True)
    history = model.fit(
        x, y, epochs=200, batch_size=8, validation_data=(x_val, y_val), verbose=0, callbacks=[stop]
    )
    val = history.history["val_loss"]
    assert len(val) < 200 and len(val) == stop.best_epoch + 1 + 3
    assert min(val) == stop.best == val[stop.best_epoch]
    assert model.evaluate(x_val, y_val)[0] == pytest.approx(stop.best)


def test_early_stopping_needs_a_logged_metric():
    from nncourse.callbacks import EarlyStopping

    x, y = toy_data()
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="monitors 'val_loss'.*loss"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping()])
