"""The scalar autodiff engine: hand-worked gradients, finite differences and TensorFlow agree."""

import math

import numpy as np
import pytest

from nncourse.autodiff import Value, edges, topological_order
from nncourse.gradcheck import numerical_gradient, rel_error


def test_neuron_gradients_by_hand():
    # z = w1·x1 + w2·x2 + b = 0.5·2 + (-1)·3 + 0.5 = -1.5; a = relu(z) = 0 -> every grad is 0
    # With tanh instead: da/dz = 1 - tanh(-1.5)^2, dz/dw1 = x1 = 2, dz/dx2 = w2 = -1.
    x1, x2, w1, w2, b = Value(2.0), Value(3.0), Value(0.5), Value(-1.0), Value(0.5)
    a = (w1 * x1 + w2 * x2 + b).tanh()
    a.backward()
    slope = 1 - math.tanh(-1.5) ** 2
    assert a.data == pytest.approx(math.tanh(-1.5))
    assert w1.grad == pytest.approx(slope * 2) and x2.grad == pytest.approx(slope * -1)
    assert b.grad == pytest.approx(slope)
    r = (w1 * x1 + w2 * x2 + b).relu()
    r.backward()
    assert r.data == 0 and w1.grad == 0 and b.grad == 0


def test_reused_values_collect_gradient_from_every_path():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1 = 7
    y.backward()
    assert x.grad == pytest.approx(7.0)
    y.backward()  # a second backward starts afresh instead of doubling
    assert x.grad == pytest.approx(7.0)


def expression(v):
    """A function using every operation, on Values or on plain floats."""
    a, b, c = v
    if isinstance(a, Value):
        exp, log, tanh, sig, relu = Value.exp, Value.log, Value.tanh, Value.sigmoid, Value.relu
    else:
        exp, log, tanh, relu = math.exp, math.log, math.tanh, lambda t: max(t, 0.0)

        def sig(t):
            return 1 / (1 + math.exp(-t))

    d = a * b - c / (a + 3) + 2**-1 * a**2
    e = tanh(d) * exp(-b) + log(c * c + 1) + sig(a - b)
    return relu(e) + (1 - c) * 0.5 + sig(-d)


def test_matches_finite_differences():
    point = np.array([0.7, -1.3, 2.1])
    values = [Value(t) for t in point]
    out = expression(values)
    out.backward()
    numerical = numerical_gradient(lambda p: expression([float(t) for t in p]), point.copy())
    assert out.data == pytest.approx(expression(point.tolist()))
    assert rel_error(np.array([v.grad for v in values]), numerical) < 1e-9


def test_matches_tensorflow():
    import tensorflow as tf

    point = [0.7, -1.3, 2.1]
    values = [Value(t) for t in point]
    expression(values).backward()
    xs = [tf.Variable(t, dtype=tf.float64) for t in point]
    with tf.GradientTape() as tape:
        a, b, c = xs
        d = a * b - c / (a + 3) + 0.5 * a**2
        e = tf.tanh(d) * tf.exp(-b) + tf.math.log(c * c + 1) + tf.sigmoid(a - b)
        out = tf.nn.relu(e) + (1 - c) * 0.5 + tf.sigmoid(-d)
    grads = [float(g) for g in tape.gradient(out, xs)]
    np.testing.assert_allclose([v.grad for v in values], grads, rtol=1e-12)


def test_sigmoid_is_stable_for_large_inputs():
    assert Value(-1000.0).sigmoid().data == 0.0 and Value(1000.0).sigmoid().data == 1.0


def test_graph_order_and_edges():
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    z = x * w
    z.label = "z"
    a = z.tanh()
    order = topological_order(a)
    assert order.index(x) < order.index(z) < order.index(a)
    assert {(p.label, c.label) for p, c in edges(a) if c.label} == {("x", "z"), ("w", "z")}


def test_long_chains_do_not_hit_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000)


def test_pow_needs_a_number():
    with pytest.raises(TypeError, match="plain number"):
        Value(2.0) ** Value(3.0)
