"""instance/devstack.pids: records that survive a kill -9 and do not outlive pid reuse."""
from __future__ import annotations

import os
import subprocess
import sys

from devstack.runfile import ProcessRecord, RunFile, start_token


def test_a_record_knows_its_own_process_but_not_a_reused_pid():
    me = ProcessRecord.of("supervisor", os.getpid())

    assert me.is_alive()
    assert me.started == start_token(os.getpid())
    assert not ProcessRecord("supervisor", os.getpid(), "12345-another-start").is_alive()


def test_a_finished_process_has_no_start_token():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert start_token(proc.pid) is None


def test_save_and_load_round_trip(tmp_path):
    runfile = RunFile(tmp_path / "instance" / "devstack.pids")
    me = ProcessRecord.of("supervisor", os.getpid())
    children = [ProcessRecord("redis", 10, "a"), ProcessRecord("web", 11, "b")]

    runfile.save(me, children)

    assert runfile.load() == (me, children)
    runfile.remove()
    assert runfile.load() == (None, [])


def test_stale_records_of_dead_processes_are_dropped_quietly(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    record = ProcessRecord.of("web", proc.pid)
    proc.wait()
    runfile = RunFile(tmp_path / "devstack.pids")
    runfile.save(ProcessRecord("supervisor", 999999, "gone"), [record])
    said: list[str] = []

    assert runfile.reap_previous_run(say=said.append) == []
    assert said == []
    assert not runfile.path.exists()


def test_an_unreadable_file_is_removed_without_acting_on_it(tmp_path):
    runfile = RunFile(tmp_path / "devstack.pids")
    runfile.path.write_text("{not json")

    assert runfile.reap_previous_run(say=lambda _: None) == []
    assert not runfile.path.exists()


def test_a_reused_pid_is_never_signalled(tmp_path):
    # This test process stands in for "some unrelated program that got the old pid".
    runfile = RunFile(tmp_path / "devstack.pids")
    runfile.save(ProcessRecord("supervisor", 999999, "gone"),
                 [ProcessRecord("web", os.getpid(), "a-different-start-time")])

    assert runfile.reap_previous_run(say=lambda _: None) == []  # and we are still here
