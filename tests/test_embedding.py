"""Embedding: the lookup, its gradient over repeated ids, Keras parity and errors."""

import numpy as np
import pytest

from nncourse import layers
from nncourse.gradcheck import numerical_gradient, rel_error
from nncourse.layers.embedding import embedding_backward, embedding_forward

# (input_dim, output_dim, ids): repeated ids, a single id per sample, a 3-d block of ids.
CASES = [
    (5, 3, np.array([[1, 2, 1, 0], [2, 2, 4, 1]])),
    (7, 2, np.array([6, 0, 3, 3, 3])),
    (4, 4, np.array([[[0, 1], [1, 1]], [[3, 3], [2, 0]]])),
]
IDS = ["repeats-2d", "ids-1d", "ids-3d"]


def keras_embedding_forward_backward(klayer, ids, dy):
    """Keras's output and embeddings gradient for L = sum(y * dy) (the ids get no gradient)."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        y = klayer(tf.constant(ids))
        loss = tf.reduce_sum(y * tf.constant(dy))
    (grad,) = tape.gradient(loss, klayer.trainable_weights)
    return np.asarray(y), np.asarray(tf.convert_to_tensor(grad))  # a sparse gradient made dense


@pytest.mark.parametrize("input_dim, output_dim, ids", CASES, ids=IDS)
def test_embeddings_gradient_matches_finite_differences(input_dim, output_dim, ids):
    layer = layers.Embedding(input_dim, output_dim, seed=0)
    y = layer.forward(ids)
    dy = np.random.default_rng(1).standard_normal(y.shape)
    dx = layer.backward(dy)
    numerical = numerical_gradient(lambda _: np.sum(layer.forward(ids) * dy), layer.embeddings.data)
    assert rel_error(layer.embeddings.grad, numerical) <= 1e-7
    # The ids are not differentiable: backward documents that by returning zeros shaped like them.
    assert dx.shape == ids.shape and not dx.any()


@pytest.mark.parametrize("input_dim, output_dim, ids", CASES, ids=IDS)
def test_matches_keras_on_same_weights(input_dim, output_dim, ids):
    import keras

    rng = np.random.default_rng(2)
    klayer = keras.layers.Embedding(input_dim, output_dim, dtype="float64")
    klayer.build(ids.shape)
    klayer.set_weights([rng.standard_normal((input_dim, output_dim))])
    layer = layers.Embedding(input_dim, output_dim)
    layer.build(ids.shape)
    layer.set_weights(klayer.get_weights())
    y = layer.forward(ids)
    dy = rng.standard_normal(y.shape)
    layer.backward(dy)
    y_k, grad_k = keras_embedding_forward_backward(klayer, ids, dy)
    np.testing.assert_allclose(y, y_k, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(layer.embeddings.grad, grad_k, rtol=1e-8, atol=1e-8)


def test_repeated_ids_add_up_hand_worked():
    E = np.arange(6.0).reshape(3, 2)
    y, cache = embedding_forward(np.array([[2, 0, 2]]), E)
    np.testing.assert_array_equal(y, [[[4, 5], [0, 1], [4, 5]]])
    dE = embedding_backward(np.array([[[1.0, 2.0], [3.0, 4.0], [10.0, 20.0]]]), cache)
    np.testing.assert_array_equal(dE, [[3, 4], [0, 0], [11, 22]])  # id 2 collects both rows


def test_default_initializer_shape_and_output_shape():
    layer = layers.Embedding(50, 8, seed=3)
    ids = np.random.default_rng(0).integers(0, 50, size=(4, 6))
    y = layer.forward(ids)
    assert y.shape == (4, 6, 8) == (4, *layer.compute_output_shape((None, 6))[1:])
    E = layer.embeddings.data
    assert E.shape == (50, 8) and E.dtype == np.float64
    assert np.abs(E).max() <= 0.05 and E.std() > 0.02  # Keras's "uniform": U(-0.05, 0.05)
    np.testing.assert_array_equal(layers.Embedding(50, 8, seed=3).forward(ids), y)
    assert layer.forward(ids[:, :2]).shape == (4, 2, 8)  # any sequence length
    assert [p.name for p in layer.parameters()] == ["embeddings"]


def test_whole_floats_are_accepted_as_ids():
    layer = layers.Embedding(5, 2, seed=0)
    ids = np.array([[0, 4, 2]])
    np.testing.assert_array_equal(layer.forward(ids.astype(np.float64)), layer.forward(ids))


@pytest.mark.parametrize(
    "ids, message",
    [
        (np.array([[0, 5]]), r"Layer 'words' got id 5, outside \[0, 5\)"),
        (np.array([[-1, 2]]), r"id -1, outside \[0, 5\)"),
        (np.array([[0.5, 2.0]]), "integer ids, got float64 values such as 0.5"),
        (np.array([[True, False]]), "integer ids, got dtype bool"),
        (np.array([["a", "b"]]), "integer ids, got dtype <U1"),
    ],
)
def test_bad_ids_are_clear_errors(ids, message):
    with pytest.raises(ValueError, match=message):
        layers.Embedding(5, 2, name="words").forward(ids)


def test_bad_arguments_and_order_of_calls():
    with pytest.raises(ValueError, match="positive"):
        layers.Embedding(0, 3)
    with pytest.raises(RuntimeError, match="forward before backward"):
        layers.Embedding(4, 3).backward(np.zeros((1, 2, 3)))


def test_embedding_feeds_an_lstm_in_a_sequential_model():
    from nncourse.models import Sequential

    model = Sequential([layers.Embedding(10, 4), layers.LSTM(3), layers.Dense(1)], seed=0)
    model.build((None, 6))
    assert [w.shape for w in model.get_weights()] == [
        (10, 4),
        (4, 12),
        (3, 12),
        (12,),
        (3, 1),
        (1,),
    ]
    ids = np.random.default_rng(4).integers(0, 10, size=(5, 6))
    y = model.forward(ids)
    assert y.shape == (5, 1)
    model.backward(np.ones_like(y))
    assert model.layers[0].embeddings.grad[np.unique(ids)].any()
