"""Checks for exercise notebooks: each one passes silently or says what is wrong, and why.

A failed check raises ``CheckFailed`` (an AssertionError, so the autograder counts it as a failed
test) whose message names the value, where it differs and by how much, and, when the numbers
point to a common mistake, which one: a transposed matrix, a flipped sign, a constant factor
(a missing division by the batch size), an overflow. Checks take plain data: numbers and arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from nncourse.gradcheck import numerical_gradient, rel_error


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message explains what it found."""


def _fmt(v) -> str:
    return f"{float(v):.6g}"


def _as_array(name: str, value) -> np.ndarray:
    """value as a numeric array, or CheckFailed saying what it is instead."""
    if value is None:
        raise CheckFailed(f"{name} is None: did you forget a `return`?")
    if isinstance(value, tuple):
        raise CheckFailed(
            f"{name} is a tuple of {len(value)} items, expected an array or a number: "
            "did you return more than was asked for?"
        )
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"{name} should be a number or an array of numbers, got {type(value).__name__}."
        ) from None
    return array


def check_type(name: str, value, expected: type | tuple[type, ...]) -> None:
    """Fail unless ``isinstance(value, expected)``."""
    if isinstance(value, expected):
        return
    types = expected if isinstance(expected, tuple) else (expected,)
    names = " or ".join(t.__name__ for t in types)
    hint = ": did you forget a `return`?" if value is None else "."
    raise CheckFailed(f"{name} should be a {names}, got {type(value).__name__}{hint}")


def _shape_hint(got: tuple, want: tuple) -> str:
    if want == ():
        return " Expected a single number: did you forget to take the mean or the sum?"
    if len(got) == 2 and got == want[::-1]:
        return " Is it transposed? Check the order of the factors in the matrix product."
    if len(got) == len(want) + 1 and got[1:] == want:
        return " It has one axis too many: did you forget to sum over the batch (axis=0)?"
    if int(np.prod(got)) == int(np.prod(want)):
        return " The number of entries is right: a missing reshape or keepdims=True?"
    return ""


def check_shape(name: str, value, expected: tuple, hint: str = "") -> None:
    """Fail unless ``np.shape(value) == expected``, with a hint when the mix-up is a common one."""
    got, want = np.shape(_as_array(name, value)), tuple(expected)
    if got != want:
        message = f"{name} has shape {got}, expected {want}.{_shape_hint(got, want)} {hint}"
        raise CheckFailed(message.rstrip())


def check_finite(name: str, value, hint: str = "") -> None:
    """Fail if value holds NaN or inf, saying how many and where the first one is."""
    array = _as_array(name, value)
    bad = ~np.isfinite(array)
    if not bad.any():
        return
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = f" (the first at index {first})" if array.ndim else ""
    counts = f"{int(np.isnan(array).sum())} NaN and {int(np.isinf(array).sum())} infinite"
    hint = hint or (
        "inf usually comes from np.exp of a large number, NaN from inf - inf, inf / inf or 0 * inf."
    )
    raise CheckFailed(f"{name} contains {counts} values{where}. {hint}")


def _pattern_hint(got: np.ndarray, want: np.ndarray) -> str:
    """Name the pattern, if any, that turns the expected value into the one we got."""
    if not np.any(got) and np.any(want):
        return " It is all zeros: is it computed at all?"
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1 and np.allclose(got, want.T):
        return " It equals the transpose of the expected value."
    mask = np.abs(want) > 1e-12 * np.abs(want).max()
    if not mask.any():
        return ""
    ratio = got[mask] / want[mask]
    r = float(np.median(ratio))
    if not np.allclose(ratio, r, rtol=1e-5) or not np.allclose(got, r * want, rtol=1e-5):
        return ""
    if np.isclose(r, -1.0):
        return " The sign is flipped: every entry is minus the expected one."
    k = abs(r) if abs(r) > 1 else 1 / abs(r)
    if abs(k - round(k)) > 1e-4 * k:
        return ""  # only a whole-number factor (2, the batch size, ...) points to a mistake
    size = f"{_fmt(r)} times too large" if abs(r) > 1 else f"{_fmt(1 / r)} times too small"
    return (
        f" It looks like it's off by a factor of {_fmt(r)} ({size}): a missing or extra "
        "factor, such as a division by the batch size?"
    )


