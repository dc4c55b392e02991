"""The notebook that is actually run: the learner's cells with the source's tests put back.

Every locked cell (tests and read-only cells) is replaced by the source's version, hidden tests
included, so a learner's edits to them do not count. A locked cell missing from the submission
is put back after the nearest earlier nbgrader cell of the source that is present; failing
that, before the nearest later one; failing that, at the end. A test cell is cut into visible
and hidden chunks (``markers.hidden_chunks``) so feedback can tell which one failed.
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode, v4

from nncourse.grading import markers
from nncourse.grading.notebook import grade_id, role, tagged_cells

# Unseeded randomness must give the same grade twice; PYTHONHASHSEED is set by execute.
SEED_CODE = """import random as _random
_random.seed(0)
try:
    import numpy as _np
    _np.random.seed(0)
    del _np
except ImportError:
    pass
del _random"""


def grading_notebook(
    submission: NotebookNode, source: NotebookNode
) -> tuple[NotebookNode, list[str]]:
    """(notebook to run, notes on what was restored) for one submission of ``source``."""
    originals = tagged_cells(source)
    locked = {gid for gid, cell in originals.items() if role(cell) in {"test", "locked"}}
    cells, notes = _restore(submission.cells, originals, locked)
    for gid in [g for g in originals if g in locked and g not in _ids(cells)]:
        cells.insert(_insert_at(gid, list(originals), cells), copy.deepcopy(originals[gid]))
        notes.append(f"{_kind(originals[gid])} {gid} was missing and was put back")
    tests = {gid for gid in locked if role(originals[gid]) == "test"}
    run = [_cell(SEED_CODE, {"role": "seed"})]
    for cell in cells:
        run += _split(cell) if grade_id(cell) in tests else [_clean(cell)]
    return v4.new_notebook(cells=run, metadata=copy.deepcopy(source.metadata)), notes


def _restore(cells: list, originals: dict, locked: set[str]) -> tuple[list, list[str]]:
    """Learner's cells in order, locked ones swapped for the original; duplicates dropped."""
    out, seen, notes = [], set(), []
    for cell in cells:
        gid = grade_id(cell)
        if gid not in locked:
            out.append(cell)
            continue
        original = originals[gid]
        if gid in seen:
            notes.append(f"a copy of {_kind(original)} {gid} was ignored")
            continue
        seen.add(gid)
        if cell.source != markers.strip_hidden(original.source):
            notes.append(f"{_kind(original)} {gid} was edited; the original was used")
        out.append(copy.deepcopy(original))
    return out, notes


def _kind(cell: NotebookNode) -> str:
    return "test cell" if role(cell) == "test" else "read-only cell"


def _ids(cells: list) -> list[str | None]:
    return [grade_id(cell) for cell in cells]


def _insert_at(gid: str, order: list[str], cells: list) -> int:
    """Where a missing source cell goes in ``cells`` (rule in the module docstring)."""
    present, index = _ids(cells), order.index(gid)
    for earlier in reversed(order[:index]):
        if earlier in present:
            return present.index(earlier) + 1
    for later in order[index + 1 :]:
        if later in present:
            return present.index(later)
    return len(cells)


def _split(cell: NotebookNode) -> list[NotebookNode]:
    """A test cell as chunk cells tagged with their part; one hidden chunk if it can't be cut."""
    gid = grade_id(cell)
    chunks = markers.hidden_chunks(cell.source)
    if chunks is None:  # hidden code inside a block: run it whole, report failures as hidden
        chunks = [(cell.source, True)]
    return [_cell(code, {"part": gid, "hidden": hidden}) for code, hidden in chunks] or [
        _cell("pass", {"part": gid, "hidden": False})
    ]


def _clean(cell: NotebookNode) -> NotebookNode:
    """A learner's cell with its outputs and metadata dropped (only our tags steer grading)."""
    if cell.cell_type == "code":
        return _cell(cell.source, {})
    return v4.new_markdown_cell(source=cell.source, metadata={"nncourse": {}})


def _cell(source: str, tag: dict) -> NotebookNode:
    return v4.new_code_cell(source=source, metadata={"nncourse": tag})
