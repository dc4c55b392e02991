"""Check calls carried out of the kernel as plain data, and judged again by the grader.

Inside a grading kernel every ``nncourse.checks`` call is recorded (``record``) with its
arguments made plain data (``guard.plain``): numbers, strings, numeric arrays, and lists,
tuples and dicts of them. ``dumps`` turns a test's records into ASCII JSON, arrays as ``.npy``
bytes in base64: no pickle anywhere. The grader reads them back with ``loads`` (JSON, and
``numpy.load(allow_pickle=False)``; anything else is refused) and ``judge`` runs the real check
functions on them in the grader's own process, where no learner code has ever run. A test
passes only if its checks pass there too, and at least as many ran as when the instructor's
solution was graded (``count``): a check the notebook silenced or patched into a no-op counts
as missing.

Test cells' ``assert`` statements are recorded too, when they compare (``a == b``,
``x in s``...) or call a numpy predicate (``np.array_equal(a, b)``): ``harden`` rewrites them
into a call of ``guard.judged``, which records the operands and evaluates ``assertion``.

Calls whose arguments are not plain data (a function, for ``check_gradient``) are recorded
by name only: they count, and are judged in the kernel alone.
"""

from __future__ import annotations

import base64
import inspect
import io
import json
import operator

import numpy as np

MAX_ELEMENTS = 2**20  # arrays larger than this are judged in the kernel only
MAX_TEXT = 48 * 2**20  # characters of evidence the grader reads for one test
IN_KERNEL = "in_kernel"
ARRAY, TUPLE, COMPLEX, ITEMS = "__ndarray__", "__tuple__", "__complex__", "__items__"
SET, FROZENSET = "__set__", "__frozenset__"
ASSERT = "assert"  # the record of an assert statement (see ``assertion``)
OPERATORS = {
    "Eq": operator.eq,
    "NotEq": operator.ne,
    "Lt": operator.lt,
    "LtE": operator.le,
    "Gt": operator.gt,
    "GtE": operator.ge,
    "In": lambda a, b: a in b,
    "NotIn": lambda a, b: a not in b,
}
PREDICATES = ("array_equal", "array_equiv", "allclose", "all", "any", "isfinite", "isclose")


class Unencodable(TypeError):
    """A value that is not plain data the grader can read back."""


class BadEvidence(ValueError):
    """The kernel's record of a test's checks is not what this module writes."""


def record(check: str, arguments: dict) -> dict:
    """One check call as JSON-ready data: ``{"check": name, "args": {...}}``, or
    ``{"check": name, "in_kernel": True}`` when an argument is not plain data."""
    try:
        return {"check": check, "args": {k: encode(v) for k, v in arguments.items()}}
    except Unencodable:
        return {"check": check, IN_KERNEL: True}


