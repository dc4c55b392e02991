"""Build the submission corpus: learners' notebooks made from the solution notebooks.

Every case in ``cases.py`` starts from the released exercise (what a learner receives) and fills
its solution cells the way a learner might: with the reference solution, a correct alternative
(loops instead of vectorization, other names) or common mistakes. The stub case leaves the
exercise untouched. ``expected.json`` records, for every case, the points each test cell must
earn and phrases its feedback must contain; tests/test_submission_corpus.py grades the corpus
and compares.

    python tests/submissions/make_corpus.py           rewrite the corpus from solutions/
    python tests/submissions/make_corpus.py --check   exit 1 if the corpus is out of date
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import textwrap
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))  # cases.py sits beside this file

from cases import CASES, Case, Edit, Fill  # noqa: E402

from nncourse.grading import markers  # noqa: E402
from nncourse.grading.notebook import autograded_points, read_notebook  # noqa: E402
from nncourse.grading.release import notebook_text, student_version  # noqa: E402


def filled(source: str) -> str:
    """A solution cell as a learner who wrote the reference solution leaves it: no markers."""
    lines = source.split("\n")
    return "\n".join(ln for ln in lines if "BEGIN SOLUTION" not in ln and "END SOLUTION" not in ln)


def learner_code(original: str, edit: Fill | Edit | list[Edit] | None) -> str:
    """The learner's version of one solution cell: stubs filled in, or the reference edited."""
    if isinstance(edit, Fill):
        return _fill(original, edit)
    code = filled(original)
    for change in [edit] if isinstance(edit, Edit) else edit or []:
        if code.count(change.old) != 1:
            raise ValueError(f"{change.old!r} must occur exactly once in:\n{code}")
        code = code.replace(change.old, change.new)
    return code


def _fill(original: str, fill: Fill) -> str:
    """Each solution region replaced by its body from ``fill`` (None keeps the reference)."""
    runs = markers.regions(original, markers.SOLUTION)
    if len(fill) != sum(inside for _, inside, _ in runs):
        raise ValueError(f"{len(fill)} bodies for the solution regions of:\n{original}")
    bodies, lines = iter(fill), []
    for run, inside, indent in runs:
        body = next(bodies) if inside else None
        if body is None:
            lines += run
        else:
            code = textwrap.dedent(body).strip("\n").split("\n")
            lines += [indent + line if line else "" for line in code]
    return "\n".join(lines)


def submission(source: nbformat.NotebookNode, case: Case) -> nbformat.NotebookNode:
    """The notebook a learner hands in for ``case``."""
    nb = student_version(source)
    if case.stub:
        return nb
    originals = {c.metadata.nbgrader.grade_id: c for c in source.cells if "nbgrader" in c.metadata}
    solution_ids = {gid for gid, c in originals.items() if c.metadata.nbgrader.get("solution")}
    unknown = set(case.cells) - solution_ids
    if unknown:
        raise ValueError(f"no solution cell with grade_id {sorted(unknown)}")
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            gid = meta["grade_id"]
            cell.source = learner_code(originals[gid].source, case.cells.get(gid))
    return nb


def expectation(source: nbformat.NotebookNode, case: Case) -> dict:
    """Points per test cell (all or nothing) and the phrases each failure's feedback contains."""
    points = autograded_points(source)
    unknown = set(case.fails) - set(points)
    if unknown:
        raise ValueError(f"no test cell with grade_id {sorted(unknown)}")
    earned = {gid: 0.0 if gid in case.fails else pts for gid, pts in points.items()}
    return {
        "about": case.about,
        "points": earned,
        "total": sum(earned.values()),
        "feedback": copy.deepcopy(case.fails),
    }


def build(solutions: Path = ROOT / "solutions") -> dict[str, str]:
    """Relative path -> file content of the whole corpus, expected.json included."""
    files, expected = {}, {}
    for assignment, cases in CASES.items():
        source = read_notebook(solutions / f"{assignment}.ipynb")
        expected[assignment] = {}
        for name, case in cases.items():
            files[f"{assignment}/{name}.ipynb"] = notebook_text(submission(source, case))
            expected[assignment][name] = expectation(source, case)
    files["expected.json"] = json.dumps(expected, indent=1, ensure_ascii=False) + "\n"
    return files


def stale(out: Path = HERE) -> list[str]:
    """Corpus files that differ from what ``build`` makes, or that it would not make."""
    files = build()
    problems = [p for p, text in files.items() if _read(out / p) != text]
    extra = {str(p.relative_to(out)) for p in out.glob("*/*.ipynb")} - set(files)
    return problems + [f"{p} (not in cases.py)" for p in sorted(extra)]


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    if parser.parse_args().check:
        problems = stale()
        print("\n".join(problems) or "the corpus is up to date")
        return 1 if problems else 0
    for path, text in build().items():
        (HERE / path).parent.mkdir(parents=True, exist_ok=True)
        (HERE / path).write_text(text, encoding="utf-8")
    print(f"wrote the corpus to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
