"""Check a course's exercises end to end before learners see them.

For every solution notebook: its metadata and markers are sound; the solution earns full marks;
the released exercise is up to date, holds no marker and no line from a solution or hidden-test
region, and, left unmodified, earns zero points without upsetting the grader (status ok).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from nncourse.grading import markers
from nncourse.grading.batch import grade_all
from nncourse.grading.discover import Submission, find_sources
from nncourse.grading.grade import Options
from nncourse.grading.notebook import NotebookError, check_source, read_notebook
from nncourse.grading.release import stale

MIN_SECRET_CHARS = 8  # shorter lines ("pass", "return x") may legitimately appear anywhere


def validate_course(
    source_dir: Path,
    exercise_dir: Path,
    options: Options | None = None,
    jobs: int = 2,
    stream: TextIO | None = sys.stderr,
) -> list[str]:
    """Every problem found, one line each (empty when the course is sound)."""
    sources = find_sources(source_dir)
    if not sources:
        return [f"no solution notebooks in {source_dir}"]
    problems, sound = [], {}
    for name, path in sources.items():
        found = _source_problems(path)
        problems += [f"{path}: {p}" for p in found]
        if not found:
            sound[name] = path
    problems += stale(source_dir, exercise_dir)
    problems += [
        p for name, path in sound.items() for p in _leaks(path, exercise_dir / f"{name}.ipynb")
    ]
    subs = [Submission("solution", name, str(path)) for name, path in sound.items()]
    subs += [
        Submission("exercise", name, str(exercise_dir / f"{name}.ipynb"))
        for name in sound
        if (exercise_dir / f"{name}.ipynb").exists()
    ]
    rows, _ = grade_all(subs, sound, options or Options(), jobs=jobs, cache_dir=None, stream=stream)
    return problems + [p for row in rows for p in _expectations(row)]


def _source_problems(path: Path) -> list[str]:
    try:
        return check_source(read_notebook(path))
    except NotebookError as err:
        return [str(err)]


def _leaks(source: Path, exercise: Path) -> list[str]:
    """Markers, or lines from inside solution / hidden-test regions, found in the exercise."""
    if not exercise.exists():
        return []
    try:
        cells = read_notebook(exercise).cells
    except NotebookError as err:
        return [f"{exercise}: {err}"]
    secret, public = set(), set()
    for cell in read_notebook(source).cells:
        for pair in (markers.SOLUTION, markers.HIDDEN):
            secret.update(
                ln for ln in markers.inside_lines(cell.source, pair) if len(ln) >= MIN_SECRET_CHARS
            )
        public.update(
            ln.strip()
            for ln in markers.strip_hidden(markers.strip_solutions(cell.source, "code")).split("\n")
        )
    secret -= public
    problems = []
    for index, cell in enumerate(cells):
        if markers.has_marker(cell.source):
            problems.append(f"{exercise}: cell {index} still has a solution or hidden-test marker")
        leaked = [ln.strip() for ln in cell.source.split("\n") if ln.strip() in secret]
        problems += [f"{exercise}: cell {index} reveals {ln!r}" for ln in leaked]
    return problems


def _expectations(row: dict) -> list[str]:
    name, score = row["assignment"], f"{row['total']:g}/{row['max']:g}"
    status = "" if row["status"] == "ok" else f" (status {row['status']}: {row['reason']})"
    if row["student"] == "solution":
        if row["status"] == "ok" and row["total"] == row["max"]:
            return []
        failed = [
            f"{p['grade_id']}: {p['message'] or p['result']}"
            for p in row["parts"]
            if p["result"] != "passed"
        ]
        return [f"{name}: the solution earns {score}{status}; " + "; ".join(failed)]
    problems = (
        [f"{name}: grading the unmodified exercise did not finish cleanly{status}"]
        if status
        else []
    )
    passed = [p["grade_id"] for p in row["parts"] if p["result"] == "passed"]
    if passed:
        problems.append(
            f"{name}: the unmodified exercise earns {score}; "
            f"passing without a solution: {', '.join(passed)}"
        )
    return problems