def encode(value, depth: int = 0):
    """Plain data as JSON-ready data (see the module docstring); ``Unencodable`` otherwise."""
    if depth > 32:
        raise Unencodable("nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if np.isfinite(value) else {ARRAY: _npy(np.array(value))}
    if kind is complex:
        return {COMPLEX: [encode(value.real), encode(value.imag)]}
    if kind is list:
        return [encode(v, depth + 1) for v in value]
    if kind is tuple:
        return {TUPLE: [encode(v, depth + 1) for v in value]}
    if kind is dict:
        return {ITEMS: [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if kind in (set, frozenset):
        return {SET if kind is set else FROZENSET: [encode(v, depth + 1) for v in value]}
    if kind is np.ndarray or isinstance(value, np.generic):
        array = np.asarray(value)
        if array.dtype.kind not in "biufcUS" or array.size > MAX_ELEMENTS:
            raise Unencodable(f"an array of {array.dtype}, {array.size} elements")
        return {ARRAY: _npy(array), "scalar": isinstance(value, np.generic)}
    raise Unencodable(kind.__name__)


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def dumps(records: list[dict]) -> str:
    """The records as one line of ASCII JSON."""
    return json.dumps(records, ensure_ascii=True, separators=(",", ":"))


def loads(text: object) -> list[dict]:
    """Records from the kernel: a list of ``{"check", "args"}`` / ``{"check", "in_kernel"}``
    with every value decoded. ``BadEvidence`` for anything else (nothing is unpickled)."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise BadEvidence("no readable record of the checks")
    try:
        raw = json.loads(text)
    except ValueError:
        raise BadEvidence("the record of the checks is not JSON") from None
    if not isinstance(raw, list):
        raise BadEvidence("the record of the checks is not a list")
    records = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("check"), str):
            raise BadEvidence("a record names no check")
        if item.get(IN_KERNEL) is True and set(item) == {"check", IN_KERNEL}:
            records.append({"check": item["check"], IN_KERNEL: True})
        elif set(item) == {"check", "args"} and isinstance(item["args"], dict):
            args = {str(k): decode(v) for k, v in item["args"].items()}
            records.append({"check": item["check"], "args": args})
        else:
            raise BadEvidence("a record has unexpected fields")
    return records


def decode(value, depth: int = 0):
    """The inverse of ``encode``; ``BadEvidence`` for what ``encode`` never writes."""
    if depth > 34:
        raise BadEvidence("nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return [decode(v, depth + 1) for v in value]
    if type(value) is not dict:
        raise BadEvidence(f"a {type(value).__name__} in the record")
    if set(value) in ({ARRAY, "scalar"}, {ARRAY}):
        array = _array(value[ARRAY])
        return array[()] if value.get("scalar") else array
    if set(value) == {TUPLE} and type(value[TUPLE]) is list:
        return tuple(decode(v, depth + 1) for v in value[TUPLE])
    if set(value) == {COMPLEX} and type(value[COMPLEX]) is list and len(value[COMPLEX]) == 2:
        real, imag = (float(decode(v, depth + 1)) for v in value[COMPLEX])
        return complex(real, imag)
    if set(value) in ({SET}, {FROZENSET}) and type(next(iter(value.values()))) is list:
        make = set if SET in value else frozenset
        try:
            return make(decode(v, depth + 1) for v in next(iter(value.values())))
        except TypeError:
            raise BadEvidence("an unhashable member in the record") from None
    if set(value) == {ITEMS} and type(value[ITEMS]) is list:
        pairs = [decode(p, depth + 1) for p in value[ITEMS]]
        if not all(type(p) is list and len(p) == 2 for p in pairs):
            raise BadEvidence("a malformed mapping in the record")
        try:
            return {k: v for k, v in pairs}
        except TypeError:
            raise BadEvidence("an unhashable key in the record") from None
    raise BadEvidence("an unknown kind of value in the record")


def _array(text: object) -> np.ndarray:
    if not isinstance(text, str):
        raise BadEvidence("an array in the record is not text")
    try:
        array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except (ValueError, OSError, EOFError):
        raise BadEvidence("an array in the record is not a .npy array") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biufcUS":
        raise BadEvidence("an array in the record is not numeric")
    return array


def assertion(kind: str, name: str, left, right, negate: bool = False) -> bool:
    """What an ``assert`` that ``harden`` rewrote asserts: ``left <name> right`` for a
    comparison (``kind`` "compare", ``name`` an ``ast`` operator's name), or
    ``numpy.<name>(*left, **right)`` for a numpy predicate (``kind`` "numpy")."""
    if kind == "compare" and name in OPERATORS:
        result = OPERATORS[name](left, right)
    elif kind == "numpy" and name in PREDICATES and type(left) is list and type(right) is dict:
        result = getattr(np, name)(*left, **right)
    else:
        raise ValueError(f"not an assertion the grader knows: {kind} {name}")
    return bool(result) != bool(negate)


def judge(records: list[dict], checks, minimum: int | None) -> str | None:
    """Run each recorded call of the real ``checks`` module here; None if all pass, else why.

    ``minimum``: how many calls the instructor's solution made in this test (None: unknown).
    """
    if minimum is not None and len(records) < minimum:
        return (
            f"ChecksMissing: only {len(records)} of this test's {minimum} checks ran: the "
            "notebook interferes with the grader"
        )
    for item in records:
        if IN_KERNEL in item:
            continue
        if item["check"] == ASSERT:
            try:
                holds = assertion(**item["args"])
            except Exception:  # noqa: BLE001 - e.g. an ambiguous array truth value
                holds = False
            if not holds:
                return (
                    "AssertionError: an assert of this test does not hold (judged by the grader, "
                    "outside the notebook)"
                )
            continue
        fn = getattr(checks, item["check"], None)
        if not item["check"].startswith("check_") or not inspect.isfunction(fn):
            return f"BadEvidence: {item['check']!r} is not one of the checks"
        try:
            bound = inspect.signature(fn).bind(**item["args"])
        except TypeError:
            return f"BadEvidence: the arguments recorded for {item['check']} do not fit it"
        try:
            fn(*bound.args, **bound.kwargs)
        except checks.CheckFailed as err:
            return f"CheckFailed: {err} (judged by the grader, outside the notebook)"
        except Exception as err:  # noqa: BLE001 - a check that cannot run on this data fails
            return (
                f"CheckFailed: {item['check']} could not run on what the notebook gave it ({err})"
            )
    return None
