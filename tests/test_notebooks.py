"""The course's notebooks: the sequence is complete, listed in the README, and stored clean."""

import ast
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


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_have_goals_summary_and_questions(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    if path.name.startswith("00_"):
        return  # the welcome page has no lesson content to summarise
    assert "learning goals" in text, "state the learning goals at the top"
    assert "check your understanding" in text, "add a few questions"
    assert "summary" in text, "end with a summary"


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
