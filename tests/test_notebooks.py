"""The course's notebooks: the sequence is complete, listed in the README, and stored clean.

Each lesson also keeps the course's shape: learning goals first, a plot or widget of the package,
questions, and at the end a summary and what comes next.
"""

import ast
import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STORED = LESSONS + sorted((ROOT / "solutions").glob("*.ipynb"))
STORED += sorted((ROOT / "exercises").glob("*.ipynb"))
EXPECTED_LESSONS = 12  # 00_welcome … 11_ann_cnn_rnn_compared
QUIET_TF = ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")  # both needed for a quiet start


def code_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_the_sequence_is_complete_and_in_order():
    numbers = [int(p.name[:2]) for p in LESSONS]
    assert numbers == list(range(EXPECTED_LESSONS)), [p.name for p in LESSONS]


def test_every_lesson_is_in_the_readme_lesson_map():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lesson_map = readme.split("## Lesson map", 1)[1].split("\n## ", 1)[0]
    missing = [p.name for p in LESSONS if f"notebooks/{p.name}" not in lesson_map]
    assert not missing, f"add these to the README's lesson map: {missing}"


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stored_without_outputs_and_with_a_python3_kernel(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    nb = nbformat.from_dict(raw)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.outputs]
    assert not dirty, f"cells {dirty} were saved with outputs: clear them before committing"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert all(n is None for n in counts), "execution counts were saved"


GOALS = re.compile(r"learning goals.*?^\s*1\.\s+\S.*?^\s*2\.\s+\S", re.I | re.M | re.S)
QUESTIONS = re.compile(
    r"^#+\s*check your understanding\s*$(.*?)(?=^#|<details>|\Z)", re.I | re.M | re.S
)
SUMMARY = re.compile(r"^#+\s*summary\s*$", re.I | re.M)
NEXT = re.compile(r"\*\*next:\*\*(.*)", re.I | re.S)
COURSE_ENDS = re.compile(r"\b(end of the course|after the course)\b", re.I)


