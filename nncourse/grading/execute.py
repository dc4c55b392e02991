"""Run a grading notebook top to bottom in a fresh, sandboxed kernel, with time limits.

Errors do not stop the run (each test is judged by its own outcome). A cell running past
``cell_timeout`` is interrupted and the run goes on; a cell that ignores the interrupt for
``GRACE`` seconds, or a run past the submission's ``timeout``, stops the run. Processes a cell
starts are stopped when it ends. Only execute replies are read (status, exception name and
message, and the test's finishing nonce): output never changes a grade, nothing is unpickled.

Before the learner's first cell the grader's set-up (``guard.install``) runs; around each
read-only cell the guard records what it defines; before each test the guard restores its
pristine state, and the test itself is hardened (``harden.test_code``) and must reach its
``harden.finished`` line to pass. Its check calls come back as plain data and are judged again
here, outside the kernel (``evidence``); with a ``reference`` (the number of check calls each
test chunk made when the instructor's solution was graded) fewer calls fail the test.
"""

from __future__ import annotations

import ast
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from nncourse.grading import evidence, harden
from nncourse.grading.kernel import MAX_REPLY, KernelDied, KernelStartError, ReplyLost, launch
from nncourse.grading.sandbox import Confinement, Limits

GRACE = 5.0  # seconds a kernel gets to honour an interrupt
STEP_TIMEOUT = 10.0  # seconds for one of the grader's own steps
MESSAGE_CHARS = 2000
GUARD = '__import__("sys").modules["nncourse.grading.guard"].GUARD'
EVIDENCE = f"{GUARD}.evidence()"
NOT_FINISHED = {
    "status": "error",
    "ename": "TestNotFinished",
    "evalue": "the test reported success without running to its end: the notebook interferes "
    "with the grader",
}
TOO_LARGE = {
    "status": "error",
    "ename": "ReplyTooLarge",
    "evalue": f"the kernel's answer was over {MAX_REPLY >> 20} MB (an enormous error message?)",
}
GUARD_FAILED = {
    "status": "error",
    "ename": "GraderGuardFailed",
    "evalue": "the grader could not restore its checks before this test: the notebook changed them",
}


class Unresponsive(Exception):
    """The kernel ignored an interrupt."""


@dataclass
class Run:
    """Per-cell outcomes (None = not run) and why the run stopped early, if it did."""

    outcomes: list[dict | None]
    stopped: str | None = None  # "timeout", "unresponsive", "kernel died", "kernel failed ..."
    timed_out_cells: list[int] = field(default_factory=list)
    strays: int = 0  # processes left running by cells, stopped by the grader
    checks: dict[str, int] = field(default_factory=dict)  # check calls per passing test chunk


def run_notebook(
    nb: NotebookNode,
    workdir: Path,
    cell_timeout: float,
    timeout: float,
    conf: Confinement | None = None,
    limits: Limits | None = None,
    reference: dict[str, int] | None = None,
) -> Run:
    """Execute ``nb`` in a new kernel whose run dir is ``workdir``; see the module docstring.

    ``reference`` maps ``chunk_key`` to the check calls that chunk must make at least.
    """
    run = Run(outcomes=[None] * len(nb.cells))
    try:
        kernel = launch(workdir, conf or Confinement(), limits or Limits(), timeout)
    except KernelStartError as err:
        run.stopped = f"kernel failed to start ({err})"
        return run
    try:
        _cells(kernel, nb, run, cell_timeout, time.monotonic() + timeout, reference or {})
    except KernelDied:
        run.stopped = "kernel died"
    except Unresponsive:
        run.stopped = "unresponsive"
    finally:
        kernel.close()
    return run


def chunk_key(tag: dict) -> str:
    """The name of a test chunk, the same in every grading notebook of one source."""
    return f"{tag.get('part')}/{tag.get('chunk', 0)}"


def _cells(
    kernel, nb: NotebookNode, run: Run, limit: float, deadline: float, reference: dict[str, int]
) -> None:
    failed_parts = set()
    for index, cell in enumerate(nb.cells):
        tag = cell.metadata.get("nncourse", {})
        if cell.cell_type != "code" or tag.get("part") in failed_parts:
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            run.stopped = "timeout"
            return
        try:
            outcome = _cell(kernel, cell.source, tag, min(limit, left), reference, run)
        except Unresponsive:
            run.outcomes[index] = {"status": "timeout", "ename": "", "evalue": ""}
            run.timed_out_cells.append(index)
            raise
        if tag.get("role") == "seed" and outcome["status"] != "ok":
            run.stopped = f"kernel failed (the grader's set-up code raised {outcome['ename']})"
            return
        run.outcomes[index] = outcome
        kernel.kill_strays()
        if kernel.stopped > run.strays:
            _step(kernel, f"{GUARD}.reap()")
            run.strays = kernel.stopped
        if outcome["status"] == "timeout":
            run.timed_out_cells.append(index)
            if limit > left:
                run.stopped = "timeout"
                return
        if tag.get("part") is not None and outcome["status"] != "ok":
            failed_parts.add(tag["part"])  # later chunks of a failed test cell would not have run


