"""Grading fixture submissions in real kernels: sheet, feedback, resume, shards, validate.

One batch grades every fixture submission (module fixture, --jobs 2); the other tests read its
sheet, feedback and cache, so kernels are started as few times as possible.
"""

import csv
import io
import itertools
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from nncourse.cli import main
from nncourse.grading import batch, progress
from nncourse.grading.notebook import read_notebook
from nncourse.grading.release import notebook_text

FIXTURES = Path(__file__).parent / "grading_fixtures"
PARTS = ["test_mean", "test_square", "test_square_array"]

# student: (status, points per part, words expected in the reason) - worked out by hand from
# each submission (see its cells): e.g. bob's mean divides by 3, right for [1, 2, 3] only.
EXPECTED = {
    "alice": ("ok", [2, 1, 1], ""),
    "bob": ("ok", [0, 1, 0], ""),
    "carol": ("ok", [2, 0, 0], "test cell test_square was edited; the original was used"),
    "dave": ("ok", [2, 1, 1], "test cell test_mean was missing and was put back"),
    "erin": ("timeout", [2, 1, 1], "the cell starting `def square(x):` ran past 5 s"),
    "exercises": ("ok", [0, 0, 0], ""),
    "frank": ("invalid", [0, 0, 0], "not a readable notebook"),
    "grace": ("ok", [2, 1, 1], ""),
    "heidi": ("error", [2, 0, 0], "kernel died in the cell starting `import os`"),
    "ivan": ("ok", [0, 0, 0], ""),
    "judy_final": ("ok", [2, 1, 1], ""),
}


def grade(*args: str, jobs: str = "2", timeout: str = "60", cell_timeout: str = "5") -> int:
    limits = ["--timeout", timeout, "--cell-timeout", cell_timeout]
    return main(["grade", *args, "--jobs", jobs, *limits])


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory):
    """Fixture course copied to a temp dir, an invalid notebook added, everything graded once."""
    root = tmp_path_factory.mktemp("grading")
    for name in ("solutions", "exercises", "submissions"):
        shutil.copytree(FIXTURES / name, root / name)
    (root / "submissions" / "frank").mkdir()
    (root / "submissions" / "frank" / "toy.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "sou'
    )
    args = [str(root / "submissions"), str(root / "exercises"), "--source", str(root / "solutions")]
    args += ["--out", str(root / "grades.csv"), "--feedback", str(root / "feedback")]
    assert grade(*args, "--cache", str(root / "cache")) == 0
    return root


