"""One HTML feedback page per submission: each test's result, points and visible message.

Only what the grading result holds is shown, and that never includes hidden test code or a
hidden test's exception message (``grade`` keeps only its exception type).
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from nncourse.grading.cache import write_atomic

RESULTS = {"passed": "passed", "failed": "failed", "timeout": "timed out", "not run": "not run"}
STYLE = """body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.35em .6em;
text-align:left;vertical-align:top}.passed{color:#17692e}.failed,.timeout{color:#a61b1b}
code{white-space:pre-wrap}"""


def feedback_path(feedback_dir: Path, row: dict) -> Path:
    """``<dir>/<student>/<assignment>.html``, with both names made safe for a file system."""
    return feedback_dir / _safe(row["student"]) / f"{_safe(row['assignment'])}.html"


def write_feedback(feedback_dir: Path, rows: list[dict]) -> list[Path]:
    """Write one page per grading result row; return their paths."""
    paths = []
    for row in rows:
        path = feedback_path(feedback_dir, row)
        write_atomic(path, render(row))
        paths.append(path)
    return paths


def render(row: dict) -> str:
    """The feedback page for one result row."""
    title = f"{row['assignment']} — {row['student']}"
    lines = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
        f"<p><strong>Score: {_num(row['total'])} / {_num(row['max'])}</strong></p>",
    ]
    if row["status"] != "ok" or row["reason"]:
        lines.append(f"<p>Grading status: {escape(row['status'])}. {escape(row['reason'])}</p>")
    lines.append("<table><tr><th>test</th><th>result</th><th>points</th><th>message</th></tr>")
    lines += [_part_row(part) for part in row["parts"]]
    lines.append("</table>")
    if row.get("errors"):
        lines.append("<h2>Other cells that raised an error</h2><ul>")
        lines += [
            f"<li>{escape(e['cell'])}: <code>{escape(e['message'])}</code></li>"
            for e in row["errors"]
        ]
        lines.append("</ul>")
    return "\n".join(lines + ["</body></html>", ""])


def _part_row(part: dict) -> str:
    result = part["result"]
    label = RESULTS.get(result, result)
    return (
        f"<tr><td>{escape(part['grade_id'])}</td><td class='{escape(result)}'>{escape(label)}</td>"
        f"<td>{_num(part['points'])} / {_num(part['max'])}</td>"
        f"<td><code>{escape(part['message'])}</code></td></tr>"
    )


def _num(value: float) -> str:
    return f"{value:g}"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "_"
