"""Real nbgrader on the fixture course: same student notebook, same points as nncourse grade."""

import csv
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
# alice is right, bob fails a visible and a hidden test, dave deleted a test cell, stub is the
# unmodified exercise. (grace is left out on purpose: nbgrader fails tests that write to stderr.)
SUBMISSIONS = {
    "alice": FIXTURES / "submissions" / "alice" / "toy.ipynb",
    "bob": FIXTURES / "submissions" / "bob" / "toy.ipynb",
    "dave": FIXTURES / "submissions" / "dave" / "toy.ipynb",
    "stub": FIXTURES / "exercises" / "toy.ipynb",
}


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


def test_nbgrader_releases_and_grades_like_nncourse(tmp_path):
    """The repository's nbgrader_config.py, used from a copy of the course with the fixture."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(FIXTURES / "solutions", tmp_path / "solutions")
    nbgrader(tmp_path, "generate_assignment", "toy")
    course = tmp_path / ".cache" / "nbgrader"
    released = course / "release" / "toy" / "toy.ipynb"
    assert released.read_bytes() == (FIXTURES / "exercises" / "toy.ipynb").read_bytes()

    for student, path in SUBMISSIONS.items():
        (course / "submitted" / student / "toy").mkdir(parents=True)
        shutil.copy(path, course / "submitted" / student / "toy" / "toy.ipynb")
    nbgrader(tmp_path, "autograde", "toy")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nncourse") as gradebook:
        theirs = {
            student: {
                g.name: g.score
                for nb in gradebook.find_submission("toy", student).notebooks
                for g in nb.grades
            }
            for student in SUBMISSIONS
        }

    out = tmp_path / "grades.csv"
    args = [str(course / "submitted"), "--source", str(tmp_path / "solutions"), "--out", str(out)]
    assert main(["grade", *args, "--jobs", "2", "--no-cache", "--quiet"]) == 0
    with out.open(newline="") as handle:
        ours = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(ours) == set(SUBMISSIONS)
    for student, scores in theirs.items():
        assert {gid: float(ours[student][gid]) for gid in scores} == scores, student
    assert theirs["alice"]["test_mean"] == 2 and theirs["bob"]["test_mean"] == 0  # not all equal
    assert sum(theirs["stub"].values()) == 0


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
