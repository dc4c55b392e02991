"""The marked regions inside a cell: solutions and hidden tests.

A marker is a line containing ``BEGIN SOLUTION`` / ``END SOLUTION`` or ``BEGIN HIDDEN TESTS`` /
``END HIDDEN TESTS`` (written ``### BEGIN SOLUTION`` by convention), the same rule nbgrader
uses, so both tools cut the same regions.
"""

from __future__ import annotations

import re

SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")
HIDDEN = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # nbgrader's default stub
TEXT_STUB = "YOUR ANSWER HERE"


def regions(source: str, pair: tuple[str, str]) -> list[tuple[list[str], bool, str]]:
    """Split a cell into runs of lines: (lines, inside_region, indent of the BEGIN marker)."""
    begin, end = pair
    runs: list[tuple[list[str], bool, str]] = [([], False, "")]
    for line in source.split("\n"):
        inside = runs[-1][1]
        if begin in line:
            if inside:
                raise ValueError(f"nested {begin!r}")
            runs.append(([], True, re.match(r"\s*", line).group(0)))
        elif end in line:
            if not inside:
                raise ValueError(f"{end!r} without {begin!r}")
            runs.append(([], False, ""))
        else:
            runs[-1][0].append(line)
    if runs[-1][1]:
        raise ValueError(f"{begin!r} without {end!r}")
    return runs


def strip_solutions(source: str, cell_type: str) -> str:
    """Replace each solution region by the stub, indented like its BEGIN marker."""
    stub = (CODE_STUB if cell_type == "code" else TEXT_STUB).split("\n")
    lines: list[str] = []
    for run, inside, indent in regions(source, SOLUTION):
        lines += [indent + s for s in stub] if inside else run
    return "\n".join(lines)


def strip_hidden(source: str) -> str:
    """Remove the hidden-test regions (and their markers)."""
    return "\n".join(
        line for run, inside, _ in regions(source, HIDDEN) if not inside for line in run
    )


def hidden_chunks(source: str) -> list[tuple[str, bool]] | None:
    """A test cell cut into consecutive (code, hidden) chunks, or None if it cannot be cut.

    Cutting lets the grader tell a visible failure from a hidden one. It is only safe when
    every hidden region starts at the top level (no indentation), as it does in practice.
    """
    runs = regions(source, HIDDEN)
    if any(inside and indent for _, inside, indent in runs):
        return None
    chunks = [("\n".join(run), inside) for run, inside, _ in runs]
    return [(code, hidden) for code, hidden in chunks if code.strip()]


def inside_lines(source: str, pair: tuple[str, str]) -> list[str]:
    """The stripped, non-empty lines inside the regions of ``pair``."""
    return [
        line.strip()
        for run, inside, _ in regions(source, pair)
        if inside
        for line in run
        if line.strip()
    ]


def has_marker(source: str) -> bool:
    """True if any solution or hidden-test marker occurs in the text."""
    return any(word in source for word in (*SOLUTION, *HIDDEN))


def check_cell(source: str, kind: str | None) -> list[str]:
    """Marker problems in one cell of a solution notebook, given the cell's role."""
    problems = []
    for pair, allowed, name in (
        (SOLUTION, {"solution", "manual"}, "solution"),
        (HIDDEN, {"test"}, "hidden-test"),
    ):
        try:
            found = any(inside for _, inside, _ in regions(source, pair))
        except ValueError as err:
            problems.append(f"unbalanced {name} markers: {err}")
            continue
        if found and kind not in allowed:
            problems.append(
                f"{name} region in a cell that is not a {' or '.join(sorted(allowed))} cell"
            )
    return problems
