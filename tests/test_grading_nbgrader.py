"""Real nbgrader on the fixture and on the real course: same student notebooks, same points."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -e '.[test]')")

from nbgrader.api import Gradebook  # noqa: E402
from traitlets.config.loader import PyFileConfigLoader  # noqa: E402

from nncourse.cli import main  # noqa: E402
from nncourse.grading.nbgrader import settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "grading_fixtures"
CORPUS = Path(__file__).parent / "submissions"
# alice is right, bob fails a visible and a hidden test, dave deleted a test cell, stub is the
# unmodified exercise. (grace is left out on purpose: nbgrader fails tests that write to stderr.)
SUBMISSIONS = {
    "alice": FIXTURES / "submissions" / "alice" / "toy.ipynb",
    "bob": FIXTURES / "submissions" / "bob" / "toy.ipynb",
    "dave": FIXTURES / "submissions" / "dave" / "toy.ipynb",
    "stub": FIXTURES / "exercises" / "toy.ipynb",
}
EX01 = "ex01_neuron_activations"


def nbgrader(cwd: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NNCOURSE_NBGRADER_ROOT"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # alembic
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def course_copy(work: Path, solutions: Path) -> Path:
    """The repository's nbgrader_config.py beside a copy of ``solutions``; the course dir."""
    shutil.copy(ROOT / "nbgrader_config.py", work)
    shutil.copytree(solutions, work / "solutions")
    return work / ".cache" / "nbgrader"


def notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def points(path: Path) -> dict[str, float]:
    """grade_id -> points of every graded cell in a source notebook, in order."""
    marks = [cell["metadata"].get("nbgrader", {}) for cell in notebook(path)["cells"]]
    return {m["grade_id"]: float(m["points"]) for m in marks if m.get("grade")}


def autograde(work: Path, assignment: str, submissions: dict[str, Path]):
    """Grade ``submissions`` (student -> notebook) with nbgrader, then with nncourse grade.

    Returns both tools' points as {student: {grade_id: points}}, nbgrader's first.
    """
    course = work / ".cache" / "nbgrader"
    for student, path in submissions.items():
        (course / "submitted" / student / assignment).mkdir(parents=True)
        shutil.copy(path, course / "submitted" / student / assignment / f"{assignment}.ipynb")
    nbgrader(work, "autograde", assignment)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nncourse") as gradebook:
        theirs = {
            student: {
                g.name: g.score
                for nb in gradebook.find_submission(assignment, student).notebooks
                for g in nb.grades
            }
            for student in submissions
        }

    out = work / "grades.csv"
    args = [str(course / "submitted"), "--source", str(work / "solutions"), "--out", str(out)]
    assert main(["grade", *args, "--jobs", "2", "--no-cache", "--quiet"]) == 0
    parts = points(work / "solutions" / f"{assignment}.ipynb")
    with out.open(newline="") as handle:
        ours = {row["student"]: {p: float(row[p]) for p in parts} for row in csv.DictReader(handle)}
    return theirs, ours


def test_nbgrader_releases_and_grades_like_nncourse(tmp_path):
    """The repository's nbgrader_config.py, used from a copy of the course with the fixture."""
    course = course_copy(tmp_path, FIXTURES / "solutions")
    nbgrader(tmp_path, "generate_assignment", "toy")
    released = course / "release" / "toy" / "toy.ipynb"
    assert released.read_bytes() == (FIXTURES / "exercises" / "toy.ipynb").read_bytes()

    theirs, ours = autograde(tmp_path, "toy", SUBMISSIONS)
    assert ours == theirs
    assert theirs["alice"]["test_mean"] == 2 and theirs["bob"]["test_mean"] == 0  # not all equal
    assert sum(theirs["stub"].values()) == 0


@pytest.fixture(scope="module")
def real_course(tmp_path_factory):
    """A copy of this course in which nbgrader has generated every assignment."""
    work = tmp_path_factory.mktemp("course")
    course_copy(work, ROOT / "solutions")
    nbgrader(work, "generate_assignment", "*")  # nbgrader globs the name: every assignment
    return work


def cells(path: Path) -> list[tuple]:
    """What a learner gets from a notebook: each cell's type, source and nbgrader metadata."""
    return [
        (c["cell_type"], c["source"], c["metadata"].get("nbgrader"))
        for c in notebook(path)["cells"]
    ]


def test_nbgrader_generates_the_committed_exercises(real_course):
    names = sorted(path.stem for path in (ROOT / "solutions").glob("*.ipynb"))
    assert names == sorted(path.stem for path in (ROOT / "exercises").glob("*.ipynb"))
    release = real_course / ".cache" / "nbgrader" / "release"
    assert sorted(path.name for path in release.iterdir()) == names
    for name in names:
        theirs, ours = release / name / f"{name}.ipynb", ROOT / "exercises" / f"{name}.ipynb"
        assert cells(theirs) == cells(ours), name  # a readable difference first
        assert theirs.read_bytes() == ours.read_bytes(), name  # then the whole file


def test_nbgrader_autogrades_a_real_exercise_like_nncourse(real_course):
    """The solution, nbgrader's own stub and the corpus's submissions for ex01."""
    corpus = json.loads((CORPUS / "expected.json").read_text())[EX01]
    submissions = {
        "solution": ROOT / "solutions" / f"{EX01}.ipynb",
        "stub": real_course / ".cache" / "nbgrader" / "release" / EX01 / f"{EX01}.ipynb",
        **{case: CORPUS / EX01 / f"{case}.ipynb" for case in corpus if case != "stub"},
    }
    theirs, ours = autograde(real_course, EX01, submissions)
    assert ours == theirs
    full = points(ROOT / "solutions" / f"{EX01}.ipynb")
    assert theirs["solution"] == full and sum(full.values()) > 0
    assert theirs["stub"] == dict.fromkeys(full, 0.0)
    for case, expected in corpus.items():  # the corpus's hand-worked points, too
        assert theirs[case] == expected["points"], case


def test_nbgrader_export_writes_a_standalone_course(tmp_path):
    hub = tmp_path / "hub"
    assert main(["nbgrader-export", str(hub), "--source", str(FIXTURES / "solutions")]) == 0
    staged = hub / "source" / "toy" / "toy.ipynb"
    assert staged.read_bytes() == (FIXTURES / "solutions" / "toy.ipynb").read_bytes()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(hub)).load_config()
    assert config.CourseDirectory.root == str(hub)
    for section, values in settings().items():
        for name, value in values.items():
            assert config[section][name] == value
