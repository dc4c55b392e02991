"""How learner code is confined: resource limits, an unprivileged user, namespaces, hidden paths.

``probe`` finds out once per batch what this machine allows and says what is missing (see
docs/grader-threat-model.md). As root, each kernel gets a user id of its own (``UID_BASE`` plus
its launcher's pid: no file on the machine belongs to it, and its process limit counts only its
own processes), new mount, network, IPC and PID namespaces, private temporary folders and a
working dir on a sized tmpfs; the solutions, the submissions and the grader's output are hidden
from it. Without root only the resource limits and the reaping of stray processes apply.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from nncourse.grading.launcher import descendants

LAUNCHER = str(Path(__file__).with_name("launcher.py"))
PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # nncourse/, which the kernel imports
UID_BASE = 2_000_000_000  # far above any real account; the pid makes each kernel's id unique
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")  # world-writable: private in the kernel
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "VIRTUAL_ENV")
ENV_KEEP_PREFIXES = ("NNCOURSE_", "CONDA_", "KERAS_BACKEND")
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",  # no oneDNN notice on stderr; the same sums on every CPU
    "MPLBACKEND": "Agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "OMP_NUM_THREADS": "1",  # the same sums in the same order on every run, and fair sharing
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PIP_NO_INPUT": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}
MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel (memory in MB, CPU time in s)."""

    memory_mb: int = 4096
    processes: int = 512
    file_size_mb: int = 256
    open_files: int = 1024
    disk_mb: int = 512
    cpu_seconds: int = 0  # 0: worked out from the notebook's time limit


@dataclass(frozen=True)
class Confinement:
    """What this machine allows (found by ``probe``), and the paths kernels must not see."""

    isolate: bool = False
    drop: bool = False
    hide: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def probe(hide: list[str] | None = None) -> Confinement:
    """The strongest confinement that works here, with a warning for each missing part."""
    paths, warnings = hidden_paths(hide or [])
    if os.geteuid() != 0:
        note = (
            "not running as root: learner code runs as you, can read your files and use the "
            "network (only resource limits apply; see docs/grader-threat-model.md)"
        )
        return Confinement(warnings=(note, *warnings))
    for isolate in (True, False):
        conf = Confinement(isolate=isolate, drop=True, hide=tuple(paths))
        problem = _try(conf)
        if not problem:
            if not isolate:
                warnings.append(
                    "namespaces are not available: learner code can use the network and read "
                    "world-readable files"
                )
            return Confinement(isolate, True, tuple(paths), tuple(warnings))
        warnings.append(f"sandbox step failed ({problem})")
    warnings.append("cannot drop privileges: learner code runs as root")
    return Confinement(warnings=tuple(warnings))


def _try(conf: Confinement) -> str:
    """'' if the launcher can start a trivial program under ``conf``, else what went wrong."""
    with tempfile.TemporaryDirectory(prefix="nncourse-probe-") as run_dir:
        Path(run_dir, "kernel.json").write_text("{}")
        plan = launcher_plan(conf, Limits(), 60, run_dir)
        proc = start_launcher(plan, ["/bin/true"])
        try:
            report = read_report(proc, 10)
            proc.wait(10)
        except (OSError, ValueError, subprocess.TimeoutExpired) as err:
            return str(err)
        finally:
            stop_launcher(proc, report_uid(plan, proc))
        return "" if report.get("ok") else report.get("error", "failed")


def hidden_paths(candidates: list[str]) -> tuple[list[str], list[str]]:
    """Paths to hide from kernels (nested ones dropped), and warnings for those that can't be."""
    needed = [
        Path(p).resolve()
        for p in (sys.prefix, sys.base_prefix, tempfile.gettempdir(), Path(__file__).parents[1])
    ]
    found, warnings = set(), []
    for path in {Path(c).resolve() for c in candidates if Path(c).exists()}:
        if any(path == n or path in n.parents for n in needed):
            notebooks = [p for p in path.rglob("*.ipynb") if not _under(p, needed)]
            found.update(notebooks)
            warnings.append(
                f"{path} holds the Python environment: only its notebooks are hidden from "
                "learner code; keep solutions and submissions in a folder of their own"
            )
        else:
            found.add(path)
    outer = [p for p in found if not any(q in p.parents for q in found)]
    return sorted(map(str, outer)), warnings


def _under(path: Path, roots: list[Path]) -> bool:
    return any(r == path or r in path.parents for r in roots)


