"""The supervisor over stand-in children (fake_stack.py): start order, prefixed output,
stopping on a signal or a death, SIGKILL escalation, process groups, and the run file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devstack.runfile import AlreadyRunning, RunFile
from devstack.supervisor import exit_status

FAKE_STACK = Path(__file__).with_name("fake_stack.py")
ROOT = Path(__file__).resolve().parents[2]


class Stack:
    """A running fake_stack.py, with its output collected line by line."""

    def __init__(self, workdir: Path, *specs: str, stop_timeout: float = 5.0):
        self.workdir = workdir
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE_STACK), str(workdir), str(stop_timeout), *specs],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True)  # our own test run never sees its signals
        self.lines: list[str] = []

    def read_until(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if text in line:
                return
        raise AssertionError(f"{text!r} never came; output so far:\n" + "\n".join(self.lines))

    def finish(self, timeout: float = 20.0) -> int:
        out, _ = self.proc.communicate(timeout=timeout)
        self.lines += out.splitlines()
        return self.proc.returncode

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def pid_of(self, name: str) -> int:
        return int((self.workdir / f"{name}.pid").read_text())

    def kill(self) -> None:
        """SIGKILL the supervisor (and only it: its children have their own groups)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def close(self) -> None:
        self.kill()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still "exists"; it is dead for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def wait_dead(*pids: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def stacks(tmp_path):
    started: list[Stack] = []

    def start(*specs: str, stop_timeout: float = 5.0) -> Stack:
        stack = Stack(tmp_path, *specs, stop_timeout=stop_timeout)
        started.append(stack)
        return stack

    yield start
    for stack in started:
        stack.close()
        for pidfile in tmp_path.glob("*.pid"):
            try:
                os.killpg(int(pidfile.read_text()), signal.SIGKILL)
            except (ProcessLookupError, ValueError, PermissionError):
                pass


def test_prefixes_each_childs_lines_and_starts_in_order(stacks):
    stack = stacks("first:long", "migrate:oneshot", "web:long")
    stack.read_until("READY")

    def position(start: str) -> int:
        return next(i for i, line in enumerate(stack.lines) if line.startswith(start))

    # Names padded to one width; each service is up (or done) before the next one starts.
    assert position("[first]    hello from first") < position("[devstack] first up (") \
        < position("[migrate]  hello from migrate") < position("[devstack] migrate done (") \
        < position("[web]      hello from web") < position("[devstack] web up (")
    stack.proc.send_signal(signal.SIGINT)
    assert stack.finish() == 0


def test_sigint_stops_every_child_and_removes_the_run_file(stacks, tmp_path):
    stack = stacks("a:long", "b:long")
    stack.read_until("READY")
    pids = [stack.pid_of("a"), stack.pid_of("b")]
    assert (tmp_path / "devstack.pids").exists()
    assert all(alive(p) for p in pids)

    stack.proc.send_signal(signal.SIGINT)

    assert stack.finish() == 0
    assert wait_dead(*pids)
    assert not (tmp_path / "devstack.pids").exists()
    assert "[devstack] stopped" in stack.output


def test_sigterm_also_stops_the_grandchildren(stacks, tmp_path):
    stack = stacks("web:parent")
    stack.read_until("READY")
    grandchild = int((tmp_path / "web-child.pid").read_text())
    assert alive(grandchild)

    stack.proc.send_signal(signal.SIGTERM)

    assert stack.finish() == 0
    assert wait_dead(stack.pid_of("web"), grandchild)


def test_a_child_that_dies_stops_the_rest_and_shows_its_last_lines(stacks):
    stack = stacks("redis:long", "worker:dies")
    stack.read_until("READY")
    redis_pid = stack.pid_of("redis")

    code = stack.finish()

    assert code == 1
    assert "[devstack] worker exited unexpectedly (exit code 3); its last lines:" in stack.output
    tail = stack.output.split("its last lines:")[1]
    assert "[worker]   boom" in tail
    assert wait_dead(redis_pid)


def test_a_failing_oneshot_stops_the_start_and_later_services_never_run(stacks, tmp_path):
    stack = stacks("redis:long", "db:failshot", "web:long")

    assert stack.finish() == 1
    assert "[devstack] db failed (exit code 2); its last lines:" in stack.output
    assert "[db]       migration broke" in stack.output.split("its last lines:")[1]
    assert not (tmp_path / "web.pid").exists()
    assert wait_dead(stack.pid_of("redis"))


def test_a_program_that_cannot_start_is_reported_and_the_rest_stopped(stacks):
    stack = stacks("sandbox:long", "redis:missing")

    assert stack.finish() == 1
    assert "[devstack] redis could not be started: [Errno 2] No such file or directory" in stack.output
    assert "Traceback" not in stack.output
    assert wait_dead(stack.pid_of("sandbox"))


def test_a_child_ignoring_sigterm_is_killed_after_the_timeout(stacks):
    stack = stacks("stuck:stubborn", stop_timeout=0.5)
    stack.read_until("READY")
    pid = stack.pid_of("stuck")

    began = time.monotonic()
    stack.proc.send_signal(signal.SIGINT)
    assert stack.finish() == 0

    assert time.monotonic() - began < 5
    assert "killing stuck (no exit within 0.5s)" in stack.output
    assert wait_dead(pid)


def test_a_second_ctrl_c_kills_without_waiting(stacks):
    stack = stacks("stuck:stubborn", stop_timeout=30)
    stack.read_until("READY")
    stack.proc.send_signal(signal.SIGINT)
    stack.read_until("stopping")
    time.sleep(0.2)
    stack.proc.send_signal(signal.SIGINT)

    assert stack.finish(timeout=10) == 0
    assert "killing stuck (a second signal)" in stack.output
    assert wait_dead(stack.pid_of("stuck"))


def test_after_a_kill_9_the_next_run_stops_the_orphans(stacks, tmp_path):
    stack = stacks("sandbox:long", "web:parent")
    stack.read_until("READY")
    orphans = [stack.pid_of("sandbox"), stack.pid_of("web"),
               int((tmp_path / "web-child.pid").read_text())]

    stack.kill()  # SIGKILL: no cleanup at all
    assert all(alive(p) for p in orphans)
    said: list[str] = []

    stopped = RunFile(tmp_path / "devstack.pids").reap_previous_run(say=said.append, timeout=3)

    assert sorted(stopped) == ["sandbox", "web"]
    assert wait_dead(*orphans)
    assert "stopping processes left by a previous run" in said[0]
    assert not (tmp_path / "devstack.pids").exists()


def test_a_live_supervisor_is_not_disturbed(stacks, tmp_path):
    stack = stacks("web:long")
    stack.read_until("READY")

    with pytest.raises(AlreadyRunning, match=f"pid {stack.proc.pid}"):
        RunFile(tmp_path / "devstack.pids").reap_previous_run(say=lambda _: None)

    assert alive(stack.pid_of("web"))
    stack.proc.send_signal(signal.SIGTERM)
    assert stack.finish() == 0


@pytest.mark.parametrize("code, words", [(3, "exit code 3"), (-9, "killed by SIGKILL"),
                                         (-15, "killed by SIGTERM")])
def test_exit_status_in_words(code, words):
    assert exit_status(code) == words
