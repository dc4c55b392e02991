"""SimpleRNN, LSTM and GRU: gradient checks, Keras parity, BPTT norms, clipping and learning."""

import time

import numpy as np
import pytest
from keras_parity import assert_parity

from nncourse import layers
from nncourse.clipping import clip_by_global_norm, global_norm
from nncourse.gradcheck import check_layer, numerical_gradient, rel_error
from nncourse.layers import gru, lstm, rnn

# The pure functions of each cell: (step forward, step backward, sequence forward, gate blocks,
# number of states).
CELLS = {
    "SimpleRNN": (rnn.rnn_step_forward, rnn.rnn_step_backward, rnn.rnn_forward, 1, 1),
    "LSTM": (lstm.lstm_step_forward, lstm.lstm_step_backward, lstm.lstm_forward, 4, 2),
    "GRU": (gru.gru_step_forward, gru.gru_step_backward, gru.gru_forward, 3, 1),
}

# (layer name, constructor arguments shared by nncourse and Keras, input shape (N, T, D))
CASES = [
    ("SimpleRNN", {"units": 4}, (3, 5, 3)),
    ("SimpleRNN", {"units": 4, "return_sequences": True}, (3, 5, 3)),
    ("SimpleRNN", {"units": 3, "activation": "relu", "return_sequences": True}, (2, 6, 2)),
    ("SimpleRNN", {"units": 3}, (2, 30, 2)),
    ("LSTM", {"units": 4}, (3, 5, 3)),
    ("LSTM", {"units": 4, "return_sequences": True}, (3, 5, 3)),
    ("LSTM", {"units": 3}, (2, 25, 2)),
    ("LSTM", {"units": 3, "return_sequences": True}, (2, 25, 2)),
    ("GRU", {"units": 4}, (3, 5, 3)),
    ("GRU", {"units": 4, "return_sequences": True}, (3, 5, 3)),
    ("GRU", {"units": 3}, (2, 25, 2)),
]
IDS = [
    f"{name}-{'seq' if kw.get('return_sequences') else 'last'}-{kw.get('activation', '')}T{s[1]}"
    for name, kw, s in CASES
]


def random_weights(layer, rng, scale=0.5):
    """Gaussian arrays shaped like each weight of `layer` (biases too: every bias row matters)."""
    return [scale * rng.standard_normal(w.shape) for w in layer.get_weights()]


def built_layer(name, kwargs, shape, seed=0):
    """A float64 nncourse layer of the given kind, built for `shape`, with random weights."""
    layer = getattr(layers, name)(**kwargs)
    layer.build(shape)
    layer.set_weights(random_weights(layer, np.random.default_rng(seed)))
    return layer


# -- gradients ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs, shape", CASES, ids=IDS)
def test_gradients_match_finite_differences(name, kwargs, shape):
    x = np.random.default_rng(1).standard_normal(shape)
    report = check_layer(built_layer(name, kwargs, shape), x)
    assert report.max_error <= 1e-7, f"\n{report}"


@pytest.mark.parametrize("name", list(CELLS))
def test_step_function_gradients(name):
    step_forward, step_backward, _, k, n_states = CELLS[name]
    rng = np.random.default_rng(2)
    N, D, H = 3, 4, 5
    bias = (2, k * H) if name == "GRU" else (k * H,)
    shapes = [(N, D), *[(N, H)] * n_states, (D, k * H), (H, k * H), bias]
    args = [0.5 * rng.standard_normal(s) for s in shapes]
    *outs, cache = step_forward(*args)
    douts = [rng.standard_normal(o.shape) for o in outs]
    grads = step_backward(*douts, cache)

    def loss(_):
        return sum(np.sum(o * d) for o, d in zip(step_forward(*args)[:-1], douts))

    assert len(grads) == len(args)
    for i, (a, g) in enumerate(zip(args, grads)):
        assert g.shape == a.shape
        assert rel_error(g, numerical_gradient(loss, a)) <= 1e-7, f"argument {i}"


@pytest.mark.parametrize("name", list(CELLS))
def test_sequence_function_equals_a_loop_of_steps(name):
    step_forward, _, sequence_forward, k, n_states = CELLS[name]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 3))
    W, U, b = random_weights(built_layer(name, {"units": 4}, x.shape), rng)
    states = [0.5 * rng.standard_normal((2, 4)) for _ in range(n_states)]
    hs, _ = sequence_forward(x, W, U, b, *states)
    for t in range(x.shape[1]):
        *states, _ = step_forward(x[:, t], *states, W, U, b)
        np.testing.assert_allclose(hs[:, t], states[0], rtol=1e-12, atol=1e-12)


# -- Keras ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs, shape", CASES, ids=IDS)
def test_matches_keras_on_same_weights(name, kwargs, shape):
    import keras

    klayer = getattr(keras.layers, name)(**kwargs, dtype="float64")
    klayer.build(shape)
    klayer.set_weights(random_weights(klayer, np.random.default_rng(4)))
    x = np.random.default_rng(5).standard_normal(shape)
    assert_parity(getattr(layers, name)(**kwargs), klayer, x)


