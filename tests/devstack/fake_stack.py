"""Runs the devstack Supervisor over stand-in children, for test_devstack_supervisor.py.

``python fake_stack.py WORKDIR STOP_TIMEOUT SPEC...`` where each SPEC is
``name:kind`` and kind is one of:
  long       prints a greeting, writes its pid to WORKDIR/<name>.pid, sleeps
  oneshot    prints and exits 0 (a oneshot service)
  failshot   prints "migration broke" and exits 2 (a failing oneshot service)
  dies       like long, then exits 3 after printing "boom" (once everything is up)
  stubborn   like long, but ignores SIGTERM
  parent     like long, and starts a grandchild whose pid goes to WORKDIR/<name>-child.pid
  missing    a program that does not exist
A service is up once its pid file exists (written last). Prints READY once everything
is up. The run file is WORKDIR/devstack.pids.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from devstack.plan import Service
from devstack.runfile import RunFile
from devstack.supervisor import Console, Supervisor

PRELUDE = """
import os, pathlib, signal, subprocess, sys, time
name, workdir = sys.argv[1], pathlib.Path(sys.argv[2])
print('hello from', name, flush=True)
"""
# Written last, and atomically: the supervisor treats the service as up once this file exists.
UP = ("tmp = pathlib.Path(workdir, name + '.tmp'); tmp.write_text(str(os.getpid()))\n"
      "tmp.replace(pathlib.Path(workdir, name + '.pid'))\n")
SLEEP = "while True:\n    time.sleep(0.1)\n"
KINDS = {
    "long": PRELUDE + UP + SLEEP,
    "oneshot": PRELUDE + UP,
    "failshot": PRELUDE + UP + "print('migration broke', flush=True); sys.exit(2)\n",
    "dies": PRELUDE + UP + "while not (workdir / 'ready').exists():\n    time.sleep(0.05)\n"
                           "print('boom', flush=True); sys.exit(3)\n",
    "stubborn": PRELUDE + "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + UP + SLEEP,
    "parent": PRELUDE + "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
                        "pathlib.Path(workdir, name + '-child.pid').write_text(str(g.pid))\n" + UP + SLEEP,
}


def main(workdir: Path, stop_timeout: float, specs: list[str]) -> int:
    services = []
    for spec in specs:
        name, kind = spec.split(":")
        pidfile = workdir / f"{name}.pid"
        argv = ([str(workdir / "no-such-binary")] if kind == "missing"
                else [sys.executable, "-c", KINDS[kind], name, str(workdir)])
        services.append(Service(name, argv,
                                ready=lambda pid, pidfile=pidfile: pidfile.exists(),
                                oneshot=kind in ("oneshot", "failshot"), timeout=20))
    console = Console([s.name for s in services])
    supervisor = Supervisor(services, env=dict(os.environ), cwd=workdir,
                            runfile=RunFile(workdir / "devstack.pids"), console=console,
                            stop_timeout=stop_timeout, poll=0.05)

    def ready() -> None:
        (workdir / "ready").touch()
        print("READY", flush=True)

    return supervisor.run(on_ready=ready)


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]))
