"""Start services in order, watch them, stop them all.

Each child runs in its own session (so its own process group): Ctrl-C in the terminal reaches
only make and this supervisor, which then stops the children in reverse order, each as a
whole group (an RQ work horse or any grandchild goes with its parent). SIGTERM, then SIGKILL
after ``stop_timeout``; a second Ctrl-C skips the wait.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from .plan import Service
from .probes import ProbeFailed
from .runfile import ProcessRecord, RunFile, group_alive, kill_group, own_record

LAST_LINES = 20
COLORS = ("36", "35", "33", "32", "34", "31")  # cyan magenta yellow green blue red


class Console:
    """Writes ``[name] line`` with names padded to one width (and coloured on a terminal)."""

    def __init__(self, names: Sequence[str], stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self.width = max(len(n) for n in [*names, "devstack"])
        self.color = self.stream.isatty() and not os.environ.get("NO_COLOR")
        self.codes = {name: COLORS[i % len(COLORS)] for i, name in enumerate(names)}
        self.lock = threading.Lock()

    def line(self, name: str, text: str) -> None:
        prefix = f"[{name}]".ljust(self.width + 3)
        if self.color:
            prefix = f"\033[{self.codes.get(name, '1')}m{prefix}\033[0m"
        with self.lock:
            self.stream.write(f"{prefix}{text}\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        self.line("devstack", text)


class Child:
    """A started service: its process, and its last lines of output."""

    def __init__(self, service: Service, proc: subprocess.Popen, console: Console):
        self.service = service
        self.proc = proc
        self.record = ProcessRecord.of(service.name, proc.pid)  # identity taken while it runs
        self.lines: deque[str] = deque(maxlen=LAST_LINES)
        self.pump = threading.Thread(target=self._pump, args=(console,), daemon=True)
        self.pump.start()

    @property
    def name(self) -> str:
        return self.service.name

    def _pump(self, console: Console) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.rstrip("\r\n")
            self.lines.append(line)
            console.line(self.name, line)

    def last_lines(self) -> list[str]:
        """What it said last: its own log file when it keeps one (Redis), else its output."""
        self.pump.join(timeout=1.0)  # let the pipe drain after an exit
        log = self.service.log_file
        if log is not None and log.exists():
            return log.read_text(errors="replace").splitlines()[-LAST_LINES:]
        return list(self.lines)


def exit_status(code: int) -> str:
    """Popen's returncode in words: negative means killed by that signal."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class ChildFailed(Exception):
    """A service died, failed or never became ready; ``child`` is None if it never started."""

    def __init__(self, child: Child | None, problem: str, *, name: str = ""):
        super().__init__(f"{child.name if child else name} {problem}")
        self.child = child


class StopRequested(Exception):
    """SIGINT / SIGTERM / SIGHUP arrived: stop everything and exit cleanly."""


