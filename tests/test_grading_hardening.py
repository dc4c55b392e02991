"""The grader's defences that need no kernel: reading untrusted files, the source's order,
hardened test code, plain data, redaction, tampering flags, the kernel's environment and the
paths hidden from it. (The kernel-side ones are graded end to end in test_hostile.py.)"""

import glob
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from nbformat import v4

from nncourse.grading import harden, sandbox
from nncourse.grading.assemble import grading_notebook
from nncourse.grading.guard import JUDGED, PLAIN, judged, plain
from nncourse.grading.notebook import (
    NotebookError,
    autograded_points,
    parse_notebook,
    read_notebook,
    read_submission,
    role,
)
from nncourse.grading.release import notebook_text, student_version

ROOT = Path(__file__).resolve().parents[1]
MB = 2**20


def nbgrader_cell(source, gid, kind, points=None):
    meta = {"grade_id": gid, "schema_version": 3, "task": False, "solution": kind == "solution"}
    meta |= {"grade": kind == "test", "locked": kind in ("test", "locked")}
    meta |= {"points": points} if points else {}
    return v4.new_code_cell(source, metadata={"nbgrader": meta})


def source_nb():
    return v4.new_notebook(
        cells=[
            nbgrader_cell("import numpy as np", "setup", "locked"),
            nbgrader_cell(
                "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                "f",
                "solution",
            ),
            nbgrader_cell("assert f() == 1", "t1", "test", 1),
            nbgrader_cell("assert f() > 0", "t2", "test", 2),
        ]
    )


def learner_nb():
    nb = student_version(source_nb())
    nb.cells[1].source = "def f():\n    return 1"
    return nb


def code_run(nb):
    """(source, tag) of every cell run after the grader's set-up."""
    return [(c.source, c.metadata["nncourse"]) for c in nb.cells[1:]]


# --- reading untrusted files ------------------------------------------------------------------


def test_a_notebook_is_read_whole_with_or_without_a_byte_order_mark(tmp_path):
    data = notebook_text(learner_nb()).encode()
    (tmp_path / "a.ipynb").write_bytes(b"\xef\xbb\xbf" + data)
    read = read_submission(tmp_path / "a.ipynb", MB)
    assert read == b"\xef\xbb\xbf" + data
    assert parse_notebook(read).cells[1].source == "def f():\n    return 1"


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda p: p.write_bytes(b""), "the file is empty"),
        (lambda p: p.write_bytes(b" \n\t"), "the file is empty"),
        (lambda p: os.mkfifo(p), "it is not a regular file"),
        (lambda p: p.symlink_to(p.with_name("real.ipynb")), "it is a symbolic link"),
        (lambda p: p.mkdir(), "it is not a regular file"),
        (lambda p: p.open("wb").truncate(2**40), "is 1048576 MB, over the 1 MB limit"),
        (lambda p: None, "cannot read the file: No such file or directory"),
    ],
)
def test_files_that_are_not_notebooks_are_refused_before_reading(tmp_path, make, problem):
    (tmp_path / "real.ipynb").write_text("{}")
    path = tmp_path / "sub.ipynb"
    make(path)
    with pytest.raises(NotebookError, match=problem):
        parse_notebook(read_submission(path, MB))  # a FIFO would block a plain read


# --- the source decides what runs, and in which order --------------------------------------------


def test_moved_retyped_and_duplicated_test_cells_run_as_the_source_has_them():
    learner = learner_nb()
    setup, solution, t1, t2 = learner.cells
    t2.cell_type = "markdown"
    t2.metadata.nbgrader["points"] = 100
    del t2["outputs"], t2["execution_count"]
    extra = v4.new_code_cell("helper = 3")
    copy_of_t1 = v4.new_code_cell("assert True", metadata={"nbgrader": dict(t1.metadata.nbgrader)})
    bonus = nbgrader_cell("assert True", "t_bonus", "test", 50)
    learner.cells = [t2, copy_of_t1, t1, solution, extra, setup, bonus]
    nb, notes = grading_notebook(learner, source_nb())
    assert code_run(nb) == [
        ("import numpy as np", {"read_only": "setup"}),
        ("assert True", {}),  # the learner's bonus "test" stays after setup, as code, ungraded
        ("def f():\n    return 1", {}),
        ("helper = 3", {}),
        ("assert f() == 1", {"part": "t1", "hidden": False, "chunk": 0}),
        ("assert f() > 0", {"part": "t2", "hidden": False, "chunk": 0}),
    ]
    assert "test cell t2 was changed to markdown" in notes
    assert "a copy of test cell t1 was ignored" in notes
    assert "cells were moved; they ran in the order of the original notebook" in notes
    assert autograded_points(source_nb()) == {"t1": 1.0, "t2": 2.0}  # points: the source's


# --- hardened test code -----------------------------------------------------------------------


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __array_function__(self, *args, **kwargs):
        return True


def run_test(code: str, value) -> None:
    exec(harden.test_code(code), {"np": np, "f": lambda: value, PLAIN: plain, JUDGED: judged})


@pytest.mark.parametrize(
    "code",
    [
        "assert f() == 4",
        "assert not f() != 4",
        "assert f() in [4]",
        "assert np.array_equal(f(), 4)",
        "assert all(x == 4 for x in [f()])",
    ],
)
def test_hardened_asserts_judge_plain_data_only(code):
    run_test(code, 4)  # a right answer passes
    with pytest.raises(AssertionError):
        run_test(code, 5)
    with pytest.raises(TypeError, match="is a AlwaysEqual, not a number"):
        run_test(code, AlwaysEqual())
    exec(code, {"np": np, "f": AlwaysEqual})  # unhardened, the fake passes