def check_close(
    name: str,
    value,
    expected,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    mistakes: Mapping[str, object] | None = None,
    hint: str = "",
) -> None:
    """Fail unless value is close to expected, saying where and by how much it differs.

    ``mistakes`` maps an explanation to the value a known mistake produces: when value matches
    one of them, its explanation is the hint. ``hint`` is added to every failure message.
    """
    got, want = _as_array(name, value), np.asarray(expected, dtype=np.float64)
    check_shape(name, got, want.shape)
    if np.all(np.isfinite(want)):
        check_finite(name, got, hint)
    wrong = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if not wrong.any():
        return
    if want.ndim == 0:
        message = f"{name} is {_fmt(got)}, expected {_fmt(want)}."
    else:
        diff = np.where(wrong, np.abs(got - want), -1.0)
        worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
        at = tuple(int(i) for i in worst)
        message = (
            f"{name} is wrong at {int(wrong.sum())} of {wrong.size} entries; the largest "
            f"difference is at index {at}: got {_fmt(got[worst])}, expected {_fmt(want[worst])}."
        )
    for explanation, mistake in (mistakes or {}).items():
        bad = np.asarray(mistake, dtype=np.float64)
        if bad.shape == got.shape and np.allclose(got, bad, rtol=rtol, atol=atol):
            message += f" {explanation}"
            break
    else:
        message += _pattern_hint(got, want)
    raise CheckFailed(f"{message} {hint}".rstrip())


def check_grads(
    grads: Mapping[str, tuple[object, object]], rtol: float = 1e-6, atol: float = 1e-9
) -> None:
    """Check several gradients at once: {name: (value, expected)}; report every wrong one.

    When some are right the message says so, e.g. "dx and dW are correct, but not db: ...".
    """
    failures, correct = [], []
    for name, (value, expected) in grads.items():
        try:
            check_close(name, value, expected, rtol=rtol, atol=atol)
            correct.append(name)
        except CheckFailed as err:
            failures.append(str(err))
    if not failures:
        return
    wrong = [name for name in grads if name not in correct]
    head = (
        f"{_join(correct)} {'is' if len(correct) == 1 else 'are'} correct, but not {_join(wrong)}:"
        if correct
        else "None of the gradients is correct:"
    )
    raise CheckFailed("\n".join([head, *failures]))


def _join(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def check_gradient(
    name: str,
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic,
    tol: float = 1e-7,
    h: float = 1e-5,
) -> None:
    """Fail unless ``analytic`` matches the central-difference gradient of scalar f at x.

    Work in float64; a correct gradient gives a relative error near 1e-10.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    numerical = numerical_gradient(f, x, h)
    got = _as_array(name, analytic)
    check_shape(name, got, numerical.shape)
    check_finite(name, got)
    error = rel_error(got, numerical)
    if error <= tol:
        return
    worst = np.unravel_index(int(np.argmax(np.abs(got - numerical))), got.shape)
    at = tuple(int(i) for i in worst)
    raise CheckFailed(
        f"{name} does not match the numerical gradient: relative error {error:.2e} (a correct "
        f"gradient gives less than {tol:.0e}). The worst entry is at index {at}: "
        f"{_fmt(got[worst])}, numerically {_fmt(numerical[worst])}.{_pattern_hint(got, numerical)}"
    )


def check_at_least(name: str, value, minimum: float) -> None:
    """Fail unless value >= minimum (e.g. an accuracy)."""
    if not float(_as_array(name, value)) >= minimum:
        raise CheckFailed(f"{name} is {_fmt(value)}, it needs to be at least {_fmt(minimum)}.")


def check_at_most(name: str, value, maximum: float) -> None:
    """Fail unless value <= maximum (e.g. a loss)."""
    if not float(_as_array(name, value)) <= maximum:
        raise CheckFailed(f"{name} is {_fmt(value)}, it needs to be at most {_fmt(maximum)}.")


def check_no_overflow(name: str, f: Callable, *args, hint: str = ""):
    """Call f(*args) with numpy's overflow and invalid-value warnings turned into failures.

    Returns f's result, so the same call can be checked further.
    """
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        try:
            return f(*args)
        except FloatingPointError as err:
            message = f"{name} is not numerically stable: numpy reports {err}. {hint}"
            raise CheckFailed(message.rstrip()) from None


def check_unchanged(name: str, before, after, hint: str = "") -> None:
    """Fail if an input array was modified in place (compare a copy taken before the call)."""
    if not np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True):
        hint = hint or "Compute a new array (or work on a copy) so the caller's data stays intact."
        raise CheckFailed(f"{name} was changed in place. {hint}")