def sheet_rows(path: Path) -> dict[str, dict]:
    with path.open(newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_grade_sheet_row(batch_dir, student):
    status, points, reason = EXPECTED[student]
    row = sheet_rows(batch_dir / "grades.csv")[student]
    assert (row["assignment"], row["status"]) == ("toy", status)
    assert [float(row[p]) for p in PARTS] == points
    assert (float(row["total"]), float(row["max"])) == (sum(points), 4.0)
    assert reason in row["reason"] and (reason or row["reason"] == "")


def test_csv_and_json_sheets_agree(batch_dir):
    table = json.loads((batch_dir / "grades.json").read_text())
    header = ["student", "assignment", "status", "total", "max", *PARTS, "reason", "submission"]
    assert table["columns"] == header
    rows = sheet_rows(batch_dir / "grades.csv")
    assert [r["student"] for r in table["rows"]] == list(rows) == sorted(EXPECTED)
    for record in table["rows"]:
        csv_row = rows[record["student"]]
        assert [float(csv_row[p]) for p in PARTS] == [record[p] for p in PARTS]
        assert csv_row["reason"] == record["reason"] and csv_row["status"] == record["status"]


def page(batch_dir: Path, student: str) -> str:
    return (batch_dir / "feedback" / student / "toy.html").read_text()


def test_feedback_shows_visible_messages_and_hides_hidden_tests(batch_dir):
    bob = page(batch_dir, "bob")
    assert "AssertionError: square must work elementwise on arrays" in bob
    assert "hidden test failed (AssertionError)" in bob
    assert "Score: 1 / 4" in bob
    assert "square(3) should be 9, got 6" in page(batch_dir, "carol")
    assert "timed out and was interrupted" in page(batch_dir, "erin")
    for path in (batch_dir / "feedback").rglob("*.html"):
        text = path.read_text()
        assert "SECRET" not in text and "mean([5])" not in text and "HIDDEN TESTS" not in text
    assert len(list((batch_dir / "feedback").rglob("*.html"))) == len(EXPECTED)


def test_resume_grades_nothing_twice(batch_dir, tmp_path, monkeypatch, capsys):
    cached = sorted((batch_dir / "cache").glob("*.json"))
    assert len(cached) == len(EXPECTED)  # one per submission (an unreadable file is final too)
    victim = json.loads(cached[0].read_text())
    cached[0].unlink()
    calls = []
    real = batch.grade_notebook
    monkeypatch.setattr(batch, "grade_notebook", lambda *a: calls.append(1) or real(*a))
    args = [str(batch_dir / "submissions"), str(batch_dir / "exercises")]
    args += ["--source", str(batch_dir / "solutions"), "--cache", str(batch_dir / "cache")]
    capsys.readouterr()
    assert grade(*args, "--out", str(tmp_path / "again.csv"), jobs="1") == 0
    assert calls == [1]  # only the submission whose cache file was removed ran again
    assert (
        f"{len(EXPECTED)} submission(s), {len(EXPECTED) - 1} from the cache"
        in capsys.readouterr().err
    )
    assert json.loads(cached[0].read_text()) == victim
    assert (tmp_path / "again.csv").read_bytes() == (batch_dir / "grades.csv").read_bytes()


def test_the_sources_check_counts_are_cached_beside_the_results(batch_dir, tmp_path, monkeypatch):
    stored = list((batch_dir / "cache" / "references").glob("*.json"))
    assert len(stored) == 1  # one source (toy), graded once to count its checks
    counts = json.loads(stored[0].read_text())
    assert counts and all(isinstance(n, int) and n >= 0 for n in counts.values())
    cache = tmp_path / "cache"
    shutil.copytree(batch_dir / "cache", cache)
    sorted(cache.glob("*.json"))[0].unlink()  # one submission to grade again

    def computed_again(*args, **kwargs):
        raise AssertionError("the source's check counts were computed again")

    monkeypatch.setattr(batch, "reference_checks", computed_again)
    args = [str(batch_dir / "submissions"), str(batch_dir / "exercises")]
    args += ["--source", str(batch_dir / "solutions"), "--cache", str(cache)]
    assert grade(*args, "--out", str(tmp_path / "again.csv"), jobs="1") == 0
    assert (tmp_path / "again.csv").read_bytes() == (batch_dir / "grades.csv").read_bytes()


def test_shards_merge_to_the_full_sheet(batch_dir, tmp_path):
    args = [str(batch_dir / "submissions"), str(batch_dir / "exercises")]
    args += ["--source", str(batch_dir / "solutions"), "--cache", str(batch_dir / "cache")]
    parts = [tmp_path / f"part{i}.csv" for i in (1, 2, 3)]
    for i, out in enumerate(parts, start=1):
        assert grade(*args, "--shard", f"{i}/3", "--out", str(out)) == 0
    students = [set(sheet_rows(p)) for p in parts]
    assert sum(map(len, students)) == len(EXPECTED) and set.union(*students) == set(EXPECTED)
    assert all(students)  # every shard got work
    assert main(["merge", *map(str, parts), "--out", str(tmp_path / "all.csv")]) == 0
    assert (tmp_path / "all.csv").read_bytes() == (batch_dir / "grades.csv").read_bytes()
    assert (tmp_path / "all.json").read_bytes() == (batch_dir / "grades.json").read_bytes()


def test_regrading_from_scratch_gives_identical_results(batch_dir, tmp_path):
    """ivan's answers use unseeded randomness and hash(): seeded kernels grade them the same."""
    for student in ("ivan", "bob"):
        shutil.copytree(batch_dir / "submissions" / student, tmp_path / "subs" / student)
    args = [str(tmp_path / "subs"), "--source", str(batch_dir / "solutions"), "--no-cache"]
    assert grade(*args, "--out", str(tmp_path / "g.csv"), "--feedback", str(tmp_path / "fb")) == 0
    first = sheet_rows(batch_dir / "grades.csv")
    for student, row in sheet_rows(tmp_path / "g.csv").items():
        assert {k: v for k, v in row.items() if k != "submission"} == {
            k: v for k, v in first[student].items() if k != "submission"
        }
        assert (tmp_path / "fb" / student / "toy.html").read_text() == page(batch_dir, student)
    assert "got 9." in page(batch_dir, "ivan")  # the random value is in the message, compared above


def test_notebook_time_limit_stops_the_run(batch_dir, tmp_path):
    args = [str(batch_dir / "submissions" / "erin"), "--source", str(batch_dir / "solutions")]
    out = tmp_path / "g.csv"
    assert grade(*args, "--no-cache", "--out", str(out), timeout="5", cell_timeout="60") == 0
    row = sheet_rows(out)["erin"]
    assert row["status"] == "timeout" and "5 s limit for the whole notebook" in row["reason"]
    assert [float(row[p]) for p in PARTS] == [2, 0, 0]  # the tests after the loop never ran


class Stderr(io.StringIO):
    """A stand-in for sys.stderr: a terminal (tty) or a log file."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def bar(total: int, statuses: list[str], tty: bool, monkeypatch) -> str:
    """All a Progress writes for ``statuses``; the clock reads 100 s at the start, then 131 s."""
    clock = itertools.chain([100.0], itertools.repeat(131.0))
    monkeypatch.setattr(progress, "time", SimpleNamespace(perf_counter=clock.__next__))
    stream = Stderr(tty)
    drawn = progress.Progress(total, stream)
    for status in statuses:
        drawn.advance(status)
    return stream.getvalue()


def test_progress_in_a_log_prints_a_line_every_tenth(monkeypatch):
    statuses = ["ok"] * 40
    statuses[4], statuses[30] = "timeout", "error"
    lines = bar(40, statuses, tty=False, monkeypatch=monkeypatch).splitlines()
    assert [int(re.match(r"grading (\d+)/40 ", line)[1]) for line in lines] == [
        *[1, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40]
    ]
    assert lines[0] == "grading 1/40 [>                       ] 31s"
    assert lines[3] == "grading 12/40 [=======>                ] 31s, 1 not ok"
    assert lines[-1] == "grading 40/40 [========================] 31s, 2 not ok"


def test_progress_on_a_terminal_redraws_one_line(monkeypatch):
    text = bar(3, ["ok", "error", "ok"], tty=True, monkeypatch=monkeypatch)
    assert text.split("\r") == [
        "",
        "grading 1/3 [========>               ] 31s",
        "grading 2/3 [================>       ] 31s, 1 not ok",
        "grading 3/3 [========================] 31s, 1 not ok\n",
    ]


def test_grade_shows_the_progress_on_stderr(tmp_path, capsys):
    """alice is right; heidi's kernel dies (status error)."""
    for student in ("alice", "heidi"):
        shutil.copytree(FIXTURES / "submissions" / student, tmp_path / "subs" / student)
    args = [str(tmp_path / "subs"), "--source", str(FIXTURES / "solutions"), "--no-cache"]
    capsys.readouterr()
    assert grade(*args, "--out", str(tmp_path / "g.csv")) == 0
    counts = re.findall(r"^grading (\d+)/2 \[[=> ]{24}\] \d+s(.*)$", capsys.readouterr().err, re.M)
    assert [done for done, _ in counts] == ["1", "2"] and counts[-1][1] == ", 1 not ok"
    assert grade(*args, "--out", str(tmp_path / "q.csv"), "--quiet") == 0
    assert "grading" not in capsys.readouterr().err


def course_copy(tmp_path: Path) -> Path:
    for name in ("solutions", "exercises"):
        shutil.copytree(FIXTURES / name, tmp_path / name)
    return tmp_path


def validate(course: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    paths = ["--source", str(course / "solutions"), "--exercises", str(course / "exercises")]
    code = main(["validate", *paths, "--cell-timeout", "20"])
    return code, capsys.readouterr().out


def test_validate_passes_on_the_fixture_course(tmp_path, capsys):
    code, out = validate(course_copy(tmp_path), capsys)
    assert (code, out.strip()) == (0, "OK: 1 assignment(s) validated")


def test_validate_reports_a_broken_course(tmp_path, capsys):
    course = course_copy(tmp_path)
    nb = read_notebook(course / "solutions" / "toy.ipynb")
    square = next(c for c in nb.cells if c.get("id") == "square")
    square.source = square.source.replace("return x * x", "return x + x")  # a wrong solution
    free = nb.cells[-2].copy()  # a test that passes without any solution
    free.source, free.id = "assert True", "free"
    free.metadata = {"nbgrader": {**nb.cells[-2].metadata["nbgrader"], "grade_id": "test_free"}}
    nb.cells.insert(len(nb.cells) - 1, free)
    (course / "solutions" / "toy.ipynb").write_text(notebook_text(nb))
    exercise = read_notebook(course / "exercises" / "toy.ipynb")
    exercise.cells[2].source += "\n    return sum(xs) / len(xs)"  # a solution line leaked
    (course / "exercises" / "toy.ipynb").write_text(notebook_text(exercise))
    code, out = validate(course, capsys)
    assert code == 1
    assert "toy.ipynb is out of date" in out
    assert "reveals 'return sum(xs) / len(xs)'" in out
    assert (
        "toy: the solution earns 3/5; test_square: AssertionError: square(3) should be 9, got 6"
        in out
    )
    assert "toy: the unmodified exercise earns 1/5; passing without a solution: test_free" in out
