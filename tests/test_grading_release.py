"""Release, markers, source checks, assembly, sheets and the cache: everything without a kernel."""

import json
import shutil
from pathlib import Path

import pytest
from nbformat import v4

from nncourse.cli import main
from nncourse.grading import cache, grade, markers, sheet
from nncourse.grading.assemble import grading_notebook
from nncourse.grading.discover import UNKNOWN, find_submissions, identify, match_assignment
from nncourse.grading.execute import Run
from nncourse.grading.notebook import (
    NotebookError,
    autograded_points,
    check_source,
    parse_notebook,
    read_notebook,
)
from nncourse.grading.release import notebook_text, release, stale, student_version

FIXTURES = Path(__file__).parent / "grading_fixtures"
SOURCE = FIXTURES / "solutions" / "toy.ipynb"


def cell(source, gid=None, kind=None, points=None, cell_type="code"):
    """A cell with nbgrader metadata for role ``kind`` (solution / test / locked / manual)."""
    meta = {}
    if kind:
        meta = {
            "nbgrader": {
                "grade_id": gid,
                "schema_version": 3,
                "task": False,
                "solution": kind in ("solution", "manual"),
                "grade": kind in ("test", "manual"),
                "locked": kind in ("test", "locked"),
            }
        }
        if points is not None:
            meta["nbgrader"]["points"] = points
    make = v4.new_code_cell if cell_type == "code" else v4.new_markdown_cell
    return make(source, metadata=meta)


def notebook(*cells):
    return v4.new_notebook(cells=list(cells))


@pytest.fixture
def course(tmp_path):
    shutil.copytree(FIXTURES / "solutions", tmp_path / "solutions")
    shutil.copytree(FIXTURES / "exercises", tmp_path / "exercises")
    return tmp_path


# --- markers and release -------------------------------------------------------------------


def test_solution_region_becomes_stub_at_marker_indentation():
    src = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    out = markers.strip_solutions(src, "code")
    assert out == "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    assert markers.strip_solutions(
        "### BEGIN SOLUTION\nIt is 4.\n### END SOLUTION", "markdown"
    ) == ("YOUR ANSWER HERE")


@pytest.mark.parametrize(
    "source, problem",
    [
        ("### BEGIN SOLUTION\nx = 1", "without"),
        ("### END SOLUTION", "without"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "nested"),
    ],
)
def test_unbalanced_markers_are_errors(source, problem):
    with pytest.raises(ValueError, match=problem):
        markers.regions(source, markers.SOLUTION)


def test_hidden_chunks_split_at_top_level_only():
    src = "a = 1\n### BEGIN HIDDEN TESTS\nassert a\n### END HIDDEN TESTS\nb = 2"
    assert markers.hidden_chunks(src) == [("a = 1", False), ("assert a", True), ("b = 2", False)]
    indented = (
        "for i in range(2):\n    ### BEGIN HIDDEN TESTS\n    assert i < 2\n    ### END HIDDEN TESTS"
    )
    assert markers.hidden_chunks(indented) is None


def test_student_version_of_the_fixture():
    nb = student_version(read_notebook(SOURCE))
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN" not in text and "SECRET" not in text and "sum(xs) / len(xs)" not in text
    assert text.count("raise NotImplementedError()") == 2
    assert 'mean([1, 2, 3]) == 2, "mean([1, 2, 3]) should be 2"' in text  # visible test kept
    locked = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("locked")]
    assert locked and all(c.metadata["editable"] is False for c in locked)
    assert all(
        c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code"
    )
    assert all("checksum" in c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata)


def test_release_writes_fixture_exercise_and_is_idempotent(tmp_path):
    out = tmp_path / "exercises"
    assert release(FIXTURES / "solutions", out) == [out / "toy.ipynb"]
    first = (out / "toy.ipynb").read_bytes()
    assert first == (FIXTURES / "exercises" / "toy.ipynb").read_bytes()
    assert release(FIXTURES / "solutions", out) == []
    assert (out / "toy.ipynb").read_bytes() == first


def test_release_gives_cells_without_ids_fixed_ids():
    nb = notebook(cell("x = 1"), cell("y = 2"))
    nb.nbformat_minor = 5
    for c in nb.cells:
        del c["id"]
    assert notebook_text(student_version(nb)) == notebook_text(student_version(nb))