def launcher_plan(conf: Confinement, limits: Limits, timeout: float, run_dir: str) -> dict:
    """The JSON plan ``launcher.py`` applies for one kernel started in ``run_dir``."""
    cpu = limits.cpu_seconds or int(timeout) * (os.cpu_count() or 1) + 60
    processes = limits.processes if conf.drop else _tasks_of(os.getuid()) + limits.processes
    return {
        "run_dir": run_dir,
        "parent": os.getpid(),
        "isolate": conf.isolate,
        "network": conf.isolate,
        "uid_base": UID_BASE if conf.drop else None,
        "scratch": private_scratch(),
        "scratch_size": "64m",
        "disk": f"{limits.disk_mb}m",
        "hide": list(conf.hide),
        "limits": {
            "memory": limits.memory_mb * MB,
            "address_space": (2 * limits.memory_mb + 16384) * MB,  # TF reserves much it never uses
            "processes": processes,
            "cpu_seconds": cpu,
            "file_size": limits.file_size_mb * MB,
            "open_files": limits.open_files,
            "core_size": 0,
        },
        "env": kernel_env(run_dir),
    }


def private_scratch() -> list[str]:
    """The world-writable dirs to replace with empty private ones in the kernel.

    A dir that holds the Python the kernel runs (a checkout under /tmp with its .venv, say)
    must stay visible, so it is left shared: the rlimits and the other mounts still apply.
    """
    needed = [sys.prefix, sys.base_prefix, os.path.realpath(sys.executable), str(PACKAGE_ROOT)]
    return [
        p
        for p in SCRATCH
        if os.path.isdir(p) and not any(_inside(os.path.realpath(n), p) for n in needed)
    ]


def _inside(path: str, folder: str) -> bool:
    folder = os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def kernel_env(run_dir: str) -> dict[str, str]:
    """A small environment: nothing of the instructor's (tokens, keys) reaches learner code."""
    env = {k: v for k, v in os.environ.items() if k in ENV_KEEP or k.startswith(ENV_KEEP_PREFIXES)}
    work = os.path.join(run_dir, "work")
    home = {"HOME": work, "TMPDIR": work, "IPYTHONDIR": os.path.join(work, ".ipython")}
    home |= {"MPLCONFIGDIR": os.path.join(work, ".matplotlib"), "XDG_CACHE_HOME": work}
    return {**env, **home, **KERNEL_ENV, "KERAS_HOME": os.path.join(work, ".keras")}


def start_launcher(plan: dict, command: list[str]) -> subprocess.Popen:
    """The launcher process (its own session), about to apply ``plan`` and run ``command``.

    It dies with the *thread* that starts it (PR_SET_PDEATHSIG): start it from a thread that
    outlives the kernel."""
    argv = [sys.executable, "-I", "-S", LAUNCHER, json.dumps(plan), "--", *command]
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def read_report(proc: subprocess.Popen, timeout: float) -> dict:
    """The launcher's one-line JSON report (ValueError if none comes in time)."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else b""
    proc.stdout.close()
    if not line:
        raise ValueError("the sandbox launcher did not start")
    return json.loads(line)


def report_uid(plan: dict, proc: subprocess.Popen) -> int | None:
    return None if plan["uid_base"] is None else plan["uid_base"] + proc.pid


def stop_launcher(proc: subprocess.Popen, uid: int | None, grace: float = 5.0) -> None:
    """Tear down the kernel: the launcher kills and reaps its tree; then sweep its user id."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if uid is not None:
        sweep(uid)


def kill_all_but_init(init: int) -> None:
    """Kill every process in the PID namespace of ``init`` except ``init`` (root only)."""
    subprocess.run(
        [sys.executable, "-I", "-S", LAUNCHER, "--kill-all-but-init", str(init)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=10,
        check=False,
    )


def sweep(uid: int, keep: int | None = None) -> int:
    """Kill every process of ``uid`` (except ``keep``) until none is left; return how many."""
    killed = 0
    for _ in range(100):
        pids = [pid for pid in processes_of(uid) if pid != keep]
        if not pids:
            return killed
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        time.sleep(0.01)
    return killed


def strays(proc: subprocess.Popen, kernel: int, uid: int | None) -> list[int]:
    """Processes the kernel started that are still running (not the kernel, not zombies)."""
    if uid is not None:
        return [pid for pid in processes_of(uid) if pid != kernel]
    running = {pid for pid, _, _, zombie in _status() if not zombie}
    return [pid for pid in descendants(proc.pid) if pid != kernel and pid in running]


def processes_of(uid: int) -> list[int]:
    """Live processes (not zombies) whose real user id is ``uid``."""
    return [pid for pid, owner, _, zombie in _status() if owner == uid and not zombie]


def _tasks_of(uid: int) -> int:
    """Threads of all processes of ``uid`` (RLIMIT_NPROC counts threads)."""
    return sum(threads for _, owner, threads, _ in _status() if owner == uid)


def _status() -> list[tuple[int, int, int, bool]]:
    """(pid, real uid, threads, is a zombie) of every process in /proc."""
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            text = Path("/proc", entry, "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        try:
            uid, threads = int(fields["Uid"].split()[0]), int(fields["Threads"])
        except (KeyError, ValueError, IndexError):
            continue
        found.append((int(entry), uid, threads, fields.get("State", "").strip().startswith("Z")))
    return found
