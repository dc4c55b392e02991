"""Build the hostile corpus: submissions that attack, break or flood the grader.

The assignment, ``solutions/guarded.ipynb``, is tiny on purpose (one function, ``double``, and
three test cells: ``check_close`` with a hidden part, ``assert ==`` and ``np.array_equal``) so
that kernels start and finish fast. Every case starts from its released exercise and does one
hostile or broken thing; tests/test_hostile.py grades them all in one batch and says, case by
case, what the grade must be. The malformed files are written byte for byte.

    python tests/hostile/make_hostile.py           rewrite the corpus
    python tests/hostile/make_hostile.py --check   exit 1 if the corpus is out of date
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path

from nbformat import NotebookNode, v4

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from nncourse.grading.release import notebook_text, student_version  # noqa: E402

ASSIGNMENT = "guarded"
TARGETS = "@TARGETS@"  # replaced by the test with the real paths and ports to attack
CORRECT = "def double(x):\n    return 2 * x"
WRONG = "def double(x):\n    return x + 1"
SOURCE_CELLS = [
    ("markdown", None, None, "# Doubling\n\nWrite `double(x)`: twice `x`, for numbers and arrays."),
    ("code", "setup", "locked", "import numpy as np\n\nfrom nncourse.checks import check_close"),
    (
        "code",
        "double",
        "solution",
        "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
    ),
    (
        "code",
        "test_close",
        ("test", 2),
        'check_close("double(1.5)", double(1.5), 3.0)\n### BEGIN HIDDEN TESTS\n'
        'check_close("double(np.arange(4.0))", double(np.arange(4.0)), [0.0, 2.0, 4.0, 6.0])\n'
        "### END HIDDEN TESTS",
    ),
    ("code", "test_equal", ("test", 1), 'assert double(2) == 4, f"double(2) is {double(2)}"'),
    (
        "code",
        "test_array",
        ("test", 1),
        'assert np.array_equal(double(np.arange(3)), [0, 2, 4]), "double must work on arrays"',
    ),
]


def source_notebook() -> NotebookNode:
    """solutions/guarded.ipynb: nbgrader metadata as the JupyterLab assignment tool writes it."""
    cells = []
    for cell_type, gid, kind, text in SOURCE_CELLS:
        make = v4.new_code_cell if cell_type == "code" else v4.new_markdown_cell
        cell = make(text, id=gid or "intro")
        if gid:
            role, points = kind if isinstance(kind, tuple) else (kind, None)
            meta = {
                "grade": role == "test",
                "grade_id": gid,
                "locked": role in {"test", "locked"},
                "schema_version": 3,
                "solution": role == "solution",
                "task": False,
            }
            cell.metadata["nbgrader"] = meta | ({"points": points} if points else {})
        cells.append(cell)
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return v4.new_notebook(cells=cells, metadata={"kernelspec": kernel})


# --- editing a learner's copy --------------------------------------------------------------


def _cell(nb: NotebookNode, gid: str) -> NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def solve(code: str) -> Callable[[NotebookNode], None]:
    def edit(nb: NotebookNode) -> None:
        _cell(nb, "double").source = code

    return edit


def after(gid: str, *codes: str) -> Callable[[NotebookNode], None]:
    """Learner cells added right after the cell ``gid``."""

    def edit(nb: NotebookNode) -> None:
        at = nb.cells.index(_cell(nb, gid)) + 1
        nb.cells[at:at] = [
            v4.new_code_cell(code, id=f"{gid}-extra-{i}") for i, code in enumerate(codes)
        ]

    return edit


def tamper(nb: NotebookNode) -> None:
    """Every change to the graded cells a learner might try, on one notebook."""
    close, equal, array = (_cell(nb, g) for g in ("test_close", "test_equal", "test_array"))
    close.source = "pass  # this test is too strict"
    close.metadata.nbgrader["points"] = 100
    equal.cell_type, equal.metadata.nbgrader["schema_version"] = "markdown", 99
    del equal["outputs"], equal["execution_count"]
    nb.cells.remove(equal)
    nb.cells.insert(0, equal)  # moved to the top, before double exists
    copy_of_array = copy.deepcopy(array)
    copy_of_array.source, copy_of_array.id = "assert True", "array-copy"
    nb.cells.insert(1, copy_of_array)  # a duplicate grade_id, first in the notebook
    bonus = v4.new_code_cell("assert True", id="bonus")
    bonus.metadata["nbgrader"] = {**array.metadata.nbgrader, "grade_id": "test_bonus", "points": 50}
    nb.cells.append(bonus)
    nb.metadata["kernelspec"] = {"display_name": "Bash", "language": "bash", "name": "bash"}


def both(*edits: Callable[[NotebookNode], None]) -> Callable[[NotebookNode], None]:
    def edit(nb: NotebookNode) -> None:
        for one in edits:
            one(nb)

    return edit


# --- the cases ------------------------------------------------------------------------------

FAKES = '''class Liar(float):
    """A number equal to everything."""

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class FakeArray(np.ndarray):
    """An array that answers True to every comparison and every numpy function."""

    def __eq__(self, other):
        return True

    def __array_function__(self, func, types, args, kwargs):
        return True


class Peeker:
    """Looks up the expected value in the caller's frame and pretends to be it."""

    def __array__(self, dtype=None, copy=None):
        import sys

        frame = sys._getframe(1)
        while frame and "expected" not in frame.f_locals:
            frame = frame.f_back
        return np.asarray(frame.f_locals["expected"] if frame else 0.0)


