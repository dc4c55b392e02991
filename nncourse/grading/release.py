"""Solutions -> exercises: the student notebook generated from its solution notebook.

Solution regions become nbgrader's stub, hidden tests disappear, outputs and execution counts
are cleared, nbgrader metadata stays (with nbgrader's checksum), and locked cells are made
read-only in Jupyter: the same file ``nbgrader generate_assignment`` writes. The output
depends only on the source, byte for byte, so releasing twice changes nothing and ``stale``
can tell whether exercises/ is up to date.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from nncourse.grading import markers
from nncourse.grading.discover import find_sources
from nncourse.grading.notebook import check_source, nbgrader_meta, read_notebook, role


def student_version(nb: NotebookNode) -> NotebookNode:
    """The notebook a learner receives: no solutions, no hidden tests, no outputs."""
    out = copy.deepcopy(nb)
    out.metadata.pop("celltoolbar", None)
    for cell in out.cells:
        kind = role(cell)
        if kind in {"solution", "manual"}:
            cell.source = _stub(cell)
        elif kind == "test":
            cell.source = markers.strip_hidden(cell.source)
        if kind is not None:
            cell.metadata["deletable"] = False
            cell.metadata.nbgrader.update(cell_type=cell.cell_type, checksum=checksum(cell))
        if kind in {"test", "locked"}:
            cell.metadata["editable"] = False
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return out


def _stub(cell: NotebookNode) -> str:
    """Solution regions replaced by the stub; a cell without regions becomes the stub."""
    has_region = any(inside for _, inside, _ in markers.regions(cell.source, markers.SOLUTION))
    if has_region:
        return markers.strip_solutions(cell.source, cell.cell_type)
    return markers.CODE_STUB if cell.cell_type == "code" else markers.TEXT_STUB


def checksum(cell: NotebookNode) -> str:
    """nbgrader's fingerprint of a cell as released (lets nbgrader spot changed cells)."""
    meta, kind = nbgrader_meta(cell), role(cell)
    grade, solution = kind in {"test", "manual"}, kind in {"solution", "manual"}
    locked = not solution and (grade or bool(meta.get("locked")))
    digest = hashlib.md5(usedforsecurity=False)
    for part in (
        cell.source,
        cell.cell_type,
        str(grade),
        str(solution),
        str(locked),
        meta["grade_id"],
    ):
        digest.update(part.encode("utf-8"))
    if grade:
        digest.update(str(float(meta["points"])).encode("utf-8"))
    return digest.hexdigest()


def notebook_text(nb: NotebookNode) -> str:
    """Serialise like ``nbformat.write`` (sorted keys, indent 1, trailing newline)."""
    for index, cell in enumerate(nb.cells):
        if nb.get("nbformat_minor", 0) >= 5 and "id" not in cell:
            cell["id"] = f"cell-{index}"  # a fixed id, where nbformat would draw a random one
    return nbformat.writes(nb) + "\n"


def exercise_text(source: Path) -> str:
    """The exercise file's exact content for one solution notebook."""
    nb = read_notebook(source)
    problems = check_source(nb)
    if problems:
        raise ValueError(f"{source}: " + "; ".join(problems))
    return notebook_text(student_version(nb))


def release(source_dir: Path, out_dir: Path) -> list[Path]:
    """Write exercises/<name>.ipynb for every solution; return the files that changed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, source in find_sources(source_dir).items():
        target, text = out_dir / f"{name}.ipynb", exercise_text(source)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


def stale(source_dir: Path, out_dir: Path) -> list[str]:
    """Why exercises/ is not what ``release`` would write (empty when up to date)."""
    problems, sources = [], find_sources(source_dir)
    for name, source in sources.items():
        target = out_dir / f"{name}.ipynb"
        try:
            text = exercise_text(source)
        except (ValueError, OSError) as err:
            problems.append(str(err))
            continue
        if not target.exists():
            problems.append(f"{target} is missing")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{target} is out of date with {source}")
    for extra in sorted(set(find_sources(out_dir)) - set(sources)):
        problems.append(f"{out_dir / extra}.ipynb has no solution notebook in {source_dir}")
    return problems
