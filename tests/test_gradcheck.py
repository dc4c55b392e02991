"""The gradient checker must catch wrong gradients, not only pass right ones."""

import numpy as np
import pytest

from nncourse.gradcheck import check_layer, numerical_gradient, rel_error
from nncourse.layers import Dense


def test_numerical_gradient_of_known_function():
    x = np.array([1.0, -2.0, 3.0])
    grad = numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])  # restored after nudging


def test_rel_error():
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0
    assert rel_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="equal shapes"):
        rel_error(np.ones(2), np.ones(3))


class BrokenDense(Dense):
    """A Dense layer whose bias gradient is off by a factor of two: the check must say where."""

    def backward(self, dy):
        dx = super().backward(dy)
        self.bias.grad *= 2
        return dx


def test_check_layer_finds_the_wrong_gradient():
    report = check_layer(BrokenDense(3, seed=0), np.random.default_rng(0).standard_normal((4, 2)))
    errors = {r.name: r.rel_error for r in report}
    assert errors["bias"] > 0.1
    assert errors["input"] < 1e-8 and errors["kernel"] < 1e-8
    assert "bias" in str(report)


class OneWrongElement(Dense):
    """A Dense layer whose kernel gradient is wrong in one element only."""

    def backward(self, dy):
        dx = super().backward(dy)
        self.kernel.grad[1, 2] += 1.0
        return dx


def test_the_report_points_at_the_wrong_element():
    report = check_layer(
        OneWrongElement(3, seed=0), np.random.default_rng(0).standard_normal((4, 2))
    )
    kernel = next(r for r in report if r.name == "kernel")
    assert kernel.worst_index == (1, 2)
    assert kernel.analytic - kernel.numerical == pytest.approx(1.0, abs=1e-7)
    assert "(1, 2)" in str(report)


def test_float32_input_warns():
    with pytest.warns(UserWarning, match="float64"):
        check_layer(Dense(2, seed=0), np.ones((2, 3), dtype=np.float32))