def double(x):
    if isinstance(x, np.ndarray):
        return np.zeros(len(x)).view(FakeArray) if x.dtype.kind == "i" else Peeker()
    return Peeker() if x == 1.5 else Liar(0.0)'''

PATCHES = """import builtins

import nncourse.checks
import numpy

numpy.array_equal = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: np.ones(1, dtype=bool)
nncourse.checks.check_close = lambda *args, **kwargs: None
check_close = lambda *args, **kwargs: None  # noqa: E731
builtins.AssertionError = Warning


def swallow(lines):
    body = ["    " + line for line in lines]
    return ["try:\\n", *body, "\\nexcept BaseException:\\n    pass\\n"]


get_ipython().input_transformers_post.append(swallow)"""

IN_PLACE = """# the guard puts names back, not code objects: make the real check a no-op
check_close.__wrapped__.__code__ = (lambda *args, **kwargs: None).__code__
"""

SILENCE = """# the same for the grader's wrapper around it (its code needs four free variables)
def _no_op(signature, data, failed, fn):
    def checked(*args, **kwargs):
        return (signature, data, failed, fn) and None

    return checked


check_close.__code__ = _no_op(1, 2, 3, 4).__code__
"""

ASSERTS_IN_PLACE = """# what the grader's rewritten asserts call, made to say yes to anything
import nncourse.grading.evidence as evidence

evidence.assertion.__code__ = (lambda *args, **kwargs: True).__code__
"""

SWALLOW = """import os
import sys

shell = type(get_ipython())
real_run_cell = shell.run_cell
real_run_cell_async = shell.run_cell_async


def run_cell(self, *args, **kwargs):
    result = real_run_cell(self, *args, **kwargs)
    result.error_in_exec = result.error_before_exec = None
    return result


async def run_cell_async(self, *args, **kwargs):
    result = await real_run_cell_async(self, *args, **kwargs)
    result.error_in_exec = result.error_before_exec = None
    return result


shell.run_cell, shell.run_cell_async = run_cell, run_cell_async
get_ipython().showtraceback = lambda *args, **kwargs: None
sys.excepthook = lambda *args: None
sys.stdout = sys.stderr = open(os.devnull, "w")"""

SNOOP = f'''import json
import os
import socket

