"""Start one grading kernel inside its sandbox, stay as its parent, and reap everything it leaves.

Run by the grader as ``python -I -S launcher.py PLAN_JSON -- KERNEL_COMMAND...``; the standard
library only, so it starts in a few milliseconds. The plan (``sandbox.launcher_plan``) says what
to apply; this script reports how it went as one JSON line on stdout, then waits.
(``launcher.py --kill-all-but-init PID`` kills every process in an isolated kernel's namespace
but the kernel: the grader's fork-bomb brake.)

    this process (L)                       the kernel (K), forked from L
    - child subreaper, dies with the       - rlimits: memory, processes, CPU, file size, files
      grader (PR_SET_PDEATHSIG)            - dies with L; no new privileges (no setuid binaries)
    - new mount, network, IPC and PID      - /proc of its own PID namespace (it is PID 1 there:
      namespaces (root only): /tmp,          when it exits, Linux kills the whole namespace)
      /var/tmp, /dev/shm become private    - unprivileged user, stdin/stdout/stderr on /dev/null
      tmpfs; the working dir a sized       - exec the Jupyter kernel in its working dir
      tmpfs; secret paths hidden
    - SIGINT: passed on to K (interrupt); SIGTERM, or K's exit: kill K and every descendant,
      wait for them, exit with K's status.
"""

import ctypes
import json
import os
import signal
import sys

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x8000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
LIMITS = {
    "memory": "RLIMIT_DATA",
    "address_space": "RLIMIT_AS",
    "processes": "RLIMIT_NPROC",
    "cpu_seconds": "RLIMIT_CPU",
    "file_size": "RLIMIT_FSIZE",
    "open_files": "RLIMIT_NOFILE",
    "core_size": "RLIMIT_CORE",
}

libc = ctypes.CDLL(None, use_errno=True)


def check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, value: int) -> None:
    if hasattr(libc, "prctl"):  # Linux only; elsewhere only the resource limits apply
        check(libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl({option})")


def mount(source: str, target: str, fstype: str, flags: int, data: str = "") -> None:
    args = [None if s is None else s.encode() for s in (source, target, fstype, data or None)]
    check(libc.mount(args[0], args[1], args[2], ctypes.c_ulong(flags), args[3]), f"mount {target}")


def private_tmpfs(path: str, size: str, mode: str) -> None:
    """An empty tmpfs of ``size`` over ``path``, visible only in this mount namespace."""
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode}")


def hide(path: str) -> None:
    """Make ``path`` look empty: a read-only empty tmpfs on a folder, /dev/null on a file."""
    if os.path.isdir(path):
        mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")
    elif os.path.exists(path):
        mount("/dev/null", path, None, MS_BIND)


def isolate(plan: dict, owner: tuple[int, int]) -> None:
    """New namespaces; private temporary folders; the run dir rebuilt on a sized tmpfs."""
    run_dir = plan["run_dir"]
    with open(os.path.join(run_dir, "kernel.json"), "rb") as handle:
        connection = handle.read()
    flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID | (CLONE_NEWNET if plan["network"] else 0)
    check(libc.unshare(flags), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    sockets = os.open(os.path.join(run_dir, "sock"), os.O_PATH | os.O_DIRECTORY)  # the real one
    for path in plan["scratch"]:
        if os.path.isdir(path):
            private_tmpfs(path, plan["scratch_size"], "1777")
    os.makedirs(run_dir, mode=0o700, exist_ok=True)
    private_tmpfs(run_dir, plan["disk"], "0711")
    for name in ("work", "sock"):
        os.mkdir(os.path.join(run_dir, name), 0o700)
    os.chown(os.path.join(run_dir, "work"), *owner)
    mount(f"/proc/self/fd/{sockets}", os.path.join(run_dir, "sock"), None, MS_BIND)
    os.close(sockets)
    fd = os.open(os.path.join(run_dir, "kernel.json"), os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, connection)
    os.fchown(fd, *owner)
    os.close(fd)
    for path in plan["hide"]:
        hide(path)


def kernel_child(plan: dict, command: list[str], env: dict, errors: int, uid: int | None) -> None:
    """In K: limits, then the unprivileged user, then exec. Never returns."""
    try:
        if plan["isolate"]:  # K's own /proc, in a mount namespace of its own so L keeps its view
            check(libc.unshare(CLONE_NEWNS), "unshare")
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        for name, value in plan["limits"].items():
            resource_limit(name, value)
        os.chdir(os.path.join(plan["run_dir"], "work"))
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, errors)
        os.closerange(errors + 1, 65536)
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the uid change, which would clear it
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # ignored in L, and exec keeps "ignored"
        os.execve(command[0], command, env)
    except BaseException as err:  # noqa: BLE001 - reported to L through the pipe
        os.write(errors, f"{type(err).__name__}: {err}".encode()[:500])
    os._exit(127)


