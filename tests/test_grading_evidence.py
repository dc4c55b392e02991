"""The record of a test's checks: plain data out of the kernel without pickle, judged again.

The hostile corpus (test_hostile.py) shows the whole path against real attacks; these tests pin
the format: what round-trips, what is refused, and how the grader judges what it reads.
"""

import base64
import io
import json
import pickle

import numpy as np
import pytest

from nncourse import checks
from nncourse.grading import evidence, guard, harden

ROUND_TRIP = [
    None,
    True,
    3,
    -2.5,
    float("inf"),
    float("nan"),
    1 + 2j,
    "text",
    [1, [2.0, "x"]],
    (1, (2, 3)),
    {"a": 1, 2: [3.0]},
    {"Dense", "Flatten"},
    frozenset({1, 2}),
    np.arange(6.0).reshape(2, 3),
    np.array([1, 2], dtype=np.int8),
    np.array([True, False]),
    np.array(["a", "bc"]),
    np.array([1 + 1j]),
    np.float32(0.5),
    np.int64(7),
]


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        nan = a.dtype.kind in "fc"
        return type(a) is type(b) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=nan)
    if isinstance(a, float) and np.isnan(a):
        return np.isnan(b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b if not isinstance(a, float) else float(b) == a


@pytest.mark.parametrize("value", ROUND_TRIP, ids=lambda v: type(v).__name__)
def test_plain_data_round_trips_exactly(value):
    text = evidence.dumps([evidence.record("check_close", {"value": value})])
    assert text.isascii() and "\n" not in text
    [back] = evidence.loads(text)
    assert back["check"] == "check_close"
    assert _same(value, back["args"]["value"])


@pytest.mark.parametrize(
    "value",
    [np.array([object()], dtype=object), lambda x: x, type, object(), np.zeros(2**20 + 1)],
    ids=["object array", "function", "type", "object", "huge array"],
)
def test_what_is_not_plain_data_is_judged_in_the_kernel_only(value):
    item = evidence.record("check_gradient", {"name": "f", "f": value})
    assert item == {"check": "check_gradient", "in_kernel": True}
    assert evidence.loads(evidence.dumps([item])) == [item]


def _npy(array: np.ndarray, **kwargs) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, **kwargs)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (None, "no readable record"),
        ("x" * (evidence.MAX_TEXT + 1), "no readable record"),
        ("{not json", "not JSON"),
        ('{"check": "check_close"}', "not a list"),
        ('[{"args": {}}]', "names no check"),
        ('[{"check": "check_close", "args": {}, "extra": 1}]', "unexpected fields"),
        ('[{"check": "c", "args": {"v": {"__ndarray__": 5}}}]', "not text"),
        ('[{"check": "c", "args": {"v": {"__ndarray__": "!!"}}}]', "not a .npy array"),
        ('[{"check": "c", "args": {"v": {"__class__": "os.system"}}}]', "unknown kind"),
        ('[{"check": "c", "args": {"v": {"__items__": [[[1], 2]]}}}]', "unhashable key"),
        ('[{"check": "c", "args": {"v": {"__set__": [[1]]}}}]', "unhashable member"),
    ],
)
def test_malformed_records_are_refused(text, words):
    with pytest.raises(evidence.BadEvidence, match=words):
        evidence.loads(text)


def test_pickles_are_never_loaded(tmp_path):
    """An object array (.npy with a pickle inside) and a raw pickle are refused, not run."""
    marker = tmp_path / "ran"

    class Boom:
        def __reduce__(self):
            return (marker.write_text, ("pickle ran",))

    hostile = np.array([Boom()], dtype=object)
    for payload in (_npy(hostile, allow_pickle=True), base64.b64encode(pickle.dumps(Boom()))):
        text = json.dumps(
            [
                {
                    "check": "c",
                    "args": {
                        "v": {
                            "__ndarray__": str(payload, "ascii")
                            if isinstance(payload, bytes)
                            else payload
                        }
                    },
                }
            ]
        )
        with pytest.raises(evidence.BadEvidence):
            evidence.loads(text)
    assert not marker.exists()


def _judge(*records, minimum=None):
    return evidence.judge(evidence.loads(evidence.dumps(list(records))), checks, minimum)


def test_the_grader_runs_the_real_checks_on_what_was_recorded():
    right = evidence.record("check_close", {"name": "f(x)", "value": 3.0, "expected": 3.0})
    wrong = evidence.record("check_close", {"name": "f(x)", "value": 2.5, "expected": 3.0})
    assert _judge(right) is None
    failure = _judge(right, wrong)
    assert failure.startswith("CheckFailed: f(x) is 2.5, expected 3.")
    assert failure.endswith("(judged by the grader, outside the notebook)")
    shape = evidence.record("check_close", {"name": "A", "value": np.ones(2), "expected": [1.0]})
    assert "shape" in _judge(shape)