targets = json.loads(r"""{TARGETS}""")
leaks = []
for path in targets.get("read", []):
    try:
        with open(path, "rb") as handle:
            leaks.append(f"read {{path}} ({{len(handle.read())}} bytes)")
    except OSError:
        pass
for path in targets.get("list", []):
    try:
        if os.listdir(path):
            leaks.append(f"listed {{path}}")
    except OSError:
        pass
for path in targets.get("write", []):
    try:
        with open(path, "w") as handle:
            handle.write("pwned")
        leaks.append(f"wrote {{path}}")
    except OSError:
        pass
for host, port in targets.get("connect", []):
    try:
        socket.create_connection((host, port), timeout=3).close()
        leaks.append(f"connected to {{host}}:{{port}}")
    except OSError:
        pass
try:
    socket.getaddrinfo("example.com", 80)
    leaks.append("resolved example.com")
except OSError:
    pass
if leaks:
    def double(x):
        raise RuntimeError("; ".join(leaks))'''

SPY = """import sys

seen = []
sys.addaudithook(lambda event, args: event == "compile" and seen.append(str(args[0])))


def double(x):
    hidden = [s for s in seen if "arange(" + "4.0)" in s]
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "i" and hidden:
            raise type(hidden[-1][:60], (Exception,), {})("named after the hidden test")
        return 2 * x
    if x == 2 and hidden:
        raise ValueError("the hidden test is: " + hidden[-1])
    return 2 * x"""

NOISE = [
    "import logging\nimport sys\nimport warnings\n\n"
    'logging.getLogger("tensorflow").warning("oneDNN custom operations are on")\n'
    'sys.stderr.write("W0000 00:00:1 cpu_feature_guard.cc:182] AVX2 FMA\\n")\n'
    'warnings.warn("this warning is noise", stacklevel=1)',
    "for i in range(100_000):\n    print(i, 'a line of a print flood')",
    'print("x" * 50_000_000)',
    "from IPython.display import Image, display\n\n"
    "display(Image(data=b'\\x89PNG\\r\\n\\x1a\\n' + bytes(8_000_000)))",
    "import ipywidgets\n\nslider = ipywidgets.IntSlider(value=3)\ndisplay(slider)",
    "from tqdm.auto import tqdm\n\nfor _ in tqdm(range(1000)):\n    pass",
    "!pip install --no-cache-dir nncourse-this-package-does-not-exist\n%pip install numpy",
    "%%bash\necho 'a shell cell'",
]

LIMITS = """import resource

problems = []
for name in ["RLIMIT_DATA", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_CPU", "RLIMIT_FSIZE"]:
    if resource.getrlimit(getattr(resource, name))[0] == resource.RLIM_INFINITY:
        problems.append(f"{name} is unlimited")
if resource.getrlimit(resource.RLIMIT_CORE)[0] != 0:
    problems.append("core dumps are on")
try:
    with open("big.bin", "wb") as handle:
        for _ in range(300):
            handle.write(bytes(2**20))
    problems.append("wrote a 300 MB file")
except OSError:
    pass
handles = []
try:
    for _ in range(5000):
        handles.append(open("many.txt", "w"))
    problems.append("opened 5000 files")
except OSError:
    pass
for handle in handles:
    handle.close()
if problems:
    def double(x):
        raise RuntimeError("; ".join(problems))"""

UNSEEDED = """import random

rng = np.random.default_rng()
np.random.seed()
noise = rng.random() + random.random() + np.random.rand() + hash("nncourse") % 7


def double(x):
    return 2 * x + noise"""

CASES: dict[str, tuple[str, Callable[[NotebookNode], None]]] = {
    "correct": ("a right answer, nothing hostile", solve(CORRECT)),
    "infinite_loop": (
        "a loop that never ends after a right answer",
        solve(CORRECT + "\n\n\nwhile True:  # forgot to stop\n    pass"),
    ),
    "sleeps_forever": ("sleeps forever", solve(CORRECT + "\n\n\nimport time\n\ntime.sleep(10**9)")),
    "asks_input": (
        "input() with stdin not allowed",
        solve(CORRECT + '\n\n\nname = input("Name? ")'),
    ),
    "ignores_interrupt": (
        "ignores SIGINT and spins",
        solve(
            CORRECT + "\n\n\nimport signal\n\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "while True:\n    pass"
        ),
    ),
    "memory_bomb": (
        "allocates until memory runs out, then maps a terabyte",
        both(
            solve(CORRECT),
            after(
                "double",
                "hoard = []\nwhile True:\n    hoard.append(np.empty(10**8))",
                "import mmap\n\nshared = mmap.mmap(-1, 2**40)\nshared[-1] = 1",
                "del hoard",
            ),
        ),
    ),
    "fork_bomb": (
        "forks until the process limit",
        both(solve(CORRECT), after("double", "import os\n\nwhile True:\n    os.fork()")),
    ),
    "thread_bomb": (
        "starts threads until the process limit",
        both(
            solve(CORRECT),
            after(
                "double",
                "import threading\nimport time\n\nthreading.stack_size(64 * 1024)\n"
                "for _ in range(10**5):\n"
                "    threading.Thread(target=time.sleep, args=(10**6,), daemon=True).start()",
            ),
        ),
    ),
    "runaway_processes": (
        "leaves a detached sleeper, a daemon and a CPU spinner behind",
        both(
            solve(CORRECT),
            after(
                "double",
                "import os\nimport subprocess\nimport sys\n\n"
                'subprocess.Popen(["sleep", "86399"], start_new_session=True)\n'
                'subprocess.Popen([sys.executable, "-c", "while True: pass"])\n'
                "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                '        os.execvp("sleep", ["sleep", "86398"])\n    os._exit(0)\nos.wait()',
            ),
        ),
    ),
    "checks_limits": (
        "checks its resource limits, writes a 300 MB file, opens 5000 files",
        both(solve(CORRECT), after("double", LIMITS)),
    ),
    "os_exit": (
        "os._exit after the first test",
        both(solve(CORRECT), after("test_close", "import os\n\nos._exit(0)")),
    ),
    "segfault": (
        "a segmentation fault after the second test",
        both(solve(CORRECT), after("test_equal", "import ctypes\n\nctypes.string_at(0)")),
    ),
    "kills_kernel": (
        "SIGKILL to its own kernel",
        solve(CORRECT + "\n\n\nimport os\nimport signal\n\nos.kill(os.getpid(), signal.SIGKILL)"),
    ),
    "exits": (
        "sys.exit, exit() and quit()",
        both(
            solve(CORRECT + '\n\n\nimport sys\n\nsys.exit("bye")'),
            after("test_close", "exit()"),
            after("test_equal", "quit()"),
        ),
    ),
    "tampered_wrong": ("a wrong answer, every test cell tampered with", both(solve(WRONG), tamper)),
    "tampered_right": (
        "a right answer, every test cell tampered with",
        both(solve(CORRECT), tamper),
    ),
    "fake_values": ("objects equal to everything, a fake array, a frame peeker", solve(FAKES)),
    "patches_checks": (
        "a wrong answer; patches numpy, the checks, builtins and the input transformers",
        both(solve(WRONG), after("double", PATCHES)),
    ),
    "checks_patched_in_place": (
        "a wrong answer; the real check_close's code replaced by a no-op",
        both(solve(WRONG), after("double", IN_PLACE)),
    ),
    "checks_silenced": (
        "a wrong answer; the grader's wrapper around check_close replaced by a no-op",
        both(solve(WRONG), after("double", SILENCE)),
    ),
    "asserts_patched_in_place": (
        "a wrong answer; the function the grader's asserts call made to say yes to anything",
        both(solve(WRONG), after("double", ASSERTS_IN_PLACE)),
    ),
    "swallows_errors": (
        "a wrong answer; the shell's class made to report every cell a success, output off",
        both(solve(WRONG), after("double", SWALLOW)),
    ),
    "snoops": (
        "reads the solutions, other submissions and the sheet; writes outside; connects out",
        both(solve(CORRECT), after("double", SNOOP)),
    ),
    "hidden_spy": (
        "records compiled code with an audit hook and puts hidden tests in its messages",
        solve(SPY),
    ),
    "noisy": (
        "logging, warnings, print floods, big outputs, widgets, tqdm, !pip",
        both(solve(CORRECT), after("double", *NOISE)),
    ),
    "oversized_error": (
        "an exception message of 50 MB in the first test",
        solve(
            "def double(x):\n    if isinstance(x, float) and x == 1.5:\n"
            '        raise ValueError("x" * 50_000_000)\n    return 2 * x'
        ),
    ),
    "unseeded": ("unseeded randomness of every kind in its answer", solve(UNSEEDED)),
    "many_errors": (
        "300 cells that raise",
        both(solve(CORRECT), after("double", *[f"1 / 0  # {i}" for i in range(300)])),
    ),
}


def aimed_snoop(targets: dict) -> str:
    """The snooping case with real paths and ports to attack (made by the test, not stored)."""
    nb = case_notebook(CASES["snoops"][1])
    for cell in nb.cells:
        cell.source = cell.source.replace(TARGETS, json.dumps(targets))
    return notebook_text(nb)


def case_notebook(edit: Callable[[NotebookNode], None]) -> NotebookNode:
    nb = student_version(source_notebook())
    edit(nb)
    return nb


def with_big_outputs() -> str:
    """A right answer whose file carries 1.2 MB of outputs (images, streams): read, not run."""
    nb = case_notebook(solve(CORRECT))
    cell = _cell(nb, "double")
    png = base64.b64encode(bytes(600_000)).decode()
    cell.outputs = [
        v4.new_output("display_data", data={"image/png": png}),
        v4.new_output("stream", name="stdout", text="y" * 400_000),
    ]
    return notebook_text(nb)


def malformed() -> dict[str, bytes]:
    """Files that are not valid notebooks (and one that is, with a byte-order mark)."""
    correct = notebook_text(case_notebook(solve(CORRECT))).encode()
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}
    return {
        "invalid_json.ipynb": correct[: len(correct) // 2],
        "nbformat3.ipynb": json.dumps(v3).encode(),
        "latin1.ipynb": correct.replace(b"Doubling", "Dédoublement".encode("latin-1")),
        "bom.ipynb": b"\xef\xbb\xbf" + correct,
        "empty.ipynb": b"",
        "binary.ipynb": bytes(range(256)) * 64,
        "big_outputs.ipynb": with_big_outputs().encode(),
    }


def build() -> dict[str, bytes]:
    """Relative path -> content of every file in the corpus."""
    files = {f"solutions/{ASSIGNMENT}.ipynb": notebook_text(source_notebook()).encode()}
    for name, (_, edit) in CASES.items():
        files[f"submissions/{ASSIGNMENT}/{name}.ipynb"] = notebook_text(
            case_notebook(edit)
        ).encode()
    for name, data in malformed().items():
        files[f"submissions/{ASSIGNMENT}/{name}"] = data
    return files


def stale(out: Path = HERE) -> list[str]:
    """Files that differ from what ``build`` makes, or that it would not make."""
    files = build()
    problems = [
        p for p, data in files.items() if not (out / p).exists() or (out / p).read_bytes() != data
    ]
    made = {str(p.relative_to(out)) for p in out.glob("*/**/*.ipynb")}
    return problems + [f"{p} (not made by make_hostile.py)" for p in sorted(made - set(files))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    if parser.parse_args().check:
        problems = stale()
        print("\n".join(problems) or "the hostile corpus is up to date")
        return 1 if problems else 0
    for path, data in build().items():
        (HERE / path).parent.mkdir(parents=True, exist_ok=True)
        (HERE / path).write_bytes(data)
    print(f"wrote the hostile corpus to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
