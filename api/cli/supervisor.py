"""`voucher-ledger serve` keeps the projection workers running: one `voucher-ledger follow NAME` child process per
projection, restarted when one dies (after 1 s, doubling to 30 s while it keeps dying young).

A child is asked to die with its parent (Linux ``PR_SET_PDEATHSIG``), so a ``serve`` killed with SIGKILL leaves no
worker behind; a ``serve`` that stops normally sends each SIGTERM and waits for it, as a service manager would.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

log = logging.getLogger("voucher_ledger.serve")
FIRST_RESTART_S, MAX_RESTART_S = 1.0, 30.0
HEALTHY_AFTER_S = 30.0  # a worker that lived this long starts its next restart from the shortest wait again
STOP_WAIT_S = 10.0


# A child sets its parent-death signal itself, first thing after the fork's exec, then execs the worker (the signal
# survives an exec). Not in a ``preexec_fn``, which subprocess's documentation calls unsafe with threads: with one,
# the forking thread first takes the at-fork locks (logging's, then the import lock), and `serve` imports the app in
# its main thread while this thread forks: the main thread, holding the import lock, can run a logging handler's
# weakref callback in a garbage collection and wait for logging's lock, held by the forking thread while it waits for
# the import lock. Both wait for good, and the service never answers. Without ``preexec_fn`` no at-fork hook runs. A
# parent gone before the signal was set is seen in the parent pid. Not Linux: a killed serve leaves its workers to
# the service manager.
_LAUNCH = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
except OSError:
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


class Child:
    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name, self.env = name, env
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.wait_s = FIRST_RESTART_S
        self.restarts = 0

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", _LAUNCH, str(os.getpid()), "-m", "api.cli", "follow",
                                         self.name], env=self.env, stdin=subprocess.DEVNULL)
        self.started = time.monotonic()


class WorkerSupervisor:
    def __init__(self, names: Sequence[str], env: dict[str, str], *, poll_s: float = 0.25) -> None:
        self.children = [Child(name, env) for name in names]
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> WorkerSupervisor:
        # Started from the supervising thread: PR_SET_PDEATHSIG fires when the thread that forked ends, so that
        # thread must live as long as the children do.
        self._thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)
        self._thread.start()
        return self

    def pids(self) -> dict[str, int]:
        return {c.name: c.process.pid for c in self.children if c.process is not None}

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(STOP_WAIT_S + 5)

    def _run(self) -> None:
        for child in self.children:
            child.start()
        due: dict[str, float] = {}
        try:
            while not self._stop.wait(self.poll_s):
                for child in self.children:
                    self._look_after(child, due)
        finally:
            self._stop_all()

    def _look_after(self, child: Child, due: dict[str, float]) -> None:
        assert child.process is not None
        code = child.process.poll()
        if code is None:
            return
        now = time.monotonic()
        if child.name not in due:
            if now - child.started >= HEALTHY_AFTER_S:
                child.wait_s = FIRST_RESTART_S
            due[child.name] = now + child.wait_s
            # Through the service's log (api/http/log_format.py): a JSON line like serve's others, not loose text.
            log.warning("follow %s exited (%s); restarting in %.0f s", child.name, code, child.wait_s)
            child.wait_s = min(MAX_RESTART_S, child.wait_s * 2)
        elif now >= due[child.name]:
            del due[child.name]
            child.restarts += 1
            child.start()

    def _stop_all(self) -> None:
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def supervised_env(environment: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_LEDGER_")} | environment