def structure_problems(nb, number: int, last: bool) -> list[str]:
    """What a lesson lacks: goals first, questions, a closing summary, then what comes next."""
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    last_code = max((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), default=-1)
    closing = "\n\n".join(c.source for c in nb.cells[last_code + 1 :] if c.cell_type == "markdown")
    problems = []
    if not (nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")):
        problems.append("start with a markdown cell holding the title ('# Lesson N — ...')")
    if not any(GOALS.search(text) for text in markdown[:2]):
        problems.append("state the learning goals as a numbered list in the first markdown cell")
    questions = QUESTIONS.search("\n\n".join(markdown))
    if not questions or len(re.findall(r"^\s*\d+\.\s+\S", questions[1], re.M)) < 2:
        problems.append("add a '## Check your understanding' section with numbered questions")
    summary = SUMMARY.search(closing)
    if not summary:
        problems.append("end with a '## Summary' section, after the last code cell")
    after_summary = closing[summary.end() :] if summary else ""
    following = NEXT.search(after_summary)
    points_on = following and re.search(rf"\blesson {number + 1}\b", following[1], re.I)
    if not (points_on or (last and COURSE_ENDS.search(after_summary))):
        wanted = "what to do after the course" if last else f"'**Next:** lesson {number + 1} ...'"
        problems.append(f"after the summary, say what comes next: {wanted}")
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_have_goals_questions_summary_and_what_comes_next(path):
    nb = nbformat.read(path, as_version=4)
    problems = structure_problems(nb, int(path.name[:2]), last=path == LESSONS[-1])
    assert not problems, problems


def without(nb, old: str, new: str = ""):
    """A copy of the notebook with ``old`` replaced in every markdown cell."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace(old, new)
    return nb


def goals_moved_to_the_end(nb):
    nb = copy.deepcopy(nb)
    head, goals = nb.cells[0].source.split("**Learning goals.**", 1)
    nb.cells[0].source = head
    nb.cells.append(nbformat.v4.new_markdown_cell("**Learning goals.**" + goals))
    return nb


def code_after_the_summary(nb):
    nb = copy.deepcopy(nb)
    nb.cells.append(nbformat.v4.new_code_cell("print('an afterthought')"))
    return nb


def questions_unnumbered(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if "## Check your understanding" in cell.source:
            cell.source = re.sub(r"^(\d+)\. ", r"\1) ", cell.source, flags=re.M)
    return nb


LACKING = {
    "no learning goals": lambda nb: without(nb, "Learning goals", "Contents"),
    "goals at the end": goals_moved_to_the_end,
    "no questions": lambda nb: without(nb, "## Check your understanding", "## Answers"),
    "questions not numbered": questions_unnumbered,
    "no summary": lambda nb: without(nb, "## Summary", "## Recap"),
    "code after the summary": code_after_the_summary,
    "no next": lambda nb: without(nb, "**Next:**", "**Later:**"),
    "next points elsewhere": lambda nb: without(nb, "lesson 2", "lesson 3"),
}


@pytest.mark.parametrize("change", LACKING.values(), ids=list(LACKING))
def test_the_structure_check_notices_what_a_lesson_lacks(change):
    nb = nbformat.read(ROOT / "notebooks" / "01_neuron.ipynb", as_version=4)
    assert not structure_problems(nb, 1, last=False)
    assert structure_problems(change(nb), 1, last=False)


def test_only_the_last_lesson_may_end_the_course_instead_of_pointing_on():
    nb = nbformat.read(LESSONS[-1], as_version=4)
    number = int(LESSONS[-1].name[:2])
    assert not structure_problems(nb, number, last=True)
    assert structure_problems(nb, number, last=False)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_tensorflow_is_silenced_before_it_is_imported(path):
    source = "\n".join(code_cells(path))
    uses_tf = re.search(r"^\s*(import|from)\s+(keras|tensorflow)\b", source, re.M)
    if uses_tf:
        for variable in QUIET_TF:
            silenced = source.find(variable)
            assert 0 <= silenced < uses_tf.start(), f"set {variable} before importing keras"


def test_a_lessons_first_cell_keeps_tensorflow_silent():
    """The first cell of a Keras lesson, then Keras at work, in a fresh Python: stderr empty."""
    first = code_cells(ROOT / "notebooks" / "06_ann_in_keras.ipynb")[0]
    code = first + "\nimport keras\nkeras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
    env = {k: v for k, v in os.environ.items() if k not in QUIET_TF}
    env["MPLBACKEND"] = "Agg"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stderr == "", f"TensorFlow wrote to stderr:\n{run.stderr[:2000]}"


def package_functions() -> set[str]:
    names = set()
    for module in (ROOT / "nncourse").rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names |= {
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")
        }
    return names


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_import_the_package_instead_of_pasting_it(path):
    pasted = []
    public = package_functions()
    for source in code_cells(path):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue  # cells with IPython magics
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        pasted += sorted(defined & public)
    assert not pasted, f"these are the package's own names; import them instead: {pasted}"


VISUAL = ("nncourse.plots", "nncourse.widgets")
VISUAL_PREFIXES = tuple(m + "." for m in VISUAL)
# Lessons without a package plot or widget when this test was written. Strict: once one gains
# one, the test reports XPASS as a failure, to say the lesson should leave this set.
NO_VISUAL_YET: set[str] = set()


def visuals_used(sources: list[str]) -> set[str]:
    """Names imported from nncourse.plots or nncourse.widgets that the code then uses."""
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(source))
        except SyntaxError:
            continue  # cells with IPython magics
    imported = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.ImportFrom) and node.module:
            pairs = [(f"{node.module}.{a.name}", a.asname or a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            pairs = [(a.name, a.asname or a.name) for a in node.names]
        else:
            continue
        imported |= {b for full, b in pairs if full in VISUAL or full.startswith(VISUAL_PREFIXES)}
    used = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Name | ast.Attribute):
            used |= {name for name in imported if ast.unparse(node) == name}
    return used


def visual_params() -> list:
    lacking = pytest.mark.xfail(strict=True, reason="no nncourse plot or widget in it yet")
    return [pytest.param(p, marks=lacking if p.name in NO_VISUAL_YET else ()) for p in LESSONS[1:]]


@pytest.mark.parametrize("path", visual_params(), ids=lambda p: p.name)
def test_lessons_use_a_plot_or_widget_of_the_package(path):
    used = visuals_used(code_cells(path))
    assert used, "show the idea with a function from nncourse.plots or a nncourse.widgets explorer"


@pytest.mark.parametrize(
    "source, used",
    [
        ("from nncourse.plots import plot_history\nplot_history(ax, h)", {"plot_history"}),
        ("from nncourse.widgets import Playground as P\nP()", {"P"}),
        ("import nncourse.plots\nnncourse.plots.plot_filters(ax, W)", {"nncourse.plots"}),
        ("from nncourse import widgets\nwidgets.RNNExplorer()", {"widgets"}),
        ("from nncourse.plots import plot_history", set()),  # imported, never used
        ("import matplotlib.pyplot as plt\nplt.plot([1, 2])", set()),
        ("from nncourse.layers import Dense\nDense(3)", set()),
    ],
)
def test_the_visual_check_needs_an_import_that_is_used(source, used):
    assert visuals_used([source]) == used