def test_release_check_detects_stale_missing_and_extra(course):
    args = ["release", "--check", "--source", str(course / "solutions"), "--out"]
    assert main([*args, str(course / "exercises")]) == 0
    nb = read_notebook(course / "solutions" / "toy.ipynb")
    nb.cells[0].source += "\nA new sentence."
    (course / "solutions" / "toy.ipynb").write_text(notebook_text(nb))
    assert any("out of date" in p for p in stale(course / "solutions", course / "exercises"))
    assert main([*args, str(course / "exercises")]) == 1
    shutil.copy(course / "exercises" / "toy.ipynb", course / "exercises" / "orphan.ipynb")
    assert any("orphan" in p for p in stale(course / "solutions", course / "exercises"))
    assert any("missing" in p for p in stale(course / "solutions", course / "empty"))
    assert (
        main(["release", "--source", str(course / "solutions"), "--out", str(course / "exercises")])
        == 0
    )
    (problem,) = stale(course / "solutions", course / "exercises")
    assert "orphan.ipynb has no solution notebook" in problem


# --- source checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells, problem",
    [
        ([cell("x", "t", "test", 1), cell("y", "t", "test", 1)], "duplicate grade_id"),
        ([cell("assert 1", "t", "test")], "points must be a positive number"),
        ([cell("assert 1", "t", "test", 0)], "points must be a positive number"),
        ([cell("x", "", "solution"), cell("assert 1", "t", "test", 1)], "without a grade_id"),
        ([cell("### BEGIN SOLUTION\nx", "s", "solution"), cell("a", "t", "test", 1)], "unbalanced"),
        (
            [cell("### BEGIN SOLUTION\nx\n### END SOLUTION"), cell("a", "t", "test", 1)],
            "solution region",
        ),
        (
            [
                cell("### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS", "s", "solution"),
                cell("a", "t", "test", 1),
            ],
            "hidden-test region",
        ),
        ([cell("x = 1", "s", "solution")], "no autograded test cell"),
        (
            [cell("It is 4", "s", "solution", cell_type="markdown"), cell("a", "t", "test", 1)],
            "manual grade",
        ),
        ([cell("a", "t", "test", 1, cell_type="markdown")], "must be a code cell"),
    ],
)
def test_check_source_reports_problems(cells, problem):
    problems = check_source(notebook(*cells))
    assert any(problem in p for p in problems), problems


def test_fixture_source_is_sound():
    assert check_source(read_notebook(SOURCE)) == []
    assert autograded_points(read_notebook(SOURCE)) == {
        "test_mean": 2.0,
        "test_square": 1.0,
        "test_square_array": 1.0,
    }


# --- assembly: what actually runs --------------------------------------------------------------


def source_nb():
    return notebook(
        cell("import numpy as np", "setup", "locked"),
        cell("### BEGIN SOLUTION\ndef f(): return 1\n### END SOLUTION", "sol", "solution"),
        cell(
            "assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f() > 0\n### END HIDDEN TESTS",
            "t1",
            "test",
            1,
        ),
        cell("assert f() < 2", "t2", "test", 1),
    )


def run_sources(nb):
    """Code run for each cell, skipping the seed cell, with (part, hidden) tags."""
    return [
        (c.source, c.metadata["nncourse"].get("part"), c.metadata["nncourse"].get("hidden"))
        for c in nb.cells[1:]
    ]


def test_assembly_restores_edited_and_missing_cells_and_hidden_tests():
    learner = student_version(source_nb())
    learner.cells[1].source = "def f(): return 1"
    learner.cells[2].source = "pass  # my own test"
    del learner.cells[3]  # t2 deleted: goes back after t1
    del learner.cells[0]  # setup deleted, nothing earlier: goes back before sol
    learner.cells.append(learner.cells[1])  # a copy of t1 is ignored
    nb, notes = grading_notebook(learner, source_nb())
    assert run_sources(nb) == [
        ("import numpy as np", None, None),
        ("def f(): return 1", None, None),
        ("assert f() == 1", "t1", False),
        ("assert f() > 0", "t1", True),
        ("assert f() < 2", "t2", False),
    ]
    assert nb.cells[0].metadata["nncourse"] == {"role": "seed"}
    assert any("t1 was edited" in n for n in notes)
    assert any("t2 was missing" in n for n in notes) and any(
        "setup was missing" in n for n in notes
    )
    assert any("copy of test cell t1" in n for n in notes)


