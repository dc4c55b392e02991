"""Activation functions: hand-worked values, stability at extremes, derivatives."""

import numpy as np
import pytest

from nncourse import activations as act
from nncourse.gradcheck import numerical_gradient, rel_error


def test_hand_worked_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(act.relu(z), [0, 0, 3])
    np.testing.assert_allclose(act.leaky_relu(z, 0.1), [-0.2, 0, 3])
    np.testing.assert_allclose(act.sigmoid(np.array([0.0])), [0.5])
    # sigmoid(ln 3) = 3 / (3 + 1)
    np.testing.assert_allclose(act.sigmoid(np.array([np.log(3.0)])), [0.75])
    # softmax of [0, ln 2, ln 5] = [1, 2, 5] / 8
    np.testing.assert_allclose(act.softmax(np.log([[1.0, 2.0, 5.0]])), [[1 / 8, 2 / 8, 5 / 8]])


def test_stable_at_extremes():
    z = np.array([[-1000.0, 0.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = act.sigmoid(z)
        p = act.softmax(z)
    np.testing.assert_allclose(s, [[0.0, 0.5, 1.0]])
    np.testing.assert_allclose(p, [[0.0, 0.0, 1.0]])


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_backward_is_the_derivative(name):
    f, f_backward = act.get(name)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3, 4))
    z = np.sign(z) * (np.abs(z) + 0.1)  # away from ReLU's kink
    da = rng.standard_normal(z.shape)
    analytic = f_backward(da, z, f(z))
    numerical = numerical_gradient(lambda zz: np.sum(f(zz) * da), z)
    assert rel_error(analytic, numerical) < 1e-9


def test_none_means_linear_and_unknown_names_fail():
    assert act.get(None)[0] is act.linear
    with pytest.raises(ValueError, match="Known activations"):
        act.get("swishy")