@pytest.mark.parametrize("name", list(CELLS))
def test_weight_shapes_order_and_default_init_match_keras(name):
    import keras

    klayer = getattr(keras.layers, name)(5, dtype="float64")
    klayer.build((None, 3, 2))
    ours = getattr(layers, name)(5, seed=0)
    ours.build((None, 3, 2))
    assert [p.name for p in ours.parameters()] == ["kernel", "recurrent_kernel", "bias"]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in klayer.get_weights()]
    # Biases: zeros, with LSTM's forget block at 1 (unit_forget_bias=True).
    np.testing.assert_array_equal(ours.bias.data, klayer.get_weights()[2])
    U = ours.recurrent_kernel.data  # (5, k * 5) with orthonormal rows, as Keras makes it
    np.testing.assert_allclose(U @ U.T, np.eye(5), atol=1e-12)


# -- the layer contract ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("return_sequences", [False, True])
def test_output_shape_and_dtype(name, return_sequences):
    layer = getattr(layers, name)(6, return_sequences=return_sequences, seed=0)
    x = np.random.default_rng(0).standard_normal((4, 7, 3)).astype(np.float32)
    y = layer.forward(x)
    expected = layer.compute_output_shape((None, 7, 3))
    assert (4, *expected[1:]) == y.shape and y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32
    assert all(p.data.dtype == np.float32 for p in layer.parameters())
    assert layer.forward(x[:, :2]).shape[0] == 4  # a different number of steps is fine, as in Keras


def built(layer):
    layer.build((None, 5, 4))
    return layer


def forwarded(layer):
    layer.forward(np.zeros((2, 5, 4)))
    return layer


ERRORS = [
    ("rank-2", lambda: layers.LSTM(3).forward(np.zeros((2, 5))), r"'lstm' expects input of rank 3"),
    ("rank-4", lambda: layers.GRU(3).forward(np.zeros((2, 5, 4, 1))), r"rank 3 \(batch, steps"),
    ("build-rank", lambda: layers.LSTM(3).build((None, 4)), "LSTM 'lstm' expects input of rank 3"),
    ("features", lambda: built(layers.LSTM(3)).forward(np.zeros((2, 5, 3))), r"4\), got \(2, 5, 3"),
    ("order", lambda: built(layers.GRU(3)).backward(np.zeros((2, 3))), "forward before backward"),
    ("no-steps", lambda: layers.SimpleRNN(3).forward(np.zeros((2, 0, 4))), "0 steps"),
    (
        "dy",
        lambda: forwarded(layers.SimpleRNN(3)).backward(np.zeros((2, 4))),
        r"dy of shape \(2, 3",
    ),
    ("units", lambda: layers.LSTM(0), "positive number of units"),
    ("activation", lambda: layers.SimpleRNN(3, activation="sin"), "Unknown activation"),
]


@pytest.mark.parametrize("call, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_clear_errors(call, message):
    with pytest.raises((ValueError, RuntimeError), match=message):
        call()


# -- gradients through time -----------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("return_sequences", [False, True])
def test_hidden_grad_norms_match_finite_differences(name, return_sequences):
    """||dL/dh_t||, found by restarting the sequence at t + 1 from a nudged state h_t."""
    step_forward, _, sequence_forward, _, n_states = CELLS[name]
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 6, 3))
    layer = built_layer(name, {"units": 4, "return_sequences": return_sequences}, x.shape)
    y = layer.forward(x)
    dy = rng.standard_normal(y.shape)
    layer.backward(dy)
    # dL/dh_t from the outputs alone: all of dy, or dy at the last step only
    dhs = dy if return_sequences else np.concatenate([np.zeros((2, 5, 4)), dy[:, None]], axis=1)
    W, U, b = layer.get_weights()
    states = [np.zeros((2, 4)) for _ in range(n_states)]
    expected = []
    for t in range(x.shape[1]):
        *states, _ = step_forward(x[:, t], *states, W, U, b)
        h_t, others = states[0].copy(), states[1:]

        def loss(h, t=t, others=others):  # L as a function of h_t, every other input fixed
            later, _ = sequence_forward(x[:, t + 1 :], W, U, b, h, *others)
            return np.sum(dhs[:, t] * h) + np.sum(dhs[:, t + 1 :] * later)

        expected.append(np.linalg.norm(numerical_gradient(loss, h_t)))
    np.testing.assert_allclose(layer.hidden_grad_norms, expected, rtol=1e-7)


@pytest.mark.parametrize("scale, lower, upper", [(0.5, 0.0, 0.5), (1.0, 0.9, 1.0 + 1e-9)])
def test_gradient_vanishes_through_a_tanh_rnn_with_small_weights(scale, lower, upper):
    """With ||U|| = scale and tanh' <= 1, each step back multiplies ||dL/dh|| by at most scale.

    Tiny inputs keep tanh near its linear part (tanh' ~ 1), so an orthogonal U (scale 1) keeps the
    norm nearly constant over 40 steps, while scale 0.5 makes it fall by a factor of 2 per step.
    """
    T, H = 40, 8
    layer = layers.SimpleRNN(H, seed=0)
    layer.build((None, T, 2))
    layer.recurrent_kernel.data *= scale  # orthogonal times scale: every singular value = scale
    x = 1e-3 * np.random.default_rng(7).standard_normal((4, T, 2))
    y = layer.forward(x)
    layer.backward(np.ones_like(y))
    norms = layer.hidden_grad_norms
    ratios = norms[:-1] / norms[1:]  # how much of the gradient survives each step back
    print(f"scale {scale}: ||dL/dh_0|| / ||dL/dh_T|| = {norms[0] / norms[-1]:.3g}")
    assert norms.shape == (T,)
    assert np.all(ratios > lower) and np.all(ratios <= upper)
    if scale < 1:
        assert norms[0] < 1e-10 * norms[-1]