def test_assembly_appends_missing_cells_when_no_neighbour_survives():
    nb, notes = grading_notebook(notebook(cell("print('hi')")), source_nb())
    assert [s for s, _, _ in run_sources(nb)][0] == "print('hi')"
    assert [p for _, p, _ in run_sources(nb)][-3:] == ["t1", "t1", "t2"]
    assert len(notes) == 3


def test_assembly_ignores_learner_metadata_on_their_own_cells():
    learner = student_version(source_nb())
    learner.cells[1].metadata["nncourse"] = {"part": "t2"}
    learner.cells[1].metadata["tags"] = ["skip-execution"]
    nb, _ = grading_notebook(learner, source_nb())
    assert nb.cells[2].metadata == {"nncourse": {}}


def test_assembly_survives_odd_learner_metadata():
    learner = json.loads(notebook_text(student_version(source_nb())))
    learner["cells"][1]["metadata"] = {
        "nbgrader": {"solution": True, "grade_id": ["not", "a", "str"]}
    }
    learner["cells"][2]["metadata"] = ["not", "a", "dict"]  # t1's metadata destroyed
    learner["cells"][3]["source"] = ["assert ", "True"]  # t2 as a list of lines, edited
    nb, notes = grading_notebook(parse_notebook(json.dumps(learner).encode()), source_nb())
    assert [p for _, p, _ in run_sources(nb)].count("t1") == 2  # put back (its cell lost its id)
    assert "assert f() < 2" in [s for s, _, _ in run_sources(nb)]
    assert any("t2 was edited" in n for n in notes)


@pytest.mark.parametrize(
    "data", [b"{not json", b"[]", b'{"cells": 3}', b'{"nbformat": 3, "cells": []}', b"\xff\xfe"]
)
def test_unreadable_notebooks_raise_notebook_error(data):
    with pytest.raises(NotebookError):
        parse_notebook(data)


# --- scoring, with the kernel replaced by scripted outcomes -----------------------------------

OK, FAIL = (
    {"status": "ok", "ename": "", "evalue": ""},
    {"status": "error", "ename": "AssertionError", "evalue": "no"},
)
SLOW = {"status": "timeout", "ename": "", "evalue": ""}


@pytest.mark.parametrize(
    "outcomes, stopped, status, reason, results",
    [
        # cells run: seed, setup, sol, t1 visible, t1 hidden, t2
        ([OK, OK, OK, OK, OK, OK], None, "ok", "", ["passed", "passed"]),
        ([OK, OK, OK, OK, FAIL, OK], None, "ok", "", ["failed", "passed"]),
        (
            [OK, OK, SLOW, FAIL, None, FAIL],
            None,
            "timeout",
            "the cell starting `def f(): return 1` ran past 9 s",
            ["failed", "failed"],
        ),
        (
            [OK, OK, OK, OK, None, None],
            "kernel died",
            "error",
            "kernel died in hidden part of test cell t1",
            ["not run", "not run"],
        ),
        (
            [OK, OK, OK, OK, OK, None],
            "timeout",
            "timeout",
            "stopped at the 60 s limit for the whole notebook",
            ["passed", "not run"],
        ),
    ],
)
def test_scoring(monkeypatch, outcomes, stopped, status, reason, results):
    monkeypatch.setattr(
        grade,
        "run_notebook",
        lambda nb, *a: Run(outcomes, stopped, [2] if SLOW in outcomes else []),
    )
    learner = student_version(source_nb())
    learner.cells[1].source = "def f(): return 1"
    result = grade.grade_notebook(
        notebook_text(learner).encode(), source_nb(), grade.Options(60, 9)
    )
    assert (result["status"], result["reason"]) == (status, reason)
    assert [p["result"] for p in result["parts"]] == results
    assert result["total"] == sum(p["max"] for p in result["parts"] if p["result"] == "passed")
    assert "f() > 0" not in json.dumps(result)  # the hidden test's code never shows
    if results[0] == "failed" and outcomes[3] == OK:
        assert result["parts"][0]["message"] == "hidden test failed (AssertionError)"