class Supervisor:
    def __init__(self, services: Sequence[Service], *, env: dict[str, str], cwd: Path,
                 runfile: RunFile, console: Console, stop_timeout: float = 10.0,
                 poll: float = 0.1):
        self.services = list(services)
        self.env = env
        self.cwd = cwd
        self.runfile = runfile
        self.console = console
        self.stop_timeout = stop_timeout
        self.poll = poll
        self.children: list[Child] = []
        self.signals = 0
        self.me: ProcessRecord = own_record()

    # -- the whole run ---------------------------------------------------------------------

    def run(self, on_ready: Callable[[], None] | None = None) -> int:
        """Start everything, call ``on_ready``, watch until a signal or a death; 0 or 1."""
        previous = {sig: signal.signal(sig, self._on_signal)
                    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        failure: ChildFailed | None = None
        try:
            for service in self.services:
                self._start(service)
            if on_ready is not None:
                on_ready()
            self._watch()
        except StopRequested:
            pass
        except ChildFailed as exc:
            failure = exc
        finally:
            self.console.say("stopping…")
            self._stop_all()
            self.runfile.remove()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failure is None:
            self.console.say("stopped")
            return 0
        self._report(failure)
        return 1

    def _on_signal(self, signum: int, frame: object) -> None:
        # Only a flag: the loops below check it every poll, so no state is half-written.
        self.signals += 1

    def _check_stop(self) -> None:
        if self.signals:
            raise StopRequested

    # -- starting --------------------------------------------------------------------------

    def _start(self, service: Service) -> None:
        self._check_stop()
        if service.clear_stale is not None:
            service.clear_stale()
        began = time.monotonic()
        try:
            proc = subprocess.Popen(
                service.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                start_new_session=True)  # own process group: Ctrl-C reaches us, not it
        except OSError as exc:  # e.g. the redis-server binary is missing or not executable
            raise ChildFailed(None, f"could not be started: {exc}", name=service.name) from None
        child = Child(service, proc, self.console)
        self.children.append(child)
        self.runfile.save(self.me, [c.record for c in self.children])
        self._wait_until_up(child)
        verb = "done" if service.oneshot else "up"
        self.console.say(f"{service.name} {verb} ({time.monotonic() - began:.1f}s)")

    def _wait_until_up(self, child: Child) -> None:
        service = child.service
        deadline = time.monotonic() + service.timeout
        delay = self.poll
        while True:
            self._check_stop()
            code = child.proc.poll()
            if service.oneshot and code is not None:
                if code == 0:
                    return
                raise ChildFailed(child, f"failed ({exit_status(code)})")
            if code is not None:
                raise ChildFailed(child, f"exited while starting ({exit_status(code)})")
            if not service.oneshot and self._is_ready(child):
                return
            if time.monotonic() > deadline:
                what = "did not finish" if service.oneshot else "was not ready"
                raise ChildFailed(child, f"{what} within {service.timeout:.0f}s")
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)  # probes show in the child's access log: ask less often

    @staticmethod
    def _is_ready(child: Child) -> bool:
        if child.service.ready is None:
            return True
        try:
            return child.service.ready(child.proc.pid)
        except ProbeFailed as exc:
            raise ChildFailed(child, str(exc)) from None

    # -- running ---------------------------------------------------------------------------

    def _watch(self) -> None:
        while True:
            self._check_stop()
            for child in self.children:
                if child.service.oneshot:
                    continue
                code = child.proc.poll()
                if code is not None:
                    raise ChildFailed(child, f"exited unexpectedly ({exit_status(code)})")
            time.sleep(self.poll)

    # -- stopping --------------------------------------------------------------------------

    def _stop_all(self) -> None:
        for child in reversed(self.children):
            self._stop(child)
            if child.service.clear_stale is not None:
                child.service.clear_stale()
        for child in self.children:
            child.pump.join(timeout=1.0)

    def _stop(self, child: Child) -> None:
        """SIGTERM the child's group; SIGKILL it after the timeout or on a second Ctrl-C."""
        pgid = child.proc.pid
        child.proc.poll()  # reap a dead leader, so that group_alive sees only live members
        if not group_alive(pgid):
            return
        kill_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while time.monotonic() < deadline and self.signals < 2:
            child.proc.poll()
            if not group_alive(pgid):
                return
            time.sleep(0.05)
        if group_alive(pgid):
            reason = "a second signal" if self.signals >= 2 else f"no exit within {self.stop_timeout:g}s"
            self.console.say(f"killing {child.name} ({reason})")
            kill_group(pgid, signal.SIGKILL)
        child.proc.wait()

    def _report(self, failure: ChildFailed) -> None:
        child = failure.child
        if child is None:
            self.console.say(f"{failure}.")
        else:
            self.console.say(f"{failure}; its last lines:")
            for line in child.last_lines() or ["(no output)"]:
                self.console.line(child.name, line)
        self.console.say("everything else was stopped.")
