"""instance/devstack.pids: which processes a `make run` started, so that the next one can
clean up after it.

Ctrl-C and SIGTERM are handled by the supervisor itself, which removes the file. The file
matters when the supervisor dies without cleaning up (kill -9, a closed laptop lid, an OOM
kill): its children live on in their own process groups, holding ports 5000/5055 and the
Redis socket. The next run reads the file and stops them.

A pid alone is not an identity (the kernel reuses them), so each record also holds the
process's start time. A process group outlives its leader while any member is alive, and its
id cannot be handed to a new process meanwhile, so a group whose leader is gone is still ours.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessRecord:
    name: str
    pid: int
    started: str  # start_token(pid) when recorded

    @classmethod
    def of(cls, name: str, pid: int) -> ProcessRecord:
        return cls(name, pid, start_token(pid) or "")

    def is_alive(self) -> bool:
        """The very process we recorded is still running (not a new one with its pid)."""
        return bool(self.started) and start_token(self.pid) == self.started

    def group_is_ours(self) -> bool:
        """Our process group (led by ``pid``) still has members.

        Either the leader itself is alive, or it is gone and other members remain (the pid
        cannot be reused while it names a live group). A live process with another start
        time means the pid was reused after our group emptied: not ours.
        """
        token = start_token(self.pid)
        if token is not None:
            return token == self.started
        return group_alive(self.pid)


class AlreadyRunning(RuntimeError):
    """Another supervisor of this checkout is alive; two stacks would fight over the ports."""


def start_token(pid: int) -> str | None:
    """When process ``pid`` started, as an opaque string; None if there is no such process.

    Linux: field 22 of /proc/<pid>/stat (clock ticks after boot). Elsewhere (macOS): ps's lstart.
    """
    if Path("/proc/self/stat").exists():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return fields[19] if len(fields) > 19 and fields[0] != "Z" else None
    result = subprocess.run(["ps", "-o", "lstart=", "-p", str(pid)],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or None


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, but not ours: never touch it
        return False
    return True


def kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_groups(pgids: Iterable[int], timeout: float) -> None:
    """SIGTERM each group, wait up to ``timeout`` for them all to go, then SIGKILL what is left."""
    pgids = list(pgids)
    for pgid in pgids:
        kill_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(group_alive(p) for p in pgids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pgid in pgids:
        if group_alive(pgid):
            kill_group(pgid, signal.SIGKILL)


class RunFile:
    """The JSON file: ``{"supervisor": record, "children": [record, ...]}``."""

    def __init__(self, path: Path):
        self.path = path

    def save(self, supervisor: ProcessRecord, children: list[ProcessRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"supervisor": asdict(supervisor),
                                   "children": [asdict(c) for c in children]}, indent=1))
        tmp.replace(self.path)  # atomic: a reader never sees half a file

    def load(self) -> tuple[ProcessRecord | None, list[ProcessRecord]]:
        try:
            data = json.loads(self.path.read_text())
            supervisor = ProcessRecord(**data["supervisor"])
            children = [ProcessRecord(**c) for c in data["children"]]
        except FileNotFoundError:
            return None, []
        except (ValueError, KeyError, TypeError):
            return None, []  # unreadable: nothing we can safely act on
        return supervisor, children

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.path.with_suffix(".tmp").unlink(missing_ok=True)

    def reap_previous_run(self, say: Callable[[str], None] = print, timeout: float = 5.0) -> list[str]:
        """Stop what a dead supervisor left running; return the names of what was stopped.

        Raises AlreadyRunning when that supervisor is in fact alive.
        """
        supervisor, children = self.load()
        if supervisor is not None and supervisor.pid != os.getpid() and supervisor.is_alive():
            raise AlreadyRunning(
                f"`make run` is already running (supervisor pid {supervisor.pid}). "
                f"Stop it with Ctrl-C in its terminal or `kill {supervisor.pid}`.")
        leftovers = [c for c in children if c.group_is_ours()]
        if leftovers:
            names = ", ".join(f"{c.name} (pid {c.pid})" for c in leftovers)
            say(f"stopping processes left by a previous run: {names}")
            stop_groups((c.pid for c in leftovers), timeout)
        self.remove()
        return [c.name for c in leftovers]


def own_record() -> ProcessRecord:
    return ProcessRecord.of("supervisor", os.getpid())
