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
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from nncourse.grading.assemble import grading_notebook
from nncourse.grading.execute import Run, run_notebook
from nncourse.grading.notebook import NotebookError, autograded_points, parse_notebook

MESSAGE_CHARS = 300


@dataclass(frozen=True)
class Options:
    """Time limits in seconds: for the whole submission and for any one cell."""

    timeout: float = 600.0
    cell_timeout: float = 120.0


def grade_notebook(data: bytes, source: NotebookNode, options: Options) -> dict:
    """The result for one submission's file content (see the module docstring)."""
    points = autograded_points(source)
    try:
        submission = parse_notebook(data)
    except NotebookError as err:
        return _result(points, [], "invalid", f"not a readable notebook: {_short(str(err))}")
    nb, notes = grading_notebook(submission, source)
    with tempfile.TemporaryDirectory(prefix="nncourse-grade-") as workdir:
        run = run_notebook(nb, Path(workdir), options.cell_timeout, options.timeout)
    status, trouble = _status(nb, run, options)
    result = _result(points, _judge_parts(nb, run, points), status, "; ".join(trouble + notes))
    result["errors"] = _cell_errors(nb, run)
    result["cacheable"] = not run.stopped or not run.stopped.startswith("kernel failed")
    return result


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
        "reason": reason,
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


def _judge_parts(nb: NotebookNode, run: Run, points: dict[str, float]) -> list[dict]:
    chunks: dict[str, list] = {gid: [] for gid in points}
    for cell, outcome in zip(nb.cells, run.outcomes):
        tag = cell.metadata.get("nncourse", {})
        if tag.get("part") in chunks:
            chunks[tag["part"]].append((outcome, tag.get("hidden", False)))
    return [_part(gid, points[gid], *_judge(chunks[gid])) for gid in points]


def _judge(chunks: list[tuple[dict | None, bool]]) -> tuple[str, str]:
    """(result, message) of one test cell from its chunks' outcomes, in order."""
    for outcome, hidden in chunks:
        if outcome is None:
            return "not run", "not run: the notebook stopped before this test"
        if outcome["status"] == "timeout":
            return "timeout", "timed out"
        if outcome["status"] != "ok":
            if hidden:
                return "failed", f"hidden test failed ({outcome['ename']})"
            return "failed", _describe(outcome)
    return "passed", ""


def _status(nb: NotebookNode, run: Run, options: Options) -> tuple[str, list[str]]:
    if run.stopped == "timeout":
        return "timeout", [f"stopped at the {options.timeout:g} s limit for the whole notebook"]
    if run.stopped:
        return "error", [f"{run.stopped} in {_label(_first_unrun(nb, run))}"]
    if run.timed_out_cells:
        cell = nb.cells[run.timed_out_cells[0]]
        return "timeout", [f"{_label(cell)} ran past {options.cell_timeout:g} s"]
    return "ok", []


def _first_unrun(nb: NotebookNode, run: Run) -> NotebookNode | None:
    unrun = [c for c, o in zip(nb.cells, run.outcomes) if o is None and c.cell_type == "code"]
    return unrun[0] if unrun else None


def _cell_errors(nb: NotebookNode, run: Run) -> list[dict]:
    return [
        {"cell": _label(cell), "message": _describe(outcome)}
        for cell, outcome in zip(nb.cells, run.outcomes)
        if outcome and outcome["status"] != "ok" and not cell.metadata.get("nncourse", {})
    ]


def _describe(outcome: dict) -> str:
    if outcome["status"] == "timeout":
        return "timed out and was interrupted"
    text = f"{outcome['ename']}: {outcome['evalue']}" if outcome["evalue"] else outcome["ename"]
    return _short(text)


def _label(cell: NotebookNode | None) -> str:
    """A cell named for messages: a test by its grade_id (never its code), else its first line."""
    if cell is None:
        return "a cell"
    tag = cell.metadata.get("nncourse", {})
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
