"""Benchmark: `nncourse grade` (--jobs 1 and 2) against `nbgrader autograde`, in one run.

Grades the submission corpus of the real exercises (tests/submissions/<assignment>/<case>.ipynb,
right and wrong answers), each case copied --copies times under different student names into
nbgrader's submitted/<student>/<assignment>/ layout in a temporary course. Every submission runs
in a fresh kernel; every tool is started as a command (start-up included, cache off). Prints
seconds and submissions per minute, the --jobs 2 / --jobs 1 speed-up and the issue's goal (at
least 2x nbgrader's throughput on a 2-core machine), after checking that every tool gives each
submission the same points, and the points the corpus expects.

The default mix leaves out ex07 (TensorFlow models: ~20 s a notebook); 2 copies of the other
six assignments' 26 cases are 52 submissions, more than the 40 the issue asks for.
Run: python benchmarks/bench_grading.py [--copies N] [--assignments ex01_neuron_activations ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "submissions"
SLOW = {"ex07_keras_models"}
GOAL = 2.0  # the issue: nncourse grade --jobs 2 at least 2x nbgrader's submissions per minute

Totals = dict[tuple[str, str], float]  # (assignment, student) -> points


def timed(cmd: list[str], cwd: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "NNCOURSE_NBGRADER_ROOT"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # alembic
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def submit(course: Path, assignments: list[str], copies: int) -> Totals:
    """Copy the corpus into course/submitted/; return the points the corpus expects."""
    expected = json.loads((CORPUS / "expected.json").read_text())
    wanted = {}
    for assignment in assignments:
        for case, about in expected[assignment].items():
            for i in range(copies):
                student = f"{case}{i:02d}"
                folder = course / "submitted" / student / assignment
                folder.mkdir(parents=True)
                shutil.copy(CORPUS / assignment / f"{case}.ipynb", folder / f"{assignment}.ipynb")
                wanted[assignment, student] = about["total"]
    return wanted


def nncourse_totals(sheet: Path) -> Totals:
    with sheet.open(newline="") as handle:
        return {(r["assignment"], r["student"]): float(r["total"]) for r in csv.DictReader(handle)}


def nbgrader_totals(course: Path, wanted: Totals) -> Totals:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nncourse") as gradebook:
        return {(a, s): gradebook.find_submission(a, s).score for a, s in wanted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="copies of each corpus case")
    names = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
    parser.add_argument("--assignments", nargs="+", default=[n for n in names if n not in SLOW])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        shutil.copy(ROOT / "nbgrader_config.py", work)
        shutil.copytree(ROOT / "solutions", work / "solutions")
        course = work / ".cache" / "nbgrader"
        wanted = submit(course, args.assignments, args.copies)
        grade = [sys.executable, "-m", "nncourse.cli", "grade", str(course / "submitted")]
        grade += ["--quiet", "--no-cache", "--source", str(work / "solutions")]
        rows = []
        for jobs in (1, 2):
            sheet = work / f"grades{jobs}.csv"
            seconds = timed([*grade, "--jobs", str(jobs), "--out", str(sheet)], work)
            rows.append((f"nncourse grade --jobs {jobs}", seconds, nncourse_totals(sheet)))
        nbgrader = [sys.executable, "-m", "nbgrader"]
        timed([*nbgrader, "generate_assignment", "*"], work)  # set-up, not timed; "*": all
        seconds = timed([*nbgrader, "autograde", "*"], work)
        rows.append(("nbgrader autograde", seconds, nbgrader_totals(course, wanted)))
        report(rows, wanted, args.assignments)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(rows: list[tuple[str, float, Totals]], wanted: Totals, assignments: list[str]) -> None:
    count = len(wanted)
    print(f"\nGrading {count} submissions of {', '.join(assignments)}")
    print(f"(each in a fresh kernel, {os.cpu_count()} CPUs)")
    base = rows[-1][1]
    print(f"{'tool':<24} {'seconds':>8} {'subs/min':>9} {'vs nbgrader':>12}")
    for name, seconds, _ in rows:
        print(f"{name:<24} {seconds:8.1f} {60 * count / seconds:9.1f} {base / seconds:11.2f}x")
    (_, one, _), (_, two, _) = rows[0], rows[1]
    print(f"speed-up of --jobs 2 over --jobs 1: {one / two:.2f}x")
    met = "met" if base / two >= GOAL else "NOT met"
    print(f"goal (issue 6): --jobs 2 >= {GOAL:g}x nbgrader's throughput: {met} ({base / two:.2f}x)")
    wrong = [
        f"{name}: {assignment}/{student} got {totals.get((assignment, student))}, expected {want}"
        for name, _, totals in rows
        for (assignment, student), want in wanted.items()
        if totals.get((assignment, student)) != want
    ]
    print("same points from every tool, as the corpus expects:", "NO" if wrong else "yes")
    if wrong:
        sys.exit("\n".join(wrong))


if __name__ == "__main__":
    main()
