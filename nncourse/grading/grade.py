"""Grade one submission: assemble, run in a fresh kernel, judge each test cell.

A test cell earns its points when all of it runs without raising, as in nbgrader. The result
is a plain dict, ready for JSON (the cache, the sheet and the feedback page read it):

    status    "ok", "timeout", "error" (kernel died or failed) or "invalid" (unreadable file)
    reason    short text for anything that went wrong or was repaired ("" when all is well)
    total     points earned; max: points available
    parts     [{grade_id, points, max, result, message}] in source order; result is
              "passed", "failed", "timeout" or "not run"; a hidden test's message never
              shows its code or its exception message, only its exception type
    errors    [{cell, message}] for other cells that raised (the learner's own code)
    cacheable False when the failure was the machine's, not the submission's

Each test's check calls are judged a second time in the grader's process, on plain data
(``evidence``), and must be at least as many as when the source itself is graded
(``reference_checks``, computed once per source and options).

Learner code that uses a tampering technique (``harden.flags``) is "flagged for review" in the
reason; messages that quote hidden test code are withheld (``harden.redact``).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from nncourse.grading import harden
from nncourse.grading.assemble import grading_notebook
from nncourse.grading.execute import Run, run_notebook
from nncourse.grading.notebook import NotebookError, autograded_points, parse_notebook
from nncourse.grading.sandbox import Confinement, Limits

MESSAGE_CHARS = 300
REASON_CHARS = 600
MAX_ERRORS = 20


@dataclass(frozen=True)
class Options:
    """Limits: seconds for the whole submission and for any one cell, the kernel's memory
    (RLIMIT_DATA, MB) and the largest notebook file read (MB)."""

    timeout: float = 600.0
    cell_timeout: float = 120.0
    memory_mb: int = 4096
    max_notebook_mb: float = 20.0


def grade_notebook(
    data: bytes,
    source: NotebookNode,
    options: Options,
    conf: Confinement | None = None,
    reference: dict[str, int] | None = None,
) -> dict:
    """The result for one submission's file content (see the module docstring).

    ``reference``: ``reference_checks(source, options, conf)``, computed here when not given.
    """
    points = autograded_points(source)
    try:
        submission = parse_notebook(data)
    except NotebookError as err:
        return _result(points, [], "invalid", f"not a readable notebook: {_short(str(err))}")
    if reference is None:
        reference = reference_checks(source, options, conf)
    nb, notes = grading_notebook(submission, source)
    run = _execute(nb, options, conf, reference)
    status, trouble = _status(nb, run, options)
    secrets = harden.secret_lines([c.source for c in nb.cells if _tag(c).get("hidden")])
    parts = _judge_parts(nb, run, points, secrets)
    result = _result(points, parts, status, "; ".join(trouble + notes + _review(nb, run)))
    result["errors"] = _cell_errors(nb, run, secrets)
    result["cacheable"] = not run.stopped or not run.stopped.startswith("kernel failed")
    return result


_REFERENCES: dict[str, dict[str, int]] = {}


def reference_checks(
    source: NotebookNode, options: Options, conf: Confinement | None = None
) -> dict[str, int]:
    """How many check calls each test chunk makes when the source itself is graded (chunks
    that fail there are left out). Computed once per source and options in a process."""
    key = hashlib.sha256((nbformat.writes(source) + repr(asdict(options))).encode()).hexdigest()
    if key not in _REFERENCES:
        nb, _ = grading_notebook(source, source)
        _REFERENCES[key] = _execute(nb, options, conf, {}).checks
    return dict(_REFERENCES[key])


def _execute(nb: NotebookNode, options: Options, conf, reference: dict[str, int]) -> Run:
    limits = Limits(memory_mb=options.memory_mb)
    with tempfile.TemporaryDirectory(prefix="nncourse-grade-", dir=_short_tmp()) as workdir:
        return run_notebook(
            nb, Path(workdir), options.cell_timeout, options.timeout, conf, limits, reference
        )


def _short_tmp() -> str | None:
    """A temporary folder whose paths fit a Unix socket's address (108 bytes); None: the usual."""
    usual = tempfile.gettempdir()
    return None if len(usual) <= 40 or not Path("/tmp").is_dir() else "/tmp"


def ungraded(points: dict[str, float], status: str, reason: str) -> dict:
    """The result for a submission that could not be run: every test 'not run', no points."""
    result = _result(points, [], status, reason)
    del result["cacheable"]
    return result


def _result(points: dict[str, float], parts: list[dict], status: str, reason: str) -> dict:
    parts = parts or [_part(gid, pts, "not run", "not graded") for gid, pts in points.items()]
    total = sum(p["points"] for p in parts)
    return {
        "status": status,
        "reason": _short(reason, REASON_CHARS),
        "total": total,
        "max": sum(points.values()),
        "parts": parts,
        "errors": [],
        "cacheable": True,
    }