def test_hardening_leaves_identity_checks_messages_and_magics_alone():
    assert harden.test_code("assert x is None, f'{x!r}'") == "assert x is None, f'{x!r}'"
    assert harden.test_code("%time y = 1") == "%time y = 1"
    assert harden.test_code("y = f() == 4") == "y = f() == 4"  # not an assert: unchanged
    assert harden.finished("abc") == "\n_nncourse_test_finished = 'abc'\n"


class Number(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class FakeArray(np.ndarray):
    def __eq__(self, other):
        return True

    @property
    def dtype(self):
        return np.dtype(float)


class Exploding:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("the learner's code ran")


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        (3, 3),
        (2.5, 2.5),
        (np.float64(1.5), 1.5),
        (np.int32(7), 7),
        ("text", "text"),
        ([1, (2.0, "a")], [1, (2.0, "a")]),
        ({"k": {1, 2}}, {"k": {1, 2}}),
        (Number(2.0), 2.0),
        (int, int),
    ],
)
def test_plain_copies_values_into_base_types(value, expected):
    got = plain(value)
    assert got == expected and type(got) in (type(expected), np.float64, np.int32)
    assert type(got) is not Number


def test_plain_copies_arrays_into_real_ndarrays_and_refuses_everything_else():
    fake = np.arange(3.0).view(FakeArray)
    got = plain(fake)
    assert type(got) is np.ndarray and got.tolist() == [0.0, 1.0, 2.0]
    got[0] = 9
    assert fake[0] == 0  # a copy
    with pytest.raises(TypeError, match="is an array of object"):
        plain(np.array([Number(1.0)], dtype=object))
    with pytest.raises(TypeError, match="x is a Exploding, not a number"):
        plain(Exploding(), "x")  # __array__ never runs
    with pytest.raises(TypeError, match="nested too deeply"):
        nested = []
        nested.append(nested)
        plain(nested)


# --- hidden tests stay hidden; tampering is flagged --------------------------------------------


def test_messages_quoting_hidden_code_are_withheld_however_quoted():
    hidden = 'check_close("double(z)", double(np.arange(4.0)), [0.0, 2.0])\nx = 1'
    secrets = harden.secret_lines([hidden])
    sent = harden.test_code(hidden)  # single quotes, as the kernel compiles it
    for leak in (hidden, sent, repr(sent.encode()), "got: " + " ".join(sent.split())):
        assert harden.redact(leak, secrets) == "(message withheld: it quotes a hidden test)"
    assert harden.redact("double(1.5) is 2.5, expected 3.", secrets) == (
        "double(1.5) is 2.5, expected 3."
    )
    assert "x=1" not in secrets  # too short to tell apart from ordinary text


@pytest.mark.parametrize(
    "code, flag",
    [
        ("get_ipython().input_transformers_post.append(f)", "IPython's hooks"),
        ("type(get_ipython()).run_cell = run", "IPython's hooks"),
        ("sys.addaudithook(spy)", "exception, trace or audit hooks"),
        ("frame = sys._getframe(1)", "stack frames"),
        ("gc.get_objects()", "the garbage collector"),
        ("def __eq__(self, other):", "comparison or array hooks"),
        ("import builtins", "builtins"),
        ("nncourse.checks.check_close = None", "the grader or the checks"),
        ("check_close = print", "the grader or the checks"),
        ("np.allclose = lambda *a: True", "changes to numpy"),
        ("sys.modules['numpy'] = fake", "sys.modules or the import system"),
        ("import ctypes", "ctypes"),
    ],
)
def test_tampering_techniques_are_flagged(code, flag):
    assert harden.flags(["x = 1", code]) == [flag]


def test_real_answers_are_not_flagged():
    """The course's solutions and its corpus of learners' answers use none of the techniques."""
    paths = glob.glob(str(ROOT / "solutions" / "*.ipynb"))
    paths += glob.glob(str(ROOT / "tests" / "submissions" / "*" / "*.ipynb"))
    assert len(paths) > 20
    for path in paths:
        nb = read_notebook(path)
        answers = [c.source for c in nb.cells if c.cell_type == "code" and role(c) == "solution"]
        assert harden.flags(answers) == [], path


# --- what the kernel gets: environment and hidden paths -------------------------------------------


def test_the_kernel_environment_keeps_nothing_of_the_instructors(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("NNCOURSE_DATA", "/data")
    env = sandbox.kernel_env(str(tmp_path))
    assert "s3cr3t" not in json.dumps(env) and "t0ken" not in json.dumps(env)
    assert env["NNCOURSE_DATA"] == "/data" and env["PYTHONHASHSEED"] == "0"
    assert env["HOME"] == str(tmp_path / "work") and env["PATH"] == os.environ["PATH"]


def test_hidden_paths_drop_nested_ones_and_never_hide_the_python_environment(tmp_path):
    (tmp_path / "course" / "solutions").mkdir(parents=True)
    (tmp_path / "course" / "solutions" / "a.ipynb").write_text("{}")
    paths, warnings = sandbox.hidden_paths(
        [str(tmp_path / "course"), str(tmp_path / "course" / "solutions"), str(tmp_path / "nope")]
    )
    assert (paths, warnings) == ([str(tmp_path / "course")], [])
    if ROOT.resolve().is_relative_to(Path(tempfile.gettempdir()).resolve()):
        pytest.skip(
            "this checkout lives in the temp dir, which kernels need: nothing under it "
            "can be hidden (see docs/grader-threat-model.md)"
        )
    paths, warnings = sandbox.hidden_paths([str(ROOT)])  # holds nncourse (an editable install)
    assert str(ROOT / "solutions" / "ex01_neuron_activations.ipynb") in paths
    assert str(ROOT) not in paths and "only its notebooks are hidden" in warnings[0]
