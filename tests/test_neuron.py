"""The single neuron and the perceptron rule, with hand-worked numbers."""

import numpy as np
import pytest

from nncourse.neuron import Neuron, perceptron_fit

AND = (np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 0, 0, 1]))
OR = (AND[0], np.array([0, 1, 1, 1]))
XOR = (AND[0], np.array([0, 1, 1, 0]))


def test_z_and_a_by_hand():
    # Z = 0.5·2 + (-1)·3 + 0.5 = -1.5; relu(-1.5) = 0; sigmoid(-1.5) = 1 / (1 + e^1.5)
    relu_neuron = Neuron([0.5, -1.0], bias=0.5, activation="relu")
    assert relu_neuron([2.0, 3.0]) == 0.0 and relu_neuron.Z == pytest.approx(-1.5)
    sig = Neuron([0.5, -1.0], bias=0.5, activation="sigmoid")
    assert sig([2.0, 3.0]) == pytest.approx(1 / (1 + np.exp(1.5)))


def test_batch_of_inputs():
    n = Neuron([1.0, 2.0, 3.0], bias=-1.0, activation=None)
    np.testing.assert_allclose(n(np.array([[1, 0, 0], [1, 1, 1]])), [0.0, 5.0])
    np.testing.assert_allclose(n.A, n.Z)


@pytest.mark.parametrize("gate", [AND, OR], ids=["AND", "OR"])
def test_perceptron_learns_linearly_separable_gates(gate):
    neuron, mistakes = perceptron_fit(*gate, epochs=20)
    np.testing.assert_array_equal(neuron(gate[0]), gate[1])
    assert mistakes[-1] == 0


def test_perceptron_cannot_learn_xor():
    neuron, mistakes = perceptron_fit(*XOR, epochs=50)
    assert min(mistakes) > 0
    assert np.any(neuron(XOR[0]) != XOR[1])


def test_wrong_input_size_is_explained():
    with pytest.raises(ValueError, match=r"2 weights.*\(3,\)"):
        Neuron([1.0, 2.0])(np.ones(3))