def _part(gid: str, max_points: float, result: str, message: str) -> dict:
    points = max_points if result == "passed" else 0.0
    return {
        "grade_id": gid,
        "points": points,
        "max": max_points,
        "result": result,
        "message": message,
    }


def _tag(cell: NotebookNode) -> dict:
    return cell.metadata.get("nncourse", {})


def _review(nb: NotebookNode, run: Run) -> list[str]:
    """Notes for the instructor: stray processes, tampering techniques in the learner's code."""
    notes = [f"stopped {run.strays} process(es) the notebook left running"] if run.strays else []
    used = harden.flags([c.source for c in nb.cells if c.cell_type == "code" and not _tag(c)])
    return notes + ([f"flagged for review: the code uses {', '.join(used)}"] if used else [])


def _judge_parts(
    nb: NotebookNode, run: Run, points: dict[str, float], secrets: set[str]
) -> list[dict]:
    chunks: dict[str, list] = {gid: [] for gid in points}
    for cell, outcome in zip(nb.cells, run.outcomes):
        tag = _tag(cell)
        if tag.get("part") in chunks:
            chunks[tag["part"]].append((outcome, tag.get("hidden", False)))
    return [_part(gid, points[gid], *_judge(chunks[gid], secrets)) for gid in points]


def _judge(chunks: list[tuple[dict | None, bool]], secrets: set[str]) -> tuple[str, str]:
    """(result, message) of one test cell from its chunks' outcomes, in order."""
    for outcome, hidden in chunks:
        if outcome is None:
            return "not run", "not run: the notebook stopped before this test"
        if outcome["status"] == "timeout":
            return "timeout", "timed out"
        if outcome["status"] != "ok":
            if hidden:
                return "failed", f"hidden test failed ({harden.redact(outcome['ename'], secrets)})"
            return "failed", _describe(outcome, secrets)
    return "passed", ""


def _status(nb: NotebookNode, run: Run, options: Options) -> tuple[str, list[str]]:
    if run.stopped == "timeout":
        return "timeout", [f"stopped at the {options.timeout:g} s limit for the whole notebook"]
    if run.stopped == "unresponsive":
        cell = nb.cells[run.timed_out_cells[-1]]
        late = f"{_label(cell)} ignored the interrupt at {options.cell_timeout:g} s"
        return "timeout", [f"{late}; the kernel was stopped"]
    if run.stopped:
        return "error", [f"{run.stopped} in {_label(_first_unrun(nb, run))}"]
    if run.timed_out_cells:
        cell = nb.cells[run.timed_out_cells[0]]
        return "timeout", [f"{_label(cell)} ran past {options.cell_timeout:g} s"]
    return "ok", []


def _first_unrun(nb: NotebookNode, run: Run) -> NotebookNode | None:
    unrun = [c for c, o in zip(nb.cells, run.outcomes) if o is None and c.cell_type == "code"]
    return unrun[0] if unrun else None


def _cell_errors(nb: NotebookNode, run: Run, secrets: set[str]) -> list[dict]:
    """Errors of the learner's own cells and read-only cells (the first ``MAX_ERRORS``)."""
    errors = [
        {"cell": _label(cell), "message": _describe(outcome, secrets)}
        for cell, outcome in zip(nb.cells, run.outcomes)
        if outcome and outcome["status"] != "ok" and not {"part", "role"} & set(_tag(cell))
    ]
    if len(errors) > MAX_ERRORS:
        more = {"cell": "more cells", "message": f"{len(errors) - MAX_ERRORS} more not shown"}
        errors = errors[:MAX_ERRORS] + [more]
    return errors


def _describe(outcome: dict, secrets: set[str] = frozenset()) -> str:
    if outcome["status"] == "timeout":
        return "timed out and was interrupted"
    text = f"{outcome['ename']}: {outcome['evalue']}" if outcome["evalue"] else outcome["ename"]
    return _short(harden.redact(text, secrets))


def _label(cell: NotebookNode | None) -> str:
    """A cell named for messages: a test by its grade_id (never its code), else its first line."""
    if cell is None:
        return "a cell"
    tag = _tag(cell)
    if tag.get("part"):
        return f"{'hidden part of ' if tag.get('hidden') else ''}test cell {tag['part']}"
    if tag.get("role") == "seed":
        return "the grader's set-up code"
    lines = [ln.strip() for ln in cell.source.split("\n")]
    code = [ln for ln in lines if ln and not ln.startswith("#")] or lines or ["?"]
    return f"the cell starting `{_short(code[0], 50)}`"


def _short(text: str, limit: int = MESSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
