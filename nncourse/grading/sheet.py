"""The grade sheet: one row per submission, as CSV and as JSON next to it; merging sheets.

Columns: student, assignment, status, total, max, one column per test cell (its grade_id,
points earned; empty for another assignment's rows), reason, submission. Rows are sorted by
assignment, student and file, so the same results always give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from nncourse.grading.cache import write_atomic

HEAD = ["student", "assignment", "status", "total", "max"]
TAIL = ["reason", "submission"]
NUMBERS = {"total", "max"}


def flatten(result_rows: list[dict]) -> list[dict]:
    """Grading results -> sheet rows (parts spread into one field per grade_id)."""
    return [
        {
            **{k: row[k] for k in HEAD + TAIL},
            "parts": {p["grade_id"]: p["points"] for p in row["parts"]},
        }
        for row in result_rows
    ]


def columns(rows: list[dict]) -> list[str]:
    """Sheet columns: HEAD, the grade_ids in order of first appearance, TAIL."""
    parts: dict[str, None] = {}
    for row in _sorted(rows):
        parts.update(dict.fromkeys(row["parts"]))
    return HEAD + [p for p in parts if p not in HEAD + TAIL] + TAIL


def write_sheet(rows: list[dict], csv_path: Path) -> Path:
    """Write ``csv_path`` and the same table as ``.json`` beside it; return the JSON path."""
    cols, rows = columns(rows), _sorted(rows)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(cols)
    writer.writerows([_cell(_value(row, col)) for col in cols] for row in rows)
    write_atomic(csv_path, text.getvalue())
    table = [{col: _value(row, col) for col in cols} for row in rows]
    json_path = csv_path.with_suffix(".json")
    write_atomic(json_path, json.dumps({"columns": cols, "rows": table}, indent=1) + "\n")
    return json_path


def read_sheet(path: Path) -> list[dict]:
    """Sheet rows from a CSV or JSON sheet written by ``write_sheet``."""
    if path.suffix == ".json":
        table = json.loads(path.read_text(encoding="utf-8"))
        records, cols = table["rows"], table["columns"]
    else:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            records, cols = list(reader), reader.fieldnames or []
    parts = [c for c in cols if c not in HEAD + TAIL]
    return [
        {
            **{k: _number(r[k]) if k in NUMBERS else r[k] for k in HEAD + TAIL},
            "parts": {p: _number(r[p]) for p in parts if r.get(p) not in ("", None)},
        }
        for r in records
    ]


def merge(paths: list[Path]) -> list[dict]:
    """All rows of several sheets; the same submission twice must agree."""
    merged: dict[tuple, dict] = {}
    for path in paths:
        for row in read_sheet(path):
            key = (row["student"], row["assignment"], row["submission"])
            if key in merged and merged[key] != row:
                raise ValueError(f"{path}: {key[0]}/{key[1]} differs from an earlier sheet")
            merged[key] = row
    return _sorted(list(merged.values()))


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["assignment"], r["student"], r["submission"]))


def _value(row: dict, col: str):
    return row[col] if col in HEAD + TAIL else row["parts"].get(col)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(round(value, 6))
    return str(value)


def _number(value) -> float | None:
    return None if value in ("", None) else float(value)
