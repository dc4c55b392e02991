"""Find solution sources and learners' submissions, and tell whose and which each one is.

A submission's student and assignment come from its path, first rule that applies:

1. nbgrader layout ``.../submitted/<student>/<assignment>/<notebook>.ipynb``;
2. the file is named after an assignment (``alice/ex01_neuron_activations.ipynb``):
   student = folder;
3. the folder is named after an assignment (``ex01_neuron_activations/alice.ipynb``):
   student = file stem;
4. otherwise student = file stem, and the assignment is the source sharing the most grade_ids
   with the notebook (resolved when it is graded; no overlap makes the row ``invalid``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

UNKNOWN = "?"  # assignment placeholder for rule 4, until the grade_ids are read


@dataclass(frozen=True)
class Submission:
    """One notebook to grade and whose it is."""

    student: str
    assignment: str
    path: str


def find_sources(source_dir: Path) -> dict[str, Path]:
    """Assignment name (file stem) -> solution notebook, sorted by name."""
    return {path.stem: path for path in sorted(Path(source_dir).glob("*.ipynb"))}


def find_submissions(paths: list[str], assignments: set[str]) -> list[Submission]:
    """Every notebook in ``paths`` (files or folders, searched recursively), identified."""
    found = []
    for path in map(Path, paths):
        notebooks = [path] if path.is_file() or not path.exists() else _notebooks_under(path)
        found += [identify(nb, assignments) for nb in notebooks]
    return sorted(set(found), key=lambda s: (s.assignment, s.student, s.path))


def _notebooks_under(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # skips .ipynb_checkpoints
        found += [Path(root, f) for f in sorted(files) if f.endswith(".ipynb")]
    return found


def identify(path: Path, assignments: set[str]) -> Submission:
    """Student and assignment of one notebook, by the rules in the module docstring."""
    parts = path.parts
    if len(parts) >= 4 and parts[-4] == "submitted":
        assignment = parts[-2] if parts[-2] in assignments else path.stem
        return Submission(parts[-3], assignment, str(path))
    folder = path.parent.name or "."
    if path.stem in assignments:
        return Submission(folder if folder != "." else path.stem, path.stem, str(path))
    if folder in assignments:
        return Submission(path.stem, folder, str(path))
    return Submission(path.stem, UNKNOWN, str(path))


def match_assignment(grade_ids: set[str], source_ids: dict[str, set[str]]) -> str | None:
    """The one source sharing the most grade_ids with a notebook (None if none or a tie)."""
    overlap = sorted(
        ((len(grade_ids & ids), name) for name, ids in source_ids.items()), reverse=True
    )
    if not overlap or overlap[0][0] == 0 or (len(overlap) > 1 and overlap[1][0] == overlap[0][0]):
        return None
    return overlap[0][1]