# -- clipping -------------------------------------------------------------------------------------
def test_clip_by_global_norm_hand_worked():
    a, b = np.array([3.0, 0.0]), np.array([[4.0]])  # together: the vector (3, 0, 4), norm 5
    assert global_norm([a, b]) == 5.0
    assert clip_by_global_norm([a, b], max_norm=1.0) == 5.0
    np.testing.assert_allclose(a, [0.6, 0.0])
    np.testing.assert_allclose(b, [[0.8]])
    assert clip_by_global_norm([a, b], max_norm=2.0) == pytest.approx(1.0)  # short enough: kept
    np.testing.assert_allclose(a, [0.6, 0.0])


def test_clip_by_global_norm_scales_parameter_grads_like_tensorflow():
    import tensorflow as tf

    rng = np.random.default_rng(8)
    layer = built_layer("LSTM", {"units": 4}, (3, 5, 2))
    layer.forward(rng.standard_normal((3, 5, 2)))
    layer.backward(10 * rng.standard_normal((3, 4)))
    before = [p.grad.copy() for p in layer.parameters()]
    expected, tf_norm = tf.clip_by_global_norm(before, 0.1)
    norm = clip_by_global_norm(layer.parameters(), 0.1)
    assert norm == pytest.approx(float(tf_norm), rel=1e-12) and norm > 0.1
    for p, e in zip(layer.parameters(), expected):
        np.testing.assert_allclose(p.grad, e.numpy(), rtol=1e-12)
    assert global_norm(p.grad for p in layer.parameters()) == pytest.approx(0.1)


@pytest.mark.parametrize("max_norm", [0.0, -1.0, float("nan")])
def test_clip_by_global_norm_rejects_non_positive_max_norm(max_norm):
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm([np.ones(3)], max_norm)


# -- learning -------------------------------------------------------------------------------------
def test_lstm_reads_digits_row_by_row():
    from nncourse.datasets import load_digits
    from nncourse.models import Sequential
    from nncourse.optimizers import Adam

    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load_digits(seed=0)  # stratified, pixels / 16
    x_train, x_test = x_train[..., 0], x_test[..., 0]  # (N, 8, 8): 8 steps of 8 pixels
    model = Sequential([layers.LSTM(32), layers.Dense(10, activation="softmax")], seed=0)
    model.compile(Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test)
    print(f"digits, LSTM: test accuracy {accuracy:.3f} in {time.perf_counter() - start:.1f} s")
    assert accuracy >= 0.90


def test_lstm_forecasts_a_noisy_sine_better_than_the_last_value():
    from nncourse.datasets import load_sine_forecast
    from nncourse.models import Sequential
    from nncourse.optimizers import Adam

    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load_sine_forecast(n_samples=1000, steps=20, seed=0)
    model = Sequential([layers.LSTM(16), layers.Dense(1)], seed=0)
    model.compile(Adam(0.01), "mse")
    model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
    mse = np.mean((model.predict(x_test) - y_test) ** 2)
    naive = np.mean((x_test[:, -1] - y_test) ** 2)  # predict that the last value repeats
    print(f"sine: LSTM test MSE {mse:.4f}, naive {naive:.4f} ({time.perf_counter() - start:.1f} s)")
    assert mse < 0.5 * naive


STACKS = {
    "SimpleRNN": lambda: [layers.SimpleRNN(16)],
    "GRU": lambda: [layers.GRU(16)],
    "LSTM": lambda: [layers.LSTM(16)],
    "SimpleRNN>GRU": lambda: [layers.SimpleRNN(16, return_sequences=True), layers.GRU(16)],
    "GRU>LSTM": lambda: [layers.GRU(16, return_sequences=True), layers.LSTM(16)],
}


@pytest.mark.parametrize("stack", STACKS)
def test_sequential_trains_embeddings_and_recurrent_layers_to_remember(stack):
    """The label is decided by the first of 8 tokens: the model must carry it through time."""
    from nncourse.models import Sequential
    from nncourse.optimizers import Adam

    ids = np.random.default_rng(0).integers(0, 10, size=(600, 8))
    y = (ids[:, 0] < 5).astype(int)
    model = Sequential(
        [layers.Embedding(10, 8), *STACKS[stack](), layers.Dense(2, "softmax")], seed=0
    )
    model.compile(Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(ids[:400], y[:400], epochs=15, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(ids[400:], y[400:])
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert accuracy >= 0.95, f"{stack}: test accuracy {accuracy:.3f}"
