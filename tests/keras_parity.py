"""Run a Keras layer and an nncourse layer on the same weights and inputs, in float64.

``keras_forward_backward`` returns what ``tf.GradientTape`` gives for L = sum(y * dy): the
output, the input gradient and the weight gradients in get_weights() order; ``assert_parity``
compares all three with an nncourse layer's forward and backward.
"""

from __future__ import annotations

import numpy as np


def keras_forward_backward(klayer, x: np.ndarray, dy: np.ndarray | None = None, seed: int = 0):
    """(y, dx, [dW...]) of a built float64 Keras layer for L = sum(y * dy)."""
    import tensorflow as tf

    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = klayer(xt, training=False)
        if dy is None:
            dy = np.random.default_rng(seed).standard_normal(tuple(y.shape))
        loss = tf.reduce_sum(y * tf.constant(dy, dtype=y.dtype))
    variables = [xt, *klayer.trainable_weights]
    grads = tape.gradient(loss, variables)
    grads = [
        np.zeros(v.shape) if g is None else np.asarray(tf.convert_to_tensor(g))
        for g, v in zip(grads, variables)
    ]
    return np.asarray(y), grads[0], grads[1:], dy


def assert_parity(layer, klayer, x: np.ndarray, tol: float = 1e-8, seed: int = 0) -> None:
    """Copy Keras's weights into ``layer`` and check outputs and all gradients agree to ``tol``."""
    x = np.asarray(x, dtype=np.float64)
    if not klayer.built:
        klayer.build(x.shape)
    y_k, dx_k, dws_k, dy = keras_forward_backward(klayer, x, seed=seed)
    layer.build(x.shape)
    layer.set_weights(klayer.get_weights())
    y = layer.forward(x)
    dx = layer.backward(dy)
    np.testing.assert_allclose(y, y_k, rtol=tol, atol=tol, err_msg="forward output")
    np.testing.assert_allclose(dx, dx_k, rtol=tol, atol=tol, err_msg="input gradient")
    assert len(layer.parameters()) == len(dws_k), "number of weight arrays differs from Keras"
    for p, g in zip(layer.parameters(), dws_k):
        np.testing.assert_allclose(p.grad, g, rtol=tol, atol=tol, err_msg=f"gradient of {p.name}")
