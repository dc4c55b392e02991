"""The submission corpus, graded: every learner's notebook earns what expected.json says.

tests/submissions/ holds realistic submissions for every exercise (the untouched stub, correct
alternatives, common mistakes), built from solutions/ by make_corpus.py. The checks here: the
corpus is up to date with the solutions and shaped like real submissions; then nncourse's
grader grades all of it, and each test cell's points and feedback must match expected.json.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from nncourse.grading import markers
from nncourse.grading.batch import grade_all
from nncourse.grading.discover import find_sources, find_submissions
from nncourse.grading.grade import Options
from nncourse.grading.notebook import autograded_points, read_notebook, role, tagged_cells
from nncourse.grading.release import student_version

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "submissions"
SOURCES = find_sources(ROOT / "solutions")
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
CASES = [(assignment, case) for assignment, cases in EXPECTED.items() for case in cases]
IDS = [f"{assignment}/{case}" for assignment, case in CASES]


def load_make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_assignment_has_a_corpus_with_a_stub_and_a_correct_alternative():
    assert set(EXPECTED) == set(SOURCES)
    for assignment, cases in EXPECTED.items():
        points = autograded_points(read_notebook(SOURCES[assignment]))
        assert cases["stub"]["total"] == 0, assignment
        assert cases["alternative"]["total"] == sum(points.values()), assignment
        assert any(0 < case["total"] < sum(points.values()) for case in cases.values())


def test_the_corpus_is_what_make_corpus_builds_from_the_solutions():
    stale = load_make_corpus().stale()
    assert not stale, f"run `python tests/submissions/make_corpus.py`; out of date: {stale}"


@pytest.mark.parametrize(("assignment", "case"), CASES, ids=IDS)
def test_a_case_looks_like_a_real_submission(assignment, case):
    source = read_notebook(SOURCES[assignment])
    released = tagged_cells(student_version(source))
    submitted = tagged_cells(read_notebook(CORPUS / assignment / f"{case}.ipynb"))
    assert list(submitted) == list(released), "the cells' grade_ids differ from the exercise's"
    for gid, cell in submitted.items():
        assert not markers.has_marker(cell.source), f"{gid} still has a marker"
        if role(cell) == "solution":
            assert cell.metadata == released[gid].metadata, f"{gid}'s metadata was changed"
        else:
            assert cell == released[gid], f"{gid} differs from the released exercise"
    expected = EXPECTED[assignment][case]
    points = autograded_points(source)
    assert set(expected["points"]) == set(points)
    assert all(expected["points"][gid] in (0, points[gid]) for gid in points)
    assert all(expected["feedback"].get(g) for g, p in expected["points"].items() if p == 0)


@pytest.fixture(scope="module")
def graded() -> dict[tuple[str, str], dict]:
    """Every case graded once, two kernels at a time."""
    submissions = find_submissions([str(CORPUS / a) for a in EXPECTED], set(SOURCES))
    options = Options(timeout=300.0, cell_timeout=120.0)
    rows, _ = grade_all(submissions, SOURCES, options, jobs=2, cache_dir=None, stream=None)
    return {(row["assignment"], row["student"]): row for row in rows}


@pytest.mark.parametrize(("assignment", "case"), CASES, ids=IDS)
def test_a_case_earns_its_expected_points_and_feedback(graded, assignment, case):
    row, expected = graded[(assignment, case)], EXPECTED[assignment][case]
    assert row["status"] == "ok", row["reason"]
    messages = {part["grade_id"]: part["message"] for part in row["parts"]}
    earned = {part["grade_id"]: part["points"] for part in row["parts"]}
    assert earned == expected["points"], f"{expected['about']}\nfeedback: {messages}"
    for gid, phrases in expected["feedback"].items():
        missing = [phrase for phrase in phrases if phrase not in messages[gid]]
        assert not missing, f"{gid}: {missing} not in the feedback {messages[gid]!r}"
