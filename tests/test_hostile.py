"""Hostile and broken submissions (tests/hostile/): each gets the grade it earned, a status that
says what happened, and leaves the rest of the batch, the machine and the hidden tests alone.

One batch grades the whole corpus (``nncourse grade`` in a subprocess, two kernels at a time);
the tests read its sheet and feedback. A second batch of 30 copies is interrupted twice (SIGINT,
then SIGTERM) and resumed. Each batch's processes carry a marker in their environment, so the
tests can tell them from other tests' kernels. See docs/grader-threat-model.md.
"""

import csv
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nncourse.grading import sandbox
from nncourse.grading.notebook import NotebookError, read_submission

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import make_hostile  # noqa: E402

HOSTILE = Path(__file__).parent / "hostile"
SOURCES = HOSTILE / "solutions"
SUBMISSIONS = HOSTILE / "submissions"
PARTS = ["test_close", "test_equal", "test_array"]
CONF = sandbox.probe([])
ISOLATED = CONF.isolate  # root, with namespaces: the kernel sees none of the instructor's files
HIDDEN_TEXT = "arange(4.0)"  # only the hidden part of test_close contains it
RIGHT, NOTHING = [2, 1, 1], [0, 0, 0]

# case: (status, points per part, words in the reason), worked out from each case's cells in
# make_hostile.py. The run uses --cell-timeout 5 --memory 1024.
EXPECTED = {
    "correct": ("ok", RIGHT, ""),
    # 1. time: interrupted, the run goes on; a kernel ignoring the interrupt is stopped
    "infinite_loop": ("timeout", RIGHT, "the cell starting `def double(x):` ran past 5 s"),
    "sleeps_forever": ("timeout", RIGHT, "the cell starting `def double(x):` ran past 5 s"),
    "asks_input": ("ok", RIGHT, ""),
    "ignores_interrupt": (
        "timeout",
        NOTHING,
        "ignored the interrupt at 5 s; the kernel was stopped",
    ),
    # 2. resources: limits hit inside the kernel become errors of that cell
    "memory_bomb": ("ok", RIGHT, ""),
    "fork_bomb": ("ok", RIGHT, "process(es) the notebook left running"),  # (or a timeout)
    "thread_bomb": ("ok", RIGHT, ""),
    "runaway_processes": ("ok", RIGHT, "stopped 3 process(es) the notebook left running"),
    "checks_limits": ("ok", RIGHT, ""),  # it loses its points if a limit is missing
    # 3. exits: a dead kernel scores what passed before it died; sys.exit and exit() are errors
    "os_exit": ("error", [2, 0, 0], "kernel died in the cell starting `import os`"),
    "segfault": ("error", [2, 1, 0], "kernel died in the cell starting `import ctypes`"),
    # isolated, the kernel is PID 1 of its namespace and its own SIGKILL does not reach it
    "kills_kernel": ("ok", RIGHT, "") if ISOLATED else ("error", NOTHING, "kernel died"),
    "exits": ("ok", RIGHT, ""),
    # 4. tampering with tests and metadata: points and test code come from the source
    "tampered_wrong": ("ok", NOTHING, "test cell test_close was edited; the original was used"),
    "tampered_right": ("ok", RIGHT, "test cell test_equal was changed to markdown"),
    # 5. fooling the checks
    "fake_values": ("ok", NOTHING, "flagged for review: the code uses stack frames"),
    "patches_checks": ("ok", NOTHING, "flagged for review: the code uses IPython's hooks"),
    "swallows_errors": ("ok", NOTHING, "flagged for review"),
    # in-place patches the guard cannot undo: the grader judges the recorded checks itself
    "checks_patched_in_place": ("ok", NOTHING, "flagged for review: the code uses code objects"),
    "checks_silenced": ("ok", NOTHING, "flagged for review: the code uses code objects"),
    "asserts_patched_in_place": ("ok", NOTHING, "flagged for review: the code uses the grader"),
    # 6. snooping (aimed at real paths by the test): nothing to read, write or connect to
    "snoops": ("ok", RIGHT, ""),  # (stored with a placeholder: its attack cell just fails)
    "snoops_aimed": ("ok", RIGHT, "") if ISOLATED else ("ok", NOTHING, ""),
    "hidden_spy": ("ok", [2, 0, 0], "flagged for review: the code uses exception, trace or audit"),
    # 7. broken files
    "invalid_json": ("invalid", NOTHING, "not a readable notebook: Unterminated string"),
    "nbformat3": ("invalid", NOTHING, "not a readable notebook"),
    "latin1": ("invalid", NOTHING, "'utf-8' codec can't decode byte 0xe9"),
    "bom": ("ok", RIGHT, ""),
    "empty": ("invalid", NOTHING, "the file is empty"),
    "binary": ("invalid", NOTHING, "not a readable notebook"),
    "big_outputs": ("ok", RIGHT, ""),
    "huge": ("invalid", NOTHING, "the file is 200 MB, over the 20 MB limit"),
    "fifo": ("invalid", NOTHING, "it is not a regular file"),
    "link": ("invalid", NOTHING, "it is a symbolic link, not a notebook file"),
    "oversized_error": ("ok", [0, 1, 1], ""),
    "many_errors": ("ok", RIGHT, ""),
    # 8. noise
    "noisy": ("ok", RIGHT, ""),
    # 9. nondeterminism: two copies, graded in two kernels
    "unseeded": ("ok", NOTHING, ""),
    "unseeded_again": ("ok", NOTHING, ""),
}


