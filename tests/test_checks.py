"""The exercise checks: right answers pass silently, each kind of wrong answer gets its message."""

import numpy as np
import pytest

from nncourse import checks
from nncourse.checks import CheckFailed

A = np.arange(1.0, 7.0).reshape(2, 3)  # [[1, 2, 3], [4, 5, 6]]
S = np.array([[1.0, 2.0], [3.0, 4.0]])


def softmax_unshifted(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def relu_in_place(z):
    z[z < 0] = 0
    return z


PASSING = {
    "close": lambda: checks.check_close("z", A + 1e-12, A),
    "close scalar": lambda: checks.check_close("loss", np.float64(0.5), 0.5),
    "close list": lambda: checks.check_close("z", [[1, 2, 3], [4, 5, 6]], A),
    "shape": lambda: checks.check_shape("dW", np.zeros((3, 4)), (3, 4)),
    "type": lambda: checks.check_type("model", 3, (int, float)),
    "finite": lambda: checks.check_finite("a", A),
    "gradient": lambda: checks.check_gradient("dx", lambda x: np.sum(x**2), A, 2 * A),
    "grads": lambda: checks.check_grads({"dW": (A, A), "db": (1.0, 1.0)}),
    "at least": lambda: checks.check_at_least("accuracy", 0.95, 0.9),
    "at most": lambda: checks.check_at_most("loss", 0.1, 0.2),
    "unchanged": lambda: checks.check_unchanged("z", A.copy(), A),
    "nan expected": lambda: checks.check_close("a", [np.nan, 1.0], [np.nan, 1.0]),
}

FAILING = {
    "none": (lambda: checks.check_close("dW", None, A), ["dW is None", "return"]),
    "tuple": (lambda: checks.check_close("z", (A, "cache"), A), ["tuple of 2 items"]),
    "not numeric": (lambda: checks.check_close("z", "abc", 1.0), ["number or an array", "str"]),
    "transposed shape": (
        lambda: checks.check_shape("dW", np.zeros((3, 4)), (4, 3)),
        ["dW has shape (3, 4), expected (4, 3)", "transposed"],
    ),
    "batch not summed": (
        lambda: checks.check_close("db", np.ones((5, 3)), np.ones(3)),
        ["db has shape (5, 3), expected (3,)", "sum over the batch"],
    ),
    "not reduced": (
        lambda: checks.check_close("loss", np.ones(4), 1.0),
        ["expected ()", "mean or the sum"],
    ),
    "keepdims": (
        lambda: checks.check_shape("s", np.zeros(4), (4, 1)),
        ["has shape (4,), expected (4, 1)", "keepdims"],
    ),
    "wrong entries": (
        lambda: checks.check_close("z", A + np.array([[0, 0, 0], [0, 0.5, 0.1]]), A),
        ["z is wrong at 2 of 6 entries", "index (1, 1): got 5.5, expected 5"],
    ),
    "scalar": (lambda: checks.check_close("loss", 0.3, 0.25), ["loss is 0.3, expected 0.25"]),
    "factor": (
        lambda: checks.check_close("dW", 4 * A, A),
        ["off by a factor of 4", "4 times too large"],
    ),
    "small factor": (
        lambda: checks.check_close("dW", A / 8, A),
        ["off by a factor of 0.125", "8 times too small"],
    ),
    "sign": (lambda: checks.check_close("dx", -A, A), ["sign is flipped"]),
    "odd factor": (
        lambda: checks.check_close("loss", 1.26, 0.76),
        ["loss is 1.26, expected 0.76."],
    ),
    "square transposed": (lambda: checks.check_close("dU", S.T, S), ["transpose"]),
    "zeros": (lambda: checks.check_close("db", np.zeros(3), [1.0, 2, 3]), ["all zeros"]),
    "nan": (
        lambda: checks.check_close("p", [np.nan, np.inf, 1.0], [0.5, 0.5, 1.0], hint="Shift z."),
        ["1 NaN and 1 infinite values", "index (0,)", "Shift z."],
    ),
    "finite default hint": (lambda: checks.check_finite("a", [np.inf]), ["np.exp"]),
    "known mistake": (
        lambda: checks.check_close(
            "a", [0.2, 0.8], [0.6, 0.4], mistakes={"Softmax over axis 0?": [0.2, 0.8]}
        ),
        ["Softmax over axis 0?"],
    ),
    "hint": (lambda: checks.check_close("a", 1.0, 2.0, hint="Read the docstring."), ["docstring"]),
    "type": (lambda: checks.check_type("model", "x", (int, float)), ["int or float, got str"]),
    "type none": (lambda: checks.check_type("h", None, np.ndarray), ["got NoneType", "return"]),
    "gradient": (
        lambda: checks.check_gradient("dx", lambda x: np.sum(x**2), A, A),
        ["dx does not match the numerical gradient", "relative error 3.3", "off by a factor"],
    ),
    "gradient shape": (
        lambda: checks.check_gradient("dx", lambda x: np.sum(x**2), A, 2 * A.T),
        ["dx has shape (3, 2), expected (2, 3)", "transposed"],
    ),
    "grads": (
        lambda: checks.check_grads({"dx": (A, A), "dW": (S, S), "db": (2.0, 1.0)}),
        ["dx and dW are correct, but not db:", "db is 2, expected 1"],
    ),
    "all grads wrong": (
        lambda: checks.check_grads({"dW": (-S, S), "db": (0.0, 1.0)}),
        ["None of the gradients is correct", "sign is flipped", "db is 0"],
    ),
    "three grads": (
        lambda: checks.check_grads({"dx": (A, A), "dW": (S, S.T), "dU": (S, -S), "db": (1, 2)}),
        ["dx is correct, but not dW, dU and db:", "transpose", "sign"],
    ),
    "at least": (
        lambda: checks.check_at_least("accuracy", 0.8125, 0.9),
        ["accuracy is 0.8125, it needs to be at least 0.9"],
    ),
    "at most": (lambda: checks.check_at_most("mse", 0.5, 0.1), ["at most 0.1"]),
    "overflow": (
        lambda: checks.check_no_overflow("softmax", softmax_unshifted, np.array([[1000.0, 0]])),
        ["softmax is not numerically stable", "overflow", "max"],
    ),
    "in place": (
        lambda: checks.check_unchanged("z", A - 3, relu_in_place(A - 3)),
        ["z was changed in place. Compute a new array"],
    ),
    "in place hint": (
        lambda: checks.check_unchanged("x", [1.0], [2.0], hint="Put x[i] back."),
        ["x was changed in place. Put x[i] back."],
    ),
}


@pytest.mark.parametrize("name", PASSING)
def test_right_answers_pass(name):
    assert PASSING[name]() is None


@pytest.mark.parametrize("name", FAILING)
def test_wrong_answers_say_why(name):
    call, phrases = FAILING[name]
    with pytest.raises(CheckFailed) as info:
        call()
    for phrase in phrases:
        assert phrase in str(info.value), f"{phrase!r} not in {str(info.value)!r}"


def test_an_odd_ratio_gets_no_factor_hint():
    with pytest.raises(CheckFailed) as info:
        checks.check_close("w", [1.26, 1.26], [0.76, 0.76])
    assert "factor" not in str(info.value)


def test_check_failed_counts_as_a_failed_assertion():
    assert issubclass(CheckFailed, AssertionError)


def test_no_overflow_returns_the_result():
    out = checks.check_no_overflow("exp", np.exp, np.array([0.0, -1000.0]))
    np.testing.assert_array_equal(out, [1.0, 0.0])
