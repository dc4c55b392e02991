"""Benchmark: `nncourse grade` (--jobs 1 and 2) against `nbgrader autograde`, in one run.

Grades N copies (default 40) of one fixture submission from tests/grading_fixtures, each in a
fresh kernel, with every tool started as a command (start-up included, cache off). Prints
submissions per minute and the speed-up over nbgrader, after checking all tools agree on the
points. Run: python benchmarks/bench_grading.py [--copies N] [--submission alice]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "grading_fixtures"


def timed(cmd: list[str], cwd: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "NNCOURSE_NBGRADER_ROOT"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def nncourse_totals(sheet: Path) -> list[float]:
    with sheet.open(newline="") as handle:
        return [float(row["total"]) for row in csv.DictReader(handle)]


def nbgrader_totals(course: Path, students: list[str]) -> list[float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nncourse") as gradebook:
        return [gradebook.find_submission("toy", s).score for s in students]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--submission", default="alice", help="a student in the fixtures")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        shutil.copy(ROOT / "nbgrader_config.py", work)
        shutil.copytree(FIXTURES / "solutions", work / "solutions")
        course = work / ".cache" / "nbgrader"
        students = [f"student{i:03d}" for i in range(args.copies)]
        for student in students:
            folder = course / "submitted" / student / "toy"
            folder.mkdir(parents=True)
            shutil.copy(FIXTURES / "submissions" / args.submission / "toy.ipynb", folder)
        grade = [
            sys.executable,
            "-m",
            "nncourse.cli",
            "grade",
            str(course / "submitted"),
            "--quiet",
        ]
        grade += ["--no-cache", "--source", str(work / "solutions")]
        rows = []
        for jobs in (1, 2):
            sheet = work / f"grades{jobs}.csv"
            seconds = timed([*grade, "--jobs", str(jobs), "--out", str(sheet)], work)
            rows.append((f"nncourse grade --jobs {jobs}", seconds, nncourse_totals(sheet)))
        nbgrader = [sys.executable, "-m", "nbgrader"]
        timed([*nbgrader, "generate_assignment", "toy"], work)  # set-up, not timed
        seconds = timed([*nbgrader, "autograde", "toy"], work)
        rows.append(("nbgrader autograde", seconds, nbgrader_totals(course, students)))
        report(rows, args.copies)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(rows: list[tuple[str, float, list[float]]], copies: int) -> None:
    totals = {tuple(sorted(t)) for _, _, t in rows}
    agree = "yes" if len(totals) == 1 else f"NO: {totals}"
    base = rows[-1][1]
    print(f"\nGrading {copies} submissions, each in a fresh kernel ({os.cpu_count()} CPUs)")
    print(f"{'tool':<24} {'seconds':>8} {'subs/min':>9} {'vs nbgrader':>12}")
    for name, seconds, _ in rows:
        print(f"{name:<24} {seconds:8.1f} {60 * copies / seconds:9.1f} {base / seconds:11.2f}x")
    print(f"same points from every tool: {agree}")


if __name__ == "__main__":
    main()
