"""One sandboxed IPython kernel, driven over its shell channel only.

The kernel binds Unix sockets (ZeroMQ ``ipc``) in its run dir, so it can live in a network
namespace of its own. The grader connects to the shell socket alone: it never subscribes to
the kernel's output (a print flood costs it nothing), never answers ``input()`` (stdin is not
allowed), refuses replies over ``MAX_REPLY`` bytes, and reads only execute replies, as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path

import zmq
from jupyter_client.session import Session

from nncourse.grading import sandbox

MAX_REPLY = 64 * sandbox.MB
POLL_MS = 100
MAX_STRAYS = 32  # more processes than this while a cell runs: a fork bomb, braked at once
BRAKE_EVERY = 0.25  # seconds between two looks for a fork bomb


class KernelDied(Exception):
    """The kernel process is gone."""


class ReplyLost(Exception):
    """The kernel dropped the connection: its reply was over ``MAX_REPLY`` bytes."""


class KernelStartError(Exception):
    """The kernel could not be started (a problem of the machine, not of the submission)."""


class Kernel:
    """Start with ``Kernel(run_dir, ...)``, then ``execute`` cells; always ``close`` it."""

    def __init__(
        self, run_dir: Path, conf: sandbox.Confinement, limits: sandbox.Limits, timeout: float
    ) -> None:
        self.run_dir, key = Path(run_dir), secrets.token_hex(32)
        self.plan = sandbox.launcher_plan(conf, limits, timeout, str(self.run_dir))
        self.session = Session(key=key.encode(), signature_scheme="hmac-sha256", username="grader")
        connection = {
            "transport": "ipc",
            "ip": str(self.run_dir / "sock" / "k"),
            **{f"{name}_port": n for n, name in enumerate(PORTS, start=1)},
            "key": key,
            "signature_scheme": "hmac-sha256",
            "kernel_name": "python3",
        }
        (self.run_dir / "kernel.json").write_text(json.dumps(connection))
        self.proc = sandbox.start_launcher(self.plan, _kernel_command(self.run_dir))
        self.uid, self.pid = sandbox.report_uid(self.plan, self.proc), None
        self.stopped = 0  # processes the kernel started that the grader stopped
        self.context, self.address = zmq.Context(), f"ipc://{connection['ip']}-1"
        self._connect()

    def _connect(self) -> None:
        """A new shell socket (after a disconnect, the old one would block on send)."""
        self.shell = self.context.socket(zmq.DEALER)
        self.shell.setsockopt(zmq.LINGER, 0)
        self.shell.setsockopt(zmq.SNDTIMEO, 5000)
        self.shell.setsockopt(zmq.MAXMSGSIZE, MAX_REPLY)
        self.dropped = self.shell.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        self.shell.connect(self.address)
        self.poller = zmq.Poller()
        self.poller.register(self.shell, zmq.POLLIN)
        self.poller.register(self.dropped, zmq.POLLIN)

    def _disconnect(self) -> None:
        self.shell.disable_monitor()
        self.dropped.close(0)
        self.shell.close(0)

    def wait_ready(self, timeout: float) -> None:
        """Wait for the launcher's report and the kernel's first reply."""
        try:
            report = sandbox.read_report(self.proc, timeout)
        except ValueError as err:
            raise KernelStartError(str(err)) from None
        if not report.get("ok"):
            raise KernelStartError(f"sandbox: {report.get('error')}")
        self.pid = report["pid"]
        try:
            self.request("kernel_info_request", {}, time.monotonic() + timeout)
        except (TimeoutError, KernelDied) as err:
            raise KernelStartError(f"the kernel did not answer ({type(err).__name__})") from None
        if self.plan["isolate"]:  # no more files on the real disk: sockets are bound
            os.chown(self.run_dir / "sock", 0, 0)

    def execute(self, code: str, expressions: dict | None = None, silent: bool = False) -> str:
        """Start running ``code`` (stdin not allowed); return the request's id for ``reply_to``."""
        content = {
            "code": code,
            "silent": silent,
            "store_history": not silent,
            "user_expressions": expressions or {},
            "allow_stdin": False,
            "stop_on_error": False,
        }
        return self.send("execute_request", content)

    def request(self, msg_type: str, content: dict, deadline: float) -> dict:
        return self.reply_to(self.send(msg_type, content), deadline)

    def send(self, msg_type: str, content: dict) -> str:
        """Send a request on the shell channel; return its message id."""
        msg = self.session.msg(msg_type, content)
        try:
            self.session.send(self.shell, msg)
        except zmq.Again:
            raise KernelDied if not self.alive() else TimeoutError from None
        return msg["header"]["msg_id"]

    def reply_to(self, msg_id: str, deadline: float) -> dict:
        """The content of the reply to ``msg_id`` (earlier, stale replies are skipped)."""
        brake = time.monotonic() + BRAKE_EVERY
        while True:
            if not self.alive():
                raise KernelDied
            now = time.monotonic()
            if now > brake:
                self.brake()
                brake = now + BRAKE_EVERY
            left = deadline - now
            if left <= 0:
                raise TimeoutError
            ready = dict(self.poller.poll(min(POLL_MS, max(1, int(left * 1000)))))
            if self.dropped in ready:
                time.sleep(0.5)  # a dying kernel drops the connection too
                if not self.alive():
                    raise KernelDied
                self._disconnect()
                self._connect()
                raise ReplyLost
            if self.shell not in ready:
                continue
            try:
                _, parts = self.session.feed_identities(self.shell.recv_multipart(copy=True))
                reply = self.session.deserialize(parts, content=True)
            except (ValueError, KeyError, TypeError):
                continue  # a malformed or unsigned message: not a reply
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return reply["content"] if isinstance(reply["content"], dict) else {}

    def interrupt(self) -> None:
        """SIGINT to the kernel (through its launcher)."""
        if self.alive():
            self.proc.send_signal(signal.SIGINT)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def brake(self) -> None:
        """Stop a fork bomb while its cell runs: more than ``MAX_STRAYS`` processes are killed."""
        self.kill_strays(MAX_STRAYS)

    def kill_strays(self, allowed: int = 0) -> None:
        """Stop the processes the kernel started, if there are more than ``allowed``: all at
        once from inside its PID namespace, or else by freezing them all first (SIGSTOP, until
        no new one appears: a frozen process cannot fork), then killing them."""
        if self.pid is None or not self.alive():
            return
        pids = sandbox.strays(self.proc, self.pid, self.uid)
        if len(pids) <= allowed:
            return
        if self.plan["isolate"]:
            sandbox.kill_all_but_init(self.pid)
            self.stopped += len(pids)
            return
        frozen: set[int] = set()
        while pids and len(frozen) < 100_000:
            for pid in pids:
                _signal(pid, signal.SIGSTOP)
            frozen.update(pids)
            pids = [p for p in sandbox.strays(self.proc, self.pid, self.uid) if p not in frozen]
        for pid in frozen:
            _signal(pid, signal.SIGKILL)
        self.stopped += len(frozen)

    def close(self) -> None:
        """Stop the kernel and everything it started; close the socket."""
        try:
            sandbox.stop_launcher(self.proc, self.uid)
        finally:
            self._disconnect()
            self.context.term()
            if self.proc.stdout and not self.proc.stdout.closed:
                self.proc.stdout.close()


PORTS = ("shell", "iopub", "stdin", "control", "hb")


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:
        pass


def _kernel_command(run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "ipykernel_launcher", "-f", str(run_dir / "kernel.json")]


def launch(
    run_dir: Path, conf: sandbox.Confinement, limits: sandbox.Limits, timeout: float
) -> Kernel:
    """A started, answering kernel (KernelStartError otherwise; nothing is left running)."""
    kernel = Kernel(run_dir, conf, limits, timeout)
    try:
        kernel.wait_ready(60)
    except BaseException:
        kernel.close()
        raise
    return kernel
