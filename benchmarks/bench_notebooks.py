"""Execution time of every lesson notebook on this machine, against the course's budget.

Goal: each notebook within 60 s, the whole course within 6 minutes, on a 2-core CPU. Under each
notebook's row: the lines of its printed output that report an accuracy or an error (MSE), so
the table also says how well the lesson's small models learn.
Run: python benchmarks/bench_notebooks.py [NOTEBOOK ...]
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
PER_NOTEBOOK, TOTAL = 60.0, 360.0
RESULT = re.compile(r"(accuracy|\bacc\b|\bMSE\b).*\d", re.IGNORECASE)
RESULTS_SHOWN = 6


def results(nb) -> list[str]:
    """The printed lines of an executed notebook that report accuracy or MSE, first ones first."""
    lines = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines() if out.get("name") == "stdout" else []:
                if RESULT.search(line) and line.strip() not in lines:
                    lines.append(line.strip())
    return lines


def run(path: Path) -> tuple[float, str, list[str]]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    try:
        client.execute()
        status = "ok"
    except Exception as err:  # report and go on with the next notebook
        status = f"error: {type(err).__name__}"
    return time.perf_counter() - start, status, results(nb)


def main(argv: list[str]) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"{'notebook':<42}{'seconds':>9}  {'budget':<8}status")
    total = 0.0
    for path in paths:
        seconds, status, reported = run(path)
        total += seconds
        verdict = "ok" if seconds <= PER_NOTEBOOK else "OVER"
        print(f"{path.name:<42}{seconds:>9.1f}  {verdict:<8}{status}", flush=True)
        for line in reported[:RESULTS_SHOWN]:
            print(f"    {line[:96]}")
    verdict = "ok" if total <= TOTAL else "OVER"
    print(
        f"{'total':<42}{total:>9.1f}  {verdict:<8}(goal: {PER_NOTEBOOK:.0f} s each, "
        f"{TOTAL:.0f} s in all, {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
