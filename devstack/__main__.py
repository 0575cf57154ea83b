"""``python -m devstack [run]`` (make run) and ``python -m devstack worker``
(make worker)."""
from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlsplit, urlunsplit

from . import plan, probes
from .runfile import AlreadyRunning, RunFile
from .supervisor import Console, Supervisor

DEMO_LOGIN = ("demo@example.com", "demo")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack",
                                     description="The development stack of `make run`.")
    parser.add_argument("command", nargs="?", choices=("run", "worker"), default="run",
                        help="run: the whole stack (default); worker: one more RQ worker")
    args = parser.parse_args(argv)
    try:
        return run_worker() if args.command == "worker" else run_stack()
    except ValueError as exc:  # a bad PORT / SANDBOX_PORT
        print(f"[devstack] {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before the supervisor took over the signals
        return 130


def run_stack() -> int:
    stack = plan.Stack.from_environ(os.environ)
    services = plan.services(stack, sys.executable)
    console = Console([s.name for s in services])
    runfile = RunFile(stack.instance / "devstack.pids")
    try:
        runfile.reap_previous_run(say=console.say)
    except AlreadyRunning as exc:
        console.say(str(exc))
        return 1
    problems = preflight(stack)
    for problem in problems:
        console.say(problem)
    if problems:
        return 1
    supervisor = Supervisor(services, env=stack.env, cwd=stack.root, runfile=runfile,
                            console=console,
                            stop_timeout=float(os.environ.get("DEVSTACK_STOP_TIMEOUT", "10")))
    return supervisor.run(on_ready=lambda: banner(console, stack))


def preflight(stack: plan.Stack) -> list[str]:
    """What would make a start fail, said plainly before anything is started."""
    problems = []
    ports = [("PORT", stack.port, "web app")]
    if stack.with_sandbox:
        ports.append(("SANDBOX_PORT", stack.sandbox_port, "Xero sandbox"))
    for var, port, what in ports:
        if probes.port_in_use(plan.HOST, port):
            problems.append(
                f"port {port} (the {what}) is already in use by another program. "
                f"Stop that program, or pick another port: {var}={port + 1} make run")
    if stack.redis_url and not probes.redis_answers(stack.redis_url, timeout=3):
        problems.append(f"REDIS_URL={redact(stack.redis_url)} does not answer. Start that "
                        f"server, or unset REDIS_URL to use the embedded one.")
    return problems


def banner(console: Console, stack: plan.Stack) -> None:
    rows = [
        ("xeroapp", f"{stack.web_url}/"),
        ("log in as", " / ".join(DEMO_LOGIN) if stack.seeds_demo
         else f"no demo account in production: sign up at {stack.web_url}/auth/signup"),
        ("Xero", f"the sandbox, {stack.sandbox_url} (control API on)" if stack.with_sandbox
         else f"{stack.env.get('XERO_API_URL', 'https://api.xero.com')} "
              f"(app {stack.env['XERO_CLIENT_ID']})"),
        ("Redis", "embedded, data in instance/redis/" if stack.redis_url is None
         else redact(stack.redis_url)),
        ("database", redact(stack.env["DATABASE_URL"])),
    ]
    rule = "─" * 64
    console.say(rule)
    for label, value in rows:
        console.say(f"  {label:<10} {value}")
    console.say("  Ctrl-C stops everything.")
    console.say(rule)


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def run_worker() -> int:
    """Replace this process with one more RQ worker on the stack's Redis (make worker)."""
    environ = dict(os.environ)
    if not environ.get("REDIS_URL"):
        embedded = plan.embedded_redis_url(plan.ROOT / "instance" / "redis")
        if not probes.redis_answers(embedded):
            print("[devstack] no Redis to work for: set REDIS_URL, or start `make run` first "
                  "(its embedded Redis is then used).", file=sys.stderr)
            return 1
        environ["REDIS_URL"] = embedded
    stack = plan.Stack.from_environ(environ)
    argv = [sys.executable, "-m", "flask", "rq-worker"]
    os.chdir(stack.root)
    os.execve(sys.executable, argv, stack.env)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