# --- discovery ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, who",
    [
        ("c/submitted/ann/toy/toy.ipynb", ("ann", "toy")),
        ("c/submitted/ann/toy/other_name.ipynb", ("ann", "toy")),
        ("c/ann/toy.ipynb", ("ann", "toy")),
        ("c/toy/ann.ipynb", ("ann", "toy")),
        ("c/loose/ann_v2.ipynb", ("ann_v2", UNKNOWN)),
    ],
)
def test_identify_rules(path, who):
    found = identify(Path(path), {"toy", "ex01"})
    assert (found.student, found.assignment) == who


def test_match_assignment_by_grade_ids():
    assert match_assignment({"a", "b"}, {"toy": {"a", "b", "c"}, "ex01": {"a"}}) == "toy"
    assert match_assignment({"a"}, {"toy": {"a"}, "ex01": {"a"}}) is None
    assert match_assignment({"z"}, {"toy": {"a"}}) is None


def test_find_submissions_walks_folders_and_skips_checkpoints(tmp_path):
    for rel in [
        "a/toy.ipynb",
        "a/.ipynb_checkpoints/toy-checkpoint.ipynb",
        "b/toy.ipynb",
        "b/notes.txt",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    found = find_submissions([str(tmp_path), str(tmp_path / "a" / "toy.ipynb")], {"toy"})
    assert [(s.student, s.assignment) for s in found] == [("a", "toy"), ("b", "toy")]


# --- sheets and cache ---------------------------------------------------------------------------


def row(student, assignment, parts, status="ok"):
    return {
        "student": student,
        "assignment": assignment,
        "status": status,
        "reason": "",
        "total": float(sum(parts.values())),
        "max": 4.0,
        "submission": f"{student}.ipynb",
        "parts": parts,
    }


def test_sheet_round_trip_through_csv_and_json(tmp_path):
    rows = [
        row("bo", "toy", {"t1": 1.5, "t2": 0.0}),
        row("al", "toy", {"t1": 2.0, "t2": 1.0}),
        row("al", "ex01", {"q": 3.0}, "timeout"),
    ]
    json_path = sheet.write_sheet(rows, tmp_path / "g.csv")
    lines = (tmp_path / "g.csv").read_text().splitlines()
    assert lines[0] == "student,assignment,status,total,max,q,t1,t2,reason,submission"
    assert lines[1] == "al,ex01,timeout,3,4,3,,,,al.ipynb"
    assert lines[3] == "bo,toy,ok,1.5,4,,1.5,0,,bo.ipynb"
    expected = sorted(rows, key=lambda r: (r["assignment"], r["student"]))
    assert sheet.read_sheet(tmp_path / "g.csv") == expected
    assert sheet.read_sheet(json_path) == expected
    assert json.loads(json_path.read_text())["rows"][0]["q"] == 3.0


def test_merge_rejects_conflicting_rows(tmp_path):
    sheet.write_sheet([row("al", "toy", {"t1": 2.0})], tmp_path / "a.csv")
    sheet.write_sheet([row("al", "toy", {"t1": 0.0})], tmp_path / "b.csv")
    assert len(sheet.merge([tmp_path / "a.csv", tmp_path / "a.json"])) == 1
    with pytest.raises(ValueError, match="differs"):
        sheet.merge([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert (
        main(
            [
                "merge",
                str(tmp_path / "a.csv"),
                str(tmp_path / "b.csv"),
                "--out",
                str(tmp_path / "m.csv"),
            ]
        )
        == 1
    )


def test_cache_key_depends_on_every_input_and_writes_atomically(tmp_path):
    base = cache.key(b"nb", b"src", {"timeout": 1})
    assert (
        len(
            {
                base,
                cache.key(b"nb2", b"src", {"timeout": 1}),
                cache.key(b"nb", b"src2", {"timeout": 1}),
                cache.key(b"nb", b"src", {"timeout": 2}),
            }
        )
        == 4
    )
    assert cache.key(b"n", b"bsrc", {}) != cache.key(b"nb", b"src", {})  # lengths are part of it
    cache.store(tmp_path, base, {"total": 1})
    assert cache.load(tmp_path, base) == {"total": 1}
    assert [p.name for p in tmp_path.iterdir()] == [f"{base}.json"]
    (tmp_path / f"{base}.json").write_text("{broken")
    assert cache.load(tmp_path, base) is None and cache.load(None, base) is None


def test_cli_rejects_a_bad_shard(capsys):
    with pytest.raises(SystemExit):
        main(["grade", "x.ipynb", "--shard", "3/2"])
    assert "1 <= i <= n" in capsys.readouterr().err
