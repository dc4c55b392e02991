"""Run a grading notebook top to bottom in a fresh kernel, with time limits.

Errors do not stop the run (each test is judged by its own outcome). A cell running past
``cell_timeout`` is interrupted and the run goes on; past the submission's ``timeout`` the run
stops. Only the kernel's execute replies are read (status, exception name and message):
stdout, stderr and displayed values never change a grade, and nothing is unpickled.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode

TIMEOUT_NAME = "nncourse.CellTimeout"
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "MPLBACKEND": "Agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


@dataclass
class Run:
    """Per-cell outcomes (None = not run) and why the run stopped early, if it did."""

    outcomes: list[dict | None]
    stopped: str | None = None  # "timeout", "kernel died" or "kernel failed to start"
    timed_out_cells: list[int] = field(default_factory=list)


def run_notebook(nb: NotebookNode, workdir: Path, cell_timeout: float, timeout: float) -> Run:
    """Execute ``nb`` in a new kernel started in ``workdir``; see the module docstring."""
    return asyncio.run(_run(nb, workdir, cell_timeout, timeout))


async def _run(nb: NotebookNode, workdir: Path, cell_timeout: float, timeout: float) -> Run:
    run = Run(outcomes=[None] * len(nb.cells))
    client = _client(nb, run)
    try:
        async with client.async_setup_kernel(
            env={**os.environ, **KERNEL_ENV},
            cwd=str(workdir),
            stdout=subprocess.DEVNULL,  # the kernel process's own chatter, never the cells' output
            stderr=subprocess.DEVNULL,
        ):
            deadline = time.monotonic() + timeout  # start-up is not the learner's time
            await _cells(client, nb, run, cell_timeout, deadline)
    except DeadKernelError:
        run.stopped = "kernel died"
    except Exception as err:  # noqa: BLE001 - any start-up failure becomes a row, not a crash
        if run.stopped is None and not any(run.outcomes):
            run.stopped = f"kernel failed to start ({type(err).__name__}: {err})"
        elif run.stopped is None:
            run.stopped = f"kernel failed ({type(err).__name__})"
    return run


async def _cells(
    client: NotebookClient, nb: NotebookNode, run: Run, limit: float, deadline: float
) -> None:
    failed_parts = set()
    for index, cell in enumerate(nb.cells):
        part = cell.metadata.get("nncourse", {}).get("part")
        if cell.cell_type != "code" or part in failed_parts:
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            run.stopped = "timeout"
            return
        client.timeout = max(1, math.ceil(min(limit, left)))
        await client.async_execute_cell(cell, index)
        cell.outputs = []  # outputs are never graded; don't keep them in memory
        outcome = run.outcomes[index]
        if outcome and outcome["status"] == "timeout":
            run.timed_out_cells.append(index)
            if limit > left:
                run.stopped = "timeout"
                return
        if part is not None and (outcome is None or outcome["status"] != "ok"):
            failed_parts.add(part)  # later chunks of a failed test cell would not have run


def _client(nb: NotebookNode, run: Run) -> NotebookClient:
    def record(cell: NotebookNode, cell_index: int, execute_reply: dict) -> None:
        content = execute_reply.get("content", {})
        status = content.get("status", "error")
        if content.get("ename") == TIMEOUT_NAME:
            status = "timeout"
        run.outcomes[cell_index] = {
            "status": "ok" if status == "ok" else status if status == "timeout" else "error",
            "ename": str(content.get("ename", "")),
            "evalue": str(content.get("evalue", "")),
        }

    quiet = logging.getLogger(__name__)  # nbclient logs every timeout; the row says it already
    quiet.propagate = False
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    return NotebookClient(
        nb,
        log=quiet,
        kernel_name="python3",  # always ours: a submission's kernelspec metadata is ignored
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_NAME, "evalue": "cell timed out", "traceback": []},
        raise_on_iopub_timeout=False,
        iopub_timeout=2,
        shutdown_kernel="immediate",
        startup_timeout=60,
        record_timing=False,
        on_cell_executed=record,
    )
