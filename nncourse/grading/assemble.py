"""The notebook that is actually run: the learner's cells with the source's tests put back.

The source decides what runs and in which order. Its nbgrader cells come in the source's
order: every locked cell (tests and read-only cells) as the source has it, hidden tests
included, whatever the learner did to it (edited, deleted, moved, retyped, duplicated); each
solution cell as the learner wrote it. A learner's own extra cells stay right after the
nbgrader cell they followed in the submission (cells before any go first). A test cell is cut
into visible and hidden chunks (``markers.hidden_chunks``) so feedback can tell which failed.
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode, v4

from nncourse.grading import markers
from nncourse.grading.notebook import grade_id, role, tagged_cells

# The grader's set-up, run before anything else (seeds, guards: see guard.py).
SETUP_CODE = "import nncourse.grading.guard as _g\n_g.install(get_ipython())\ndel _g"
TOP = ""  # where a learner's cells before any nbgrader cell are attached


def grading_notebook(
    submission: NotebookNode, source: NotebookNode
) -> tuple[NotebookNode, list[str]]:
    """(notebook to run, notes on what was restored) for one submission of ``source``."""
    originals = tagged_cells(source)
    locked = {gid for gid, cell in originals.items() if role(cell) in {"test", "locked"}}
    present, extras, notes = _anchor(submission.cells, originals, locked)
    run = [_cell(SETUP_CODE, {"role": "seed"})] + [_clean(c) for c in extras[TOP]]
    for gid, original in originals.items():
        if gid in locked:
            if gid not in present:
                notes.append(f"{_kind(original)} {gid} was missing and was put back")
            elif present[gid].cell_type != original.cell_type:
                notes.append(f"{_kind(original)} {gid} was changed to {present[gid].cell_type}")
            elif present[gid].source != markers.strip_hidden(original.source):
                notes.append(f"{_kind(original)} {gid} was edited; the original was used")
            run += _locked(original, gid, role(original) == "test")
        elif gid in present:
            run.append(_clean(present[gid]))
        run += [_clean(c) for c in extras.get(gid, [])]
    order = [gid for gid in present if gid in originals]
    if order != [gid for gid in originals if gid in present]:
        notes.append("cells were moved; they ran in the order of the original notebook")
    return v4.new_notebook(cells=run, metadata=copy.deepcopy(source.metadata)), notes


def _anchor(cells: list, originals: dict, locked: set[str]) -> tuple[dict, dict, list[str]]:
    """(grade_id -> the learner's cell, anchor -> the extra cells after it, notes)."""
    present, extras, notes, anchor = {}, {TOP: []}, [], TOP
    for cell in cells:
        gid = grade_id(cell)
        if gid in originals and gid not in present:
            anchor, present[gid] = gid, cell
            extras.setdefault(gid, [])
        elif gid in locked:
            notes.append(f"a copy of {_kind(originals[gid])} {gid} was ignored")
        else:
            extras[anchor].append(cell)
    return present, extras, notes


def _kind(cell: NotebookNode) -> str:
    return "test cell" if role(cell) == "test" else "read-only cell"


def _locked(original: NotebookNode, gid: str, test: bool) -> list[NotebookNode]:
    """The source's cell: a test as its chunks, a read-only code cell tagged for the guard."""
    if test:
        return _split(original)
    if original.cell_type == "code":
        return [_cell(original.source, {"read_only": gid})]
    return [_clean(original)]


def _split(cell: NotebookNode) -> list[NotebookNode]:
    """A test cell as chunk cells tagged with their part; one hidden chunk if it can't be cut."""
    gid = grade_id(cell)
    chunks = markers.hidden_chunks(cell.source)
    if chunks is None:  # hidden code inside a block: run it whole, report failures as hidden
        chunks = [(cell.source, True)]
    cells = [_cell(code, {"part": gid, "hidden": hidden}) for code, hidden in chunks] or [
        _cell("pass", {"part": gid, "hidden": False})
    ]
    for number, cell in enumerate(cells):
        cell.metadata.nncourse["chunk"] = number
    return cells


def _clean(cell: NotebookNode) -> NotebookNode:
    """A cell with its outputs and metadata dropped (only our tags steer grading)."""
    if cell.cell_type == "code":
        return _cell(cell.source, {})
    return v4.new_markdown_cell(source=cell.source, metadata={"nncourse": {}})


def _cell(source: str, tag: dict) -> NotebookNode:
    return v4.new_code_cell(source=source, metadata={"nncourse": tag})