def test_too_few_checks_fail_the_test():
    right = evidence.record("check_close", {"name": "f(x)", "value": 3.0, "expected": 3.0})
    assert _judge(right, right, minimum=2) is None
    assert _judge(right, right, right, minimum=2) is None  # a learner's own extra checks
    assert _judge(right, minimum=2).startswith("ChecksMissing: only 1 of this test's 2 checks")
    assert _judge(minimum=1).startswith("ChecksMissing: only 0")
    assert _judge(evidence.record("check_gradient", {"f": len}), minimum=1) is None


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("_as_array", {"name": "x", "value": 1.0}),
        ("CheckFailed", {}),
        ("check_nothing", {}),
        ("check_close", {"name": "x", "value": 1.0}),  # expected missing
        ("check_close", {"name": "x", "value": 1.0, "expected": 1.0, "spy": 1}),
    ],
)
def test_forged_records_do_not_pass(name, args):
    failure = _judge(evidence.record(name, args))
    assert failure is not None and failure.startswith("BadEvidence")


@pytest.mark.parametrize(
    ("kind", "name", "left", "right", "negate", "holds"),
    [
        ("compare", "Eq", [4, 4, 2], [4, 4, 2], False, True),
        ("compare", "Eq", (1, 2), (1, 3), False, False),
        ("compare", "LtE", {"Dense"}, {"Dense", "Flatten"}, False, True),
        ("compare", "In", "LSTM", {"Dense"}, False, False),
        ("compare", "NotIn", "LSTM", {"Dense"}, False, True),
        ("compare", "Gt", 0.9, 0.95, True, True),
        ("numpy", "array_equal", [np.arange(3), [0, 1, 2]], {}, False, True),
        ("numpy", "array_equal", [np.arange(3), np.arange(3)], {}, True, False),
        ("numpy", "allclose", [1.0, 1.0 + 1e-12], {"atol": 0.0}, False, True),
    ],
)
def test_recorded_asserts_are_judged_again(kind, name, left, right, negate, holds):
    args = {"kind": kind, "name": name, "left": left, "right": right, "negate": negate}
    assert evidence.assertion(**args) is holds
    failure = _judge(evidence.record(evidence.ASSERT, args))
    assert (failure is None) is holds
    if not holds:
        assert failure.startswith("AssertionError: an assert of this test does not hold")


def test_only_known_assertions_are_evaluated():
    with pytest.raises(ValueError):
        evidence.assertion("numpy", "save", ["/tmp/x", 1], {})
    with pytest.raises(ValueError):
        evidence.assertion("compare", "Is", 1, 1)
    args = {"kind": "builtins", "name": "eval", "left": "1", "right": None}
    assert _judge(evidence.record(evidence.ASSERT, args)).startswith("AssertionError")
    ambiguous = {"kind": "compare", "name": "Eq", "left": np.ones(2), "right": np.ones(2)}
    assert _judge(evidence.record(evidence.ASSERT, ambiguous)).startswith("AssertionError")


def test_rewritten_asserts_record_what_they_compare():
    code = harden.test_code(
        'assert sizes == [4, 4, 2], "sizes"\n'
        "assert not np.array_equal(a, b)\n"
        'assert "LSTM" in kinds\n'
        "assert x is None\n"
        "assert 0 < y < 1\n"
    )
    guard.RECORDS.clear()
    namespace = {"np": np, "sizes": [4, 4, 2], "a": np.arange(3), "b": np.ones(3), "x": None}
    namespace |= {"kinds": {"LSTM"}, "y": 0.5, guard.PLAIN: guard.plain, guard.JUDGED: guard.judged}
    exec(code, namespace)
    recorded = evidence.loads(guard.evidence.dumps(guard.RECORDS))
    assert [(r["args"]["kind"], r["args"]["name"]) for r in recorded] == [
        ("compare", "Eq"),
        ("numpy", "array_equal"),
        ("compare", "In"),
    ]  # `is` cannot be faked; a chained comparison stays in the kernel
    assert recorded[1]["args"]["negate"] is True
    assert _judge(*guard.RECORDS, minimum=3) is None
    namespace["sizes"] = [4, 4]
    with pytest.raises(AssertionError, match="sizes"):
        exec(code, namespace)
    guard.RECORDS.clear()
