#!/usr/bin/env python3
"""Set up nncourse and run it: the only entry point a newcomer needs.

    python3 course.py lab     # install everything into .venv, then open the course in JupyterLab
    python3 course.py test    # install everything into .venv, then lint and run all the tests

Other commands: ``setup`` (install only), ``bench`` (run the benchmarks). Every command first
makes sure ``.venv`` holds exactly what pyproject.toml and constraints.txt ask for, and keeps
tool caches inside the checkout (``.cache/``) instead of your home directory.
Set NNCOURSE_UNPINNED=1 to install without the tested versions in constraints.txt.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("NNCOURSE_VENV", ROOT / ".venv"))
CACHE = ROOT / ".cache"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
INPUTS = ("pyproject.toml", "constraints.txt")


def environment() -> dict[str, str]:
    """The environment every tool runs in: quiet TensorFlow, caches under .cache/."""
    env = dict(os.environ)
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        TF_ENABLE_ONEDNN_OPTS="0",  # TF_CPP_MIN_LOG_LEVEL does not silence its notice
        KERAS_BACKEND="tensorflow",
        MPLCONFIGDIR=str(CACHE / "matplotlib"),
        IPYTHONDIR=str(CACHE / "ipython"),
        KERAS_HOME=str(CACHE / "keras"),
        RUFF_CACHE_DIR=str(CACHE / "ruff"),
        PIP_CACHE_DIR=str(CACHE / "pip"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        JUPYTER_RUNTIME_DIR=str(CACHE / "jupyter-runtime"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.setdefault("NNCOURSE_DATA", str(CACHE / "data"))
    # The course's models are small: one BLAS thread is faster than several fighting for two
    # cores, especially with two notebooks running side by side in the tests.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    cmd = [str(a) for a in args]
    print("+", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env={**environment(), **(env or {})})
    if result.returncode != 0:
        sys.exit(result.returncode)


def fingerprint() -> str:
    h = hashlib.sha256(sys.version.encode())
    for name in INPUTS:
        path = ROOT / name
        h.update(path.read_bytes() if path.exists() else b"")
    h.update(os.environ.get("NNCOURSE_UNPINNED", "").encode())
    return h.hexdigest()


def setup() -> None:
    """Create .venv and install nncourse with its test tools, unless it is already up to date."""
    stamp = VENV / ".nncourse-installed"
    if stamp.exists() and stamp.read_text() == fingerprint() and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        try:
            venv.create(VENV, with_pip=True)
        except Exception as err:  # e.g. Debian without the python3-venv package
            sys.exit(f"Could not create {VENV}: {err}\nOn Debian/Ubuntu: apt install python3-venv")
    pins = [] if os.environ.get("NNCOURSE_UNPINNED") else ["-c", ROOT / "constraints.txt"]
    run(PYTHON, "-m", "pip", "install", "--quiet", *pins, "-e", f"{ROOT}[test]")
    stamp.write_text(fingerprint())


def learner_config(config: Path = CACHE / "jupyter-learner") -> Path:
    """Jupyter settings for the course's JupyterLab (a JUPYTER_CONFIG_PATH folder): nbgrader,
    installed for the tests and for instructors, keeps its menus and server extensions out of the
    learner's way."""
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    pages = {"disabledExtensions": {"@jupyter/nbgrader": True}}
    (config / "labconfig" / "page_config.json").write_text(json.dumps(pages, indent=1))
    names = ("formgrader", "validate_assignment", "assignment_list", "course_list")
    off = {f"nbgrader.server_extensions.{name}": False for name in names}
    server = {"ServerApp": {"jpserver_extensions": off}}
    (config / "jupyter_server_config.json").write_text(json.dumps(server, indent=1))
    return config


def lab(extra: list[str]) -> None:
    setup()
    first = ROOT / "notebooks" / "00_welcome.ipynb"
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers
    env = {"JUPYTER_CONFIG_PATH": str(learner_config())}
    args = [f"--notebook-dir={ROOT}", *as_root, *extra, first.relative_to(ROOT)]
    run(BIN / "jupyter", "lab", *args, env=env)


def test(extra: list[str]) -> None:
    setup()
    os.environ.setdefault("NNCOURSE_OFFLINE", "1")  # tests never download; lessons show the code
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(
        PYTHON,
        "-m",
        "pytest",
        "-n",
        "2",
        "--dist",
        "loadfile",
        "--nbval-lax",
        "--nbval-current-env",
        "tests",
        "notebooks",
        "solutions",
        *extra,
    )


def bench(extra: list[str]) -> None:
    setup()
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        run(PYTHON, script.relative_to(ROOT), *extra)


def main(argv: list[str]) -> None:
    commands = {"lab": lab, "test": test, "bench": bench, "setup": lambda extra: setup()}
    if not argv or argv[0] not in commands:
        sys.exit(__doc__)
    commands[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