def test_the_corpus_is_what_make_hostile_builds():
    stale = make_hostile.stale()
    assert not stale, f"run `python tests/hostile/make_hostile.py`; out of date: {stale}"
    assert set(make_hostile.CASES) | {"bom", "big_outputs"} <= set(EXPECTED)


@pytest.fixture(scope="module")
def batch(tmp_path_factory, worker_id):
    """The graded batch, built once per test session even with pytest-xdist: the first worker
    builds it under a lock, the others wait and read it."""
    session = tmp_path_factory.getbasetemp()
    root = (session if worker_id == "master" else session.parent) / "hostile-batch"
    with open(f"{root}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "connections.json").exists():
            _grade_the_corpus(root)
    return root


def _grade_the_corpus(root: Path) -> None:
    """The corpus plus files made here (a 200 MB file, a FIFO, a link, the aimed snooper),
    graded; whether the snooper reached a TCP server opened here goes to connections.json."""
    extra = root / "extra" / "guarded"
    extra.mkdir(parents=True)
    with (extra / "huge.ipynb").open("wb") as handle:
        handle.truncate(200 * 2**20)  # sparse: 200 MB long, nothing on disk
    os.mkfifo(extra / "fifo.ipynb")
    (extra / "link.ipynb").symlink_to(SUBMISSIONS / "guarded" / "correct.ipynb")
    shutil.copy(SUBMISSIONS / "guarded" / "unseeded.ipynb", extra / "unseeded_again.ipynb")
    sheet = root / "grades.csv"
    sheet.write_text("an old sheet\n")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        targets = {
            "read": [
                str(SOURCES / "guarded.ipynb"),
                str(SUBMISSIONS / "guarded" / "correct.ipynb"),
                str(sheet),
                "/etc/shadow",
            ],
            "list": [str(SOURCES), str(SUBMISSIONS / "guarded"), str(root), "/root"],
            "write": [str(root / "pwned.txt"), str(HOSTILE / "pwned.txt"), str(sheet)],
            "connect": [["127.0.0.1", listener.getsockname()[1]], ["1.1.1.1", 53]],
        }
        (extra / "snoops_aimed.ipynb").write_text(make_hostile.aimed_snoop(targets))
        args = [str(SUBMISSIONS), str(root / "extra"), "--source", str(SOURCES)]
        args += ["--out", str(sheet), "--feedback", str(root / "feedback")]
        args += ["--jobs", "2", "--cell-timeout", "5", "--timeout", "60", "--memory", "1024"]
        proc = _cli(*args, "--no-cache", "--quiet", mark="hostile-batch")
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        listener.setblocking(False)
        try:
            listener.accept()
            connections = 1
        except BlockingIOError:
            connections = 0
    (root / "connections.json").write_text(json.dumps(connections))


def rows(path: Path) -> dict[str, dict]:
    with path.open(newline="") as handle:
        found = list(csv.DictReader(handle))
    by_student = {row["student"]: row for row in found}
    assert len(by_student) == len(found), "two submissions of one student"
    return by_student


def page(root: Path, student: str) -> str:
    return (root / "feedback" / student / "guarded.html").read_text()


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_case_earns_what_it_should(batch, case):
    status, points, reason = EXPECTED[case]
    row = rows(batch / "grades.csv")[case]
    if case == "fork_bomb" and row["status"] == "timeout":  # a loaded machine: slow, not wrong
        status, reason = "timeout", "the cell starting `import os` ran past 5 s"
    assert row["status"] == status, row["reason"]
    assert [float(row[p]) for p in PARTS] == points, row["reason"]
    assert float(row["total"]) == sum(points) and float(row["max"]) == 4
    assert reason in row["reason"]
    if not reason:
        assert row["reason"] == ""


def test_every_file_has_a_row_and_the_batch_finished(batch):
    graded = rows(batch / "grades.csv")
    assert set(graded) == set(EXPECTED)
    assert "an old sheet" not in (batch / "grades.csv").read_text()


def test_feedback_never_shows_hidden_tests_and_stays_small(batch):
    for path in (batch / "feedback").rglob("*.html"):
        text = path.read_text()
        assert HIDDEN_TEXT not in text and "HIDDEN TESTS" not in text, path
        assert len(text) < 20_000, path  # capped however much the notebook printed or raised
    spy = page(batch, "hidden_spy")
    assert "(message withheld: it quotes a hidden test)" in spy
    assert "an exception: named after the hidden test" in spy  # a class named after the code


def test_messages_explain_what_happened(batch):
    assert "StdinNotImplementedError" in page(batch, "asks_input")
    assert "SystemExit: bye" in page(batch, "exits")
    assert "MemoryError" in page(batch, "memory_bomb")
    bomb = page(batch, "fork_bomb")
    assert "BlockingIOError" in bomb or "timed out and was interrupted" in bomb
    assert "can&#x27;t start new thread" in page(batch, "thread_bomb")
    assert "ReplyTooLarge" in page(batch, "oversized_error")
    assert "20 more not shown" in page(batch, "many_errors") or "280 more" in page(
        batch, "many_errors"
    )
    fakes = page(batch, "fake_values")
    assert "double(1.5) is a Peeker, not a number" in fakes
    assert "TestNotFinished" in page(batch, "swallows_errors")
    assert "double(1.5) is 2.5, expected 3." in page(batch, "patches_checks")
    outside = "(judged by the grader, outside the notebook)"
    assert f"double(1.5) is 2.5, expected 3. {outside}" in page(batch, "checks_patched_in_place")
    assert "ChecksMissing: only 0 of this test" in page(batch, "checks_silenced")
    asserts = page(batch, "asserts_patched_in_place")
    assert f"an assert of this test does not hold {outside}" in asserts


def test_unseeded_randomness_grades_the_same_every_time(batch):
    graded = rows(batch / "grades.csv")
    first, again = graded["unseeded"], graded["unseeded_again"]
    assert {k: v for k, v in first.items() if k not in ("student", "submission")} == {
        k: v for k, v in again.items() if k not in ("student", "submission")
    }
    message = page(batch, "unseeded").split("double(1.5) is ")[1].split(",")[0]
    assert message == page(batch, "unseeded_again").split("double(1.5) is ")[1].split(",")[0]
    assert float(message) != 3.0  # the noise is there, drawn the same way in both kernels


def test_no_process_survives_the_batch(batch):
    _wait_until_gone("hostile-batch")  # no kernel, launcher, sleeper, spinner or fork
    # what runaway_processes starts, matched by its exact argv (other programs on the machine,
    # a CI harness included, may well mention these words in their own command lines)
    runaways = [argv for argv in map(_argv, _pids()) if _is_runaway(argv)]
    assert not runaways


def _argv(pid: str) -> list[bytes]:
    return _cmdline(pid).rstrip(b"\0").split(b"\0")


def _is_runaway(argv: list[bytes]) -> bool:
    """``sleep 86399``, ``sleep 86398`` or ``python -c "while True: pass"``."""
    if len(argv) == 2 and os.path.basename(argv[0]) == b"sleep":
        return argv[1] in (b"86399", b"86398")
    return len(argv) == 3 and argv[1] == b"-c" and argv[2] == b"while True: pass"


def test_the_runaway_matcher_knows_what_it_looks_for():
    assert _is_runaway([b"sleep", b"86399"]) and _is_runaway([b"/bin/sleep", b"86398"])
    assert _is_runaway([b"/usr/bin/python3", b"-c", b"while True: pass"])
    assert not _is_runaway([b"bash", b"-c", b"echo 'while True: pass' sleep 86399"])
    assert not _is_runaway([b"sleep", b"5"])


@pytest.mark.skipif(not ISOLATED, reason="needs root and namespaces")
def test_snooping_reaches_nothing(batch):
    assert not (batch / "pwned.txt").exists() and not (HOSTILE / "pwned.txt").exists()
    assert json.loads((batch / "connections.json").read_text()) == 0  # nobody connected
    row = rows(batch / "grades.csv")["snoops_aimed"]
    assert (row["status"], row["total"]) == ("ok", "4")  # it would raise with what leaked


def test_a_huge_file_is_refused_without_reading_it(tmp_path):
    huge = tmp_path / "huge.ipynb"
    with huge.open("wb") as handle:
        handle.truncate(2**40)  # a terabyte, sparse
    start = time.perf_counter()
    with pytest.raises(NotebookError, match="over the 20 MB limit"):
        read_submission(huge, 20 * 2**20)
    assert time.perf_counter() - start < 0.5


def _pids() -> list[str]:
    """Live processes (not zombies), as /proc entries."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(entry)
        except (OSError, IndexError):
            continue
    return found


def _cmdline(pid: str) -> bytes:
    try:
        return Path("/proc", pid, "cmdline").read_bytes()
    except OSError:
        return b""


def _marked(mark: str) -> list[str]:
    """Live processes whose environment carries ``NNCOURSE_TEST_MARK=mark``."""
    found = []
    for entry in _pids():
        try:
            environ = Path("/proc", entry, "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"NNCOURSE_TEST_MARK={mark}".encode() in environ:
            found.append(entry)
    return found


# --- 10. a batch of 30, interrupted twice, then resumed ---------------------------------------


def _cli(*args: str, mark: str) -> subprocess.Popen:
    """``nncourse grade ARGS`` in a new process whose processes all carry ``mark``."""
    env = {**os.environ, "NNCOURSE_TEST_MARK": mark}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    command = [sys.executable, "-m", "nncourse.cli", "grade", *args]
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)


def _wait_for_files(folder: Path, count: int, proc: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while len(list(folder.glob("*.json"))) < count and proc.poll() is None:
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.2)


def test_an_interrupted_batch_resumes_without_regrading(tmp_path):
    for i in range(30):
        (tmp_path / "subs" / f"student{i:02}").mkdir(parents=True)
        shutil.copy(SUBMISSIONS / "guarded" / "correct.ipynb", tmp_path / "subs" / f"student{i:02}")
        (tmp_path / "subs" / f"student{i:02}" / "correct.ipynb").rename(
            tmp_path / "subs" / f"student{i:02}" / "guarded.ipynb"
        )
        # the same bytes are graded once; a comment makes every file different
        path = tmp_path / "subs" / f"student{i:02}" / "guarded.ipynb"
        path.write_text(path.read_text().replace("return 2 * x", f"return 2 * x  # {i}"))
    sheet, cache = tmp_path / "grades.csv", tmp_path / "cache"
    sheet.write_text("the previous sheet\n")
    args = [str(tmp_path / "subs"), "--source", str(SOURCES), "--out", str(sheet)]
    args += ["--cache", str(cache), "--jobs", "2", "--quiet"]
    for signum, done in ((signal.SIGINT, 3), (signal.SIGTERM, 10)):
        proc = _cli(*args, mark="resume-batch")
        _wait_for_files(cache, done, proc)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "interrupted: no grade sheet written" in err
        assert sheet.read_text() == "the previous sheet\n"  # untouched, never half written
        for result in cache.glob("*.json"):
            assert json.loads(result.read_text())["status"] == "ok"  # whole files only
        _wait_until_gone("resume-batch")
    cached = len(list(cache.glob("*.json")))
    assert 10 <= cached < 30
    proc = _cli(*args, mark="resume-batch")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"30 submission(s), {cached} from the cache: 30 ok" in err
    graded = rows(sheet)
    assert len(graded) == 30 and {row["total"] for row in graded.values()} == {"4"}


def _wait_until_gone(mark: str, limit: float = 15) -> None:
    deadline = time.monotonic() + limit
    while left := _marked(mark):
        if time.monotonic() > deadline:
            commands = [_cmdline(p)[:200] for p in left]
            raise AssertionError(f"processes outlived the batch: {commands}")
        time.sleep(0.2)


# --- a grader worker killed mid-batch ------------------------------------------------------------


def _ppid(pid: str) -> str:
    try:
        return Path("/proc", pid, "stat").read_text().rsplit(")", 1)[1].split()[1]
    except (OSError, IndexError):
        return ""


def _busy_workers(mark: str) -> list[str]:
    """The batch's worker processes (forked by its forkserver) that are grading: they have a
    kernel launcher as a child."""
    marked = _marked(mark)
    forked = [p for p in marked if b"forkserver" in _cmdline(p)]
    workers = [p for p in forked if _ppid(p) in forked]
    return [w for w in workers if any(_ppid(p) == w for p in marked)]


def test_a_worker_killed_mid_batch_costs_no_one_their_grade(tmp_path):
    slow = (SUBMISSIONS / "guarded" / "correct.ipynb").read_text()
    slow = slow.replace("return 2 * x", "return 2 * x\\n\\n\\nimport time\\ntime.sleep(3)", 1)
    assert "time.sleep(3)" in slow
    for i in range(4):
        folder = tmp_path / "subs" / f"student{i}"
        folder.mkdir(parents=True)
        (folder / "guarded.ipynb").write_text(
            slow.replace("time.sleep(3)", f"time.sleep(3)  # {i}")
        )
    sheet = tmp_path / "grades.csv"
    args = [str(tmp_path / "subs"), "--source", str(SOURCES), "--out", str(sheet), "--no-cache"]
    proc = _cli(*args, "--jobs", "2", "--quiet", mark="worker-crash")
    deadline = time.monotonic() + 120
    while not (busy := _busy_workers("worker-crash")):
        assert proc.poll() is None and time.monotonic() < deadline, "no worker started grading"
        time.sleep(0.1)
    os.kill(int(busy[0]), signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    graded = rows(sheet)
    assert len(graded) == 4, err
    assert all(row["status"] == "ok" and row["total"] == "4" for row in graded.values()), graded
    _wait_until_gone("worker-crash")  # the dead worker's kernel went with it


# --- degrading without root ------------------------------------------------------------------


def test_without_root_the_grader_warns_and_keeps_only_the_limits(monkeypatch):
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    conf = sandbox.probe([])
    assert (conf.isolate, conf.drop) == (False, False)
    assert any("not running as root" in w and "only resource limits" in w for w in conf.warnings)


@pytest.mark.parametrize(
    "failing, expected, warning",
    [
        ({True}, (False, True), "namespaces are not available"),
        ({True, False}, (False, False), "cannot drop privileges: learner code runs as root"),
    ],
)
def test_as_root_the_grader_falls_back_step_by_step(monkeypatch, failing, expected, warning):
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
    tried = []

    def attempt(conf):
        tried.append(conf.isolate)
        return "unshare: Operation not permitted" if conf.isolate in failing else ""

    monkeypatch.setattr(sandbox, "_try", attempt)
    conf = sandbox.probe([])
    assert (conf.isolate, conf.drop) == expected and tried == [True, False][: len(failing) + 1]
    assert any(warning in w for w in conf.warnings)
    assert any("sandbox step failed (unshare: Operation not permitted)" in w for w in conf.warnings)


@pytest.mark.parametrize(
    "case, total", [("correct", 4), ("memory_bomb", 4), ("runaway_processes", 4), ("os_exit", 2)]
)
def test_the_unconfined_fallback_still_grades_and_limits(case, total):
    """With no namespace and no other user (what a non-root grader gets), resource limits, the
    time limits and the reaping of stray processes still hold."""
    from nncourse.grading.grade import Options, grade_notebook
    from nncourse.grading.notebook import read_notebook

    source = read_notebook(SOURCES / "guarded.ipynb")
    data = (SUBMISSIONS / "guarded" / f"{case}.ipynb").read_bytes()
    options = Options(timeout=60, cell_timeout=5, memory_mb=1024)
    result = grade_notebook(data, source, options, sandbox.Confinement())
    assert result["total"] == total, result["reason"]
    assert not [p for p in _pids() if _is_runaway(_argv(p))]
