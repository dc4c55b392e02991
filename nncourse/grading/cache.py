"""Results stored by content, so re-running a batch skips the submissions already graded.

The key hashes the submission's bytes, the source's bytes, the grading options and the engine
version: change any of them and the submission is graded again. Who submitted is not part of
the key (the caller adds it to the row), so identical files are graded once.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

ENGINE = "nncourse-grading-3"  # bump when a change to the engine changes results


def key(submission: bytes, source: bytes, options: dict) -> str:
    """A hex digest naming one (submission, source, options) combination."""
    h = hashlib.sha256(ENGINE.encode())
    for part in (submission, source, json.dumps(options, sort_keys=True).encode()):
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def load(cache_dir: Path | None, digest: str) -> dict | None:
    """The stored result, or None when absent or unreadable."""
    if cache_dir is None:
        return None
    try:
        return json.loads((cache_dir / f"{digest}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(cache_dir: Path | None, digest: str, result: dict) -> None:
    """Save a result atomically (a crash never leaves half a file behind)."""
    if cache_dir is not None:
        write_atomic(cache_dir / f"{digest}.json", json.dumps(result, sort_keys=True))


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