def _cell(
    kernel, source: str, tag: dict, limit: float, reference: dict[str, int], run: Run
) -> dict:
    """Run one cell with the grader's steps around it; return its outcome."""
    if tag.get("read_only"):
        _step(kernel, f"{GUARD}.before_read_only()")
        outcome = _run(kernel, source, limit)
        _step(kernel, f"{GUARD}.after_read_only()")
        return outcome
    if tag.get("part") is None:  # the grader's set-up, or the learner's code
        return _run(kernel, source, limit)
    if _step(kernel, f"{GUARD}.restore()")["status"] != "ok":
        return dict(GUARD_FAILED)
    nonce = secrets.token_hex(16)
    code = harden.test_code(source) + harden.finished(nonce)
    outcome = _run(kernel, code, limit, {"done": harden.DONE, "evidence": EVIDENCE})
    done, record = outcome.pop("done", None), outcome.pop("evidence", None)
    if outcome["status"] != "ok":
        return outcome
    if done != repr(nonce):
        return dict(NOT_FINISHED)
    return _judge_outside(record, tag, reference, run) or outcome


def _judge_outside(text: str | None, tag: dict, reference: dict[str, int], run: Run) -> dict | None:
    """None if the chunk's recorded checks pass here too, else the failing outcome."""
    try:
        records = evidence.loads(ast.literal_eval(text) if text else None)
    except (ValueError, SyntaxError, MemoryError, RecursionError, evidence.BadEvidence) as err:
        return {"status": "error", "ename": "BadEvidence", "evalue": str(err)[:200]}
    key = chunk_key(tag)
    failure = evidence.judge(records, _checks(), reference.get(key))
    if failure:
        ename, _, evalue = failure.partition(": ")
        return {"status": "error", "ename": ename, "evalue": evalue[:MESSAGE_CHARS]}
    run.checks[key] = len(records)
    return None


def _checks():
    """The real ``nncourse.checks`` of this (the grader's) process."""
    __import__("nncourse.checks")
    return sys.modules["nncourse.checks"]


def _step(kernel, code: str) -> dict:
    """One of the grader's own statements, run silently (not in the learner's history)."""
    try:
        return _run(kernel, code, STEP_TIMEOUT, silent=True)
    except Unresponsive:
        raise
    except TimeoutError:
        return {"status": "timeout", "ename": "", "evalue": ""}


def _run(
    kernel, code: str, limit: float, expressions: dict | None = None, silent: bool = False
) -> dict:
    """Outcome of ``code``: status ok / error / timeout, exception name and message."""
    try:
        msg_id = kernel.execute(code, expressions, silent)
    except TimeoutError:  # the kernel takes no more requests
        raise Unresponsive from None
    try:
        reply = kernel.reply_to(msg_id, time.monotonic() + limit)
    except ReplyLost:
        try:
            kernel.request("kernel_info_request", {}, time.monotonic() + GRACE)
        except (TimeoutError, ReplyLost):
            raise Unresponsive from None
        return dict(TOO_LARGE)
    except TimeoutError:
        kernel.interrupt()
        try:
            kernel.reply_to(msg_id, time.monotonic() + GRACE)
        except TimeoutError:
            raise Unresponsive from None
        return {"status": "timeout", "ename": "", "evalue": ""}
    status = reply.get("status")
    outcome = {
        "status": "ok" if status == "ok" else "error",
        "ename": _name(reply.get("ename")) if status != "ok" else "",
        "evalue": str(reply.get("evalue", ""))[:MESSAGE_CHARS] if status != "ok" else "",
    }
    for name in expressions or {}:
        outcome[name] = _expression(reply, name) if status == "ok" else None
    return outcome


def _name(ename: object) -> str:
    """An exception's type name as the kernel reports it, if it looks like one."""
    text = str(ename or "")
    return text if re.fullmatch(r"[A-Za-z_][\w.]{0,79}", text) else "an exception"


def _expression(reply: dict, name: str) -> str | None:
    """The text of user expression ``name`` in an execute reply (None if absent or odd)."""
    found = reply.get("user_expressions")
    found = found.get(name) if isinstance(found, dict) else None
    data = found.get("data") if isinstance(found, dict) else None
    return data.get("text/plain") if isinstance(data, dict) else None
