"""Lay the course out the way nbgrader expects, with settings that match ``nncourse grade``.

nbgrader reads ``<root>/source/<assignment>/<assignment>.ipynb``; this course keeps one file per
assignment in ``solutions/``. ``stage`` copies them across (only what changed); ``export``
also writes a self-contained ``nbgrader_config.py`` for a JupyterHub course directory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from nncourse.grading import markers
from nncourse.grading.discover import find_sources

COURSE_ID = "nncourse"


def settings(cell_timeout: int = 120) -> dict[str, dict[str, object]]:
    """nbgrader options that make it cut, stub and grade as nncourse does."""
    return {
        "CourseDirectory": {"course_id": COURSE_ID},
        "ClearSolutions": {
            "code_stub": {"python": markers.CODE_STUB},
            "text_stub": markers.TEXT_STUB,
        },
        "Execute": {"timeout": cell_timeout, "interrupt_on_timeout": True},
        "OverwriteCells": {"add_missing_cells": True},  # a deleted test cell is put back
    }


def configure(config, root: Path, cell_timeout: int = 120) -> None:
    """Fill an nbgrader ``get_config()`` object: course root plus ``settings``."""
    config.CourseDirectory.root = str(root)
    for section, values in settings(cell_timeout).items():
        for name, value in values.items():
            config[section][name] = value


def stage(source_dir: Path, root: Path) -> Path:
    """Copy solutions/<a>.ipynb to <root>/source/<a>/<a>.ipynb where changed; return root."""
    for name, path in find_sources(source_dir).items():
        target = root / "source" / name / f"{name}.ipynb"
        if not target.exists() or target.read_bytes() != path.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return root


def export(source_dir: Path, root: Path, cell_timeout: int = 120) -> Path:
    """A standalone nbgrader course directory at ``root``; return its config file."""
    stage(source_dir, root)
    lines = [
        '"""nbgrader settings for the nncourse exercises (from `nncourse nbgrader-export`)."""',
        "",
        "import os",
        "",
        "c = get_config()  # noqa: F821",
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))",
    ]
    for section, values in settings(cell_timeout).items():
        lines += [f"c.{section}.{name} = {value!r}" for name, value in values.items()]
    config = root / "nbgrader_config.py"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config
