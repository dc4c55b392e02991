"""Read notebooks and the nbgrader (schema 3) metadata on their cells.

A cell's role comes from ``cell.metadata.nbgrader``:

    solution   solution=True, grade=False          the learner writes code here
    test       grade=True, solution=False          autograded; earns ``points`` if it runs
    manual     grade=True, solution=True           graded by hand (nbgrader's formgrader)
    locked     locked=True, neither of the above   read-only, restored before grading
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from nncourse.grading import markers


class NotebookError(ValueError):
    """A file that cannot be read as a Jupyter notebook."""


def read_notebook(path: str | Path) -> NotebookNode:
    """Parse a notebook file leniently (no random cell ids, list sources joined)."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise NotebookError(f"cannot read {path}: {err.strerror or err}") from None
    return parse_notebook(data)


def read_submission(path: str | Path, max_bytes: int) -> bytes:
    """A submission's bytes. NotebookError, before reading it, for a symbolic link (it could
    point at another learner's file), anything but a regular file (a FIFO would block), or a
    file over ``max_bytes``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise NotebookError("it is a symbolic link, not a notebook file") from None
        raise NotebookError(f"cannot read the file: {err.strerror or err}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError("it is not a regular file")
        size, limit = info.st_size / 2**20, max_bytes / 2**20
        raise NotebookError(f"the file is {size:.0f} MB, over the {limit:g} MB limit")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise NotebookError(f"the file grew over the {max_bytes / 2**20:g} MB limit")
    return data


def parse_notebook(data: bytes) -> NotebookNode:
    """Parse notebook file content (a UTF-8 byte-order mark is fine); anything unreadable
    raises NotebookError."""
    if not data.strip():
        raise NotebookError("the file is empty")
    try:
        return notebook_from_dict(json.loads(data.decode("utf-8-sig")))
    except NotebookError:
        raise
    except (ValueError, RecursionError) as err:  # JSON and UTF-8 errors are ValueErrors
        raise NotebookError(str(err)) from None


def notebook_from_dict(data: object) -> NotebookNode:
    """Check the bare structure nbformat 4 needs and return a NotebookNode."""
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("not a notebook: no list of cells")
    if data.get("nbformat") != 4:
        raise NotebookError(f"unsupported nbformat version {data.get('nbformat')!r}")
    nb = nbformat.from_dict(data)
    for cell in nb.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in {"code", "markdown", "raw"}:
            raise NotebookError("not a notebook: a cell without a valid cell_type")
        source = cell.get("source", "")
        cell.source = "".join(map(str, source)) if isinstance(source, list) else str(source)
        if not isinstance(cell.get("metadata"), dict):
            cell.metadata = NotebookNode()
    return nb


def nbgrader_meta(cell: dict) -> dict:
    """The cell's nbgrader metadata, or an empty dict."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell: dict) -> str | None:
    """The cell's grade_id, if it is an nbgrader cell with a role and a string id."""
    gid = nbgrader_meta(cell).get("grade_id") if role(cell) else None
    return gid if isinstance(gid, str) else None


def role(cell: dict) -> str | None:
    """'solution', 'test', 'manual', 'locked' or None (see the module docstring)."""
    meta = nbgrader_meta(cell)
    grade, solution = bool(meta.get("grade")), bool(meta.get("solution"))
    if grade and solution:
        return "manual"
    if grade:
        return "test"
    if solution:
        return "solution"
    return "locked" if meta.get("locked") else None


def tagged_cells(nb: NotebookNode) -> dict[str, NotebookNode]:
    """grade_id -> cell for every cell with a role, in notebook order (first one wins)."""
    cells: dict[str, NotebookNode] = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid is not None and gid not in cells:
            cells[gid] = cell
    return cells


def autograded_points(nb: NotebookNode) -> dict[str, float]:
    """grade_id -> points of every autograded test cell, in notebook order."""
    return {
        gid: float(nbgrader_meta(cell).get("points", 0))
        for gid, cell in tagged_cells(nb).items()
        if role(cell) == "test"
    }


def check_source(nb: NotebookNode) -> list[str]:
    """Problems that would make a solution notebook unusable for release or grading."""
    problems, seen = [], set()
    for index, cell in enumerate(nb.cells):
        where, kind, meta = f"cell {index}", role(cell), nbgrader_meta(cell)
        problems += [f"{where}: {p}" for p in markers.check_cell(cell.source, kind)]
        if kind is None:
            continue
        gid = meta.get("grade_id")
        if not isinstance(gid, str) or not gid:
            problems.append(f"{where}: nbgrader cell without a grade_id")
            continue
        if gid in seen:
            problems.append(f"{where}: duplicate grade_id {gid!r}")
        seen.add(gid)
        problems += [f"{where} ({gid}): {p}" for p in _role_problems(cell, kind, meta)]
    if not any(role(cell) == "test" for cell in nb.cells):
        problems.append("no autograded test cell (grade=true, solution=false)")
    return problems


def _role_problems(cell: NotebookNode, kind: str, meta: dict) -> list[str]:
    problems = []
    if kind in {"test", "manual"}:
        points = meta.get("points")
        if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
            problems.append(f"points must be a positive number, got {points!r}")
    if kind == "test" and cell.cell_type != "code":
        problems.append("an autograded test cell must be a code cell")
    if kind == "solution" and cell.cell_type == "markdown":
        problems.append("nbgrader needs a markdown answer to be a manual grade cell (grade=true)")
    return problems