def resource_limit(name: str, value: int) -> None:
    import resource  # only here: the module is small, but K is the only one who needs it

    which = getattr(resource, LIMITS[name])
    hard = resource.getrlimit(which)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))


def descendants(root: int) -> list[int]:
    """Every live descendant of ``root``, found through /proc."""
    parents = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read()
                parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
            except (OSError, ValueError):
                continue
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def reap_all(kernel: int, isolated: bool) -> None:
    """Kill K and everything under this process, and wait for it all (orphans come here).

    Isolated, K is PID 1 of its namespace: killing it kills the namespace, and /proc here must
    not be searched (L is outside that namespace, so K's processes are not its descendants).
    """
    if isolated:
        forward(kernel, signal.SIGKILL)
        try:
            while True:
                os.waitpid(-1, 0)
        except ChildProcessError:
            return
    for _ in range(1000):
        victims = [kernel, *descendants(os.getpid())]
        for pid in victims:
            forward(pid, signal.SIGKILL)
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            return
        if not descendants(os.getpid()):
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                return


def forward(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:
        pass


class Stop(Exception):
    """SIGTERM, SIGHUP or the death of the grader: tear everything down."""


def stop(signum, frame):
    raise Stop


def kill_all_but_init(pid: int) -> int:
    """Kill every process in the PID namespace whose init is ``pid``, except that init: from
    inside the namespace, kill(-1) reaches all of them at once, however fast they fork."""
    fd = os.open(f"/proc/{pid}/ns/pid", os.O_RDONLY)
    check(libc.setns(fd, CLONE_NEWPID), "setns")
    child = os.fork()  # the first process forked after setns lives in the namespace
    if child == 0:
        for _ in range(5):
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                os._exit(0)
        os._exit(0)
    os.waitpid(child, 0)
    return 0


def main() -> int:
    if sys.argv[1] == "--kill-all-but-init":
        return kill_all_but_init(int(sys.argv[2]))
    split = sys.argv.index("--")
    plan, command = json.loads(sys.argv[1]), sys.argv[split + 1 :]
    env = plan["env"]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != plan["parent"]:
        return 1  # the grader died before the line above
    uid = None if plan["uid_base"] is None else plan["uid_base"] + os.getpid()
    owner = (uid, uid) if uid is not None else (os.getuid(), os.getgid())
    run_dir = plan["run_dir"]
    os.mkdir(os.path.join(run_dir, "sock"), 0o700)
    os.chown(os.path.join(run_dir, "sock"), *owner)
    if plan["isolate"]:
        isolate(plan, owner)
    else:
        os.mkdir(os.path.join(run_dir, "work"), 0o700)
        for name in ("", "work", "kernel.json"):
            os.chown(os.path.join(run_dir, name), *owner)
    read_errors, write_errors = os.pipe()  # not inherited: closed by K's exec
    kernel = os.fork()
    if kernel == 0:
        os.close(read_errors)
        kernel_child(plan, command, env, write_errors, uid)
    status = 1
    try:  # from here on, whatever happens (the grader dying too), K and its processes go with L
        os.close(write_errors)
        failure = os.read(read_errors, 1000).decode(errors="replace")
        os.close(read_errors)
        report = {"ok": not failure, "error": failure, "pid": kernel, "uid": uid}
        os.write(1, (json.dumps(report) + "\n").encode())
        os.close(1)
        signal.signal(signal.SIGINT, lambda *_: forward(kernel, signal.SIGINT))
        while True:
            pid, code = os.waitpid(-1, 0)
            if pid == kernel:
                status = os.waitstatus_to_exitcode(code)
                break
    except (Stop, OSError):  # OSError: the grader's end of the pipe is gone, or no children
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    reap_all(kernel, plan["isolate"])
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as err:  # noqa: BLE001 - the grader reads this line instead of a report
        failure = {"ok": False, "error": f"{type(err).__name__}: {err}"}
        os.write(1, (json.dumps(failure) + "\n").encode())
        sys.exit(1)
