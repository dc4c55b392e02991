"""Benchmark: the hostile corpus graded end to end, then the throughput of a 200-submission batch.

Part 1 grades every case in tests/hostile/ (plus a 200 MB file, a FIFO, a symbolic link and the
snooper aimed at real paths, made here) two at a time, in sandboxed kernels as `nncourse grade`
does, and prints each case's status, score, time and reason. Part 2 runs `nncourse grade --jobs 2`
on N copies (default 200) of a tiny right answer, each in a fresh kernel, cache off, and prints
submissions per minute. Run as root for the full sandbox:
python benchmarks/bench_hostile.py [--copies N] [--cell-timeout S]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nncourse.grading import sandbox  # noqa: E402
from nncourse.grading.grade import Options, grade_notebook, ungraded  # noqa: E402
from nncourse.grading.notebook import (  # noqa: E402
    NotebookError,
    autograded_points,
    read_notebook,
    read_submission,
)

HOSTILE = ROOT / "tests" / "hostile"
sys.path.insert(0, str(HOSTILE))
import make_hostile  # noqa: E402

SOURCE = HOSTILE / "solutions" / "guarded.ipynb"
CASES = HOSTILE / "submissions" / "guarded"


def extras(folder: Path) -> list[Path]:
    """Files the corpus cannot hold: a sparse 200 MB file, a FIFO, a link, the aimed snooper."""
    with (folder / "huge.ipynb").open("wb") as handle:
        handle.truncate(200 * 2**20)
    os.mkfifo(folder / "fifo.ipynb")
    (folder / "link.ipynb").symlink_to(CASES / "correct.ipynb")
    targets = {
        "read": [str(SOURCE), str(CASES / "correct.ipynb"), "/etc/shadow"],
        "list": [str(SOURCE.parent), str(CASES), "/root"],
        "write": [str(HOSTILE / "pwned.txt")],
        "connect": [["1.1.1.1", 53]],
    }
    (folder / "snoops_aimed.ipynb").write_text(make_hostile.aimed_snoop(targets))
    return sorted(folder.iterdir())


def grade_one(path: Path, options: Options, conf: sandbox.Confinement) -> tuple[dict, float]:
    start = time.perf_counter()
    source = read_notebook(SOURCE)
    try:
        data = read_submission(path, int(options.max_notebook_mb * 2**20))
    except NotebookError as err:
        return ungraded(autograded_points(source), "invalid", str(err)), time.perf_counter() - start
    return grade_notebook(data, source, options, conf), time.perf_counter() - start


def hostile(cell_timeout: float) -> None:
    options = Options(timeout=60, cell_timeout=cell_timeout, memory_mb=1024)
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        made = extras(Path(tmp))
        paths = sorted(CASES.iterdir()) + made
        conf = sandbox.probe([str(HOSTILE), tmp])
        for warning in conf.warnings:
            print(f"warning: {warning}")
        start = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda p: grade_one(p, options, conf), paths))
        wall = time.perf_counter() - start
    print(f"\nThe hostile corpus: {len(paths)} files, two kernels at a time, ", end="")
    print(f"--cell-timeout {cell_timeout:g} --memory 1024 (isolated: {conf.isolate})")
    width = max(len(p.stem) for p in paths)
    print(f"{'case':<{width}} {'status':<8} {'score':>5} {'seconds':>8}  reason")
    for path, (result, seconds) in zip(paths, results):
        score = f"{result['total']:g}/{result['max']:g}"
        reason = result["reason"][:70]
        print(f"{path.stem:<{width}} {result['status']:<8} {score:>5} {seconds:8.1f}  {reason}")
    print(f"all of it in {wall:.0f} s; left running afterwards: {len(leftovers())} process(es)")


def leftovers() -> list[int]:
    """Processes of the kernels' user ids, or with the corpus's sleepers' arguments."""
    found = [pid for pid, uid, _, zombie in sandbox._status() if uid >= sandbox.UID_BASE]
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path("/proc", entry, "cmdline").read_bytes()
        except OSError:
            continue
        if b"86399" in cmd or b"86398" in cmd:
            found.append(int(entry))
    return found


def throughput(copies: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        for i in range(copies):
            folder = Path(tmp, "subs", f"student{i:03d}")
            folder.mkdir(parents=True)
            shutil.copy(CASES / "correct.ipynb", folder / "guarded.ipynb")
        command = [sys.executable, "-m", "nncourse.cli", "grade", str(Path(tmp, "subs"))]
        command += ["--source", str(SOURCE.parent), "--out", str(Path(tmp, "g.csv"))]
        command += ["--jobs", "2", "--no-cache", "--quiet"]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"the batch failed:\n{done.stderr}")
        summary = done.stderr.strip().splitlines()[-1]
    print(f"\n{copies} submissions, --jobs 2, fresh sandboxed kernel each ({os.cpu_count()} CPUs)")
    print(f"{seconds:.0f} s, {60 * copies / seconds:.1f} submissions/min: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--cell-timeout", type=float, default=5.0)
    args = parser.parse_args()
    hostile(args.cell_timeout)
    throughput(args.copies)


if __name__ == "__main__":
    main()
