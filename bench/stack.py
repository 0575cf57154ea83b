"""The real stack for benchmarks, as production runs it: a Redis server (the embedded one),
the Xero sandbox, N RQ workers (`flask rq-worker --with-scheduler`, forking) and gunicorn with
gunicorn.conf.py, each its own process on a free port; the database is a throwaway SQLite
file in a temporary folder, or a scratch database on a PostgreSQL server.

Unlike tests/e2e/stack.py (whose environment and port helpers it reuses) a benchmark needs
to break things on purpose: SIGKILL a worker together with its work horse, restart Redis,
speed the sandbox's clock up. The web app runs with XEROAPP_ENV=development, because
production's secure cookies would not travel over the plain HTTP used here.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from devstack import embedded_redis, probes
from tests.e2e.stack import HOST, ROOT, ChildProcesses, free_port, stack_env

PYTHON = sys.executable
FLASK = [PYTHON, "-m", "flask", "--app", "app"]
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


class BenchStack(ChildProcesses):
    """Started processes and where they answer; ``stop()`` ends every one of them."""

    def __init__(self, workdir: Path, *, time_scale: float = 1.0, redis_persist: bool = True,
                 database_url: str | None = None, sandbox_nice: int = 0,
                 app_root: Path | None = None) -> None:
        """``sandbox_nice``: the sandbox's CPU niceness. Xero's servers are not on the app's
        machine: a benchmark timing pages runs the sandbox at 19, so that it takes only the
        cores the app leaves idle; one measuring throughput against Xero leaves it at 0, or
        the workers (niceness 10) would starve the very service they wait on.

        ``app_root``: the source tree the app's processes (migrations, workers, web) run
        from, e.g. a checkout of an earlier revision to compare against; the sandbox always
        runs from this tree. None: this tree."""
        self.time_scale = time_scale
        self.app_root = app_root
        self.worker_args: list[str] = []
        self.sandbox_nice = sandbox_nice
        self.redis_persist = redis_persist
        self.redis_dir = workdir / "redis"
        self.redis_url = embedded_redis.url_for_socket(self.redis_dir)
        self.sandbox_url = f"http://{HOST}:{free_port()}"
        web_port = free_port()
        self.web_url = f"http://{HOST}:{web_port}"
        super().__init__(workdir, stack_env(workdir, self.redis_url, self.sandbox_url))
        # gunicorn.conf.py binds HOST:PORT; the app shrinks its budget windows and retry
        # backoff to the sandbox's clock.
        self.env.update({"HOST": HOST, "PORT": str(web_port),
                         "XERO_TIME_SCALE": f"{time_scale:g}"})
        if database_url:  # else stack_env's SQLite file in workdir
            self.env["DATABASE_URL"] = database_url
        self._redis: subprocess.Popen | None = None
        self._worker_numbers = 0

    # -- starting -------------------------------------------------------------------------
    def start(self, workers: int, worker_args: Sequence[str] = ()) -> BenchStack:
        """Redis, sandbox, migrations, ``workers`` RQ workers, gunicorn; waits until all answer.
        ``worker_args``: extra `flask rq-worker` options for every worker started from now on
        (e.g. ``["--threads", "4"]``), workers started later included."""
        self.worker_args = list(worker_args)
        try:
            self.start_redis()
            sandbox = self.spawn("sandbox", ["nice", "-n", str(self.sandbox_nice), PYTHON,
                                             "-m", "xerosandbox", "--host", HOST,
                                             "--port", self.sandbox_url.rsplit(":", 1)[1],
                                             "--memory", "--control",
                                             "--time-scale", f"{self.time_scale:g}"])
            self.run_once("migrations", FLASK + ["db", "upgrade"])
            for _ in range(workers):
                self.start_worker()
            web = self.spawn("web", [GUNICORN, "--config", "gunicorn.conf.py"])
            self.wait_until("sandbox", sandbox, lambda: probes.answers_200(
                f"{self.sandbox_url}/.well-known/openid-configuration"))
            self.wait_until("web", web, lambda: probes.http_status(
                f"{self.web_url}/auth/login") == 200)
        except BaseException:
            self.stop()
            raise
        return self

    def start_redis(self) -> None:
        self._redis, url = embedded_redis.start(self.redis_dir, persist=self.redis_persist)
        assert url == self.redis_url

    def stop_redis(self) -> None:
        """SIGTERM: with persistence on, Redis saves its data before it exits."""
        if self._redis is not None:
            embedded_redis.stop(self._redis)
            self._redis = None

    def start_worker(self, worker_args: Sequence[str] | None = None) -> str:
        """One more `flask rq-worker --with-scheduler`, as an operator starts it, with
        ``worker_args`` added (None: those given to ``start``); its name."""
        self._worker_numbers += 1
        name = f"worker-{self._worker_numbers}"
        extra = self.worker_args if worker_args is None else list(worker_args)
        proc = self.spawn(name, FLASK + ["rq-worker", "--with-scheduler", *extra], own_group=True)
        self.wait_until(name, proc, lambda: probes.rq_worker_registered(self.redis_url, proc.pid))
        return name

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker, its work horse and its scheduler at once, as when the machine
        or container dies: no clean-up code runs. (RQ puts the horse in a process group of
        its own, so the worker's group alone would miss it.)"""
        proc = self.processes[name]
        family = [proc.pid, *descendants(proc.pid)]
        for pid in family:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()

    def busy_workers(self) -> list[str]:
        """Live workers that RQ says are running a job right now."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            busy_pids = {client.hget(key, "pid") for key in client.smembers("rq:workers")
                         if client.hget(key, "state") == b"busy"}
        finally:
            client.close()
        return [name for name in self.live_workers()
                if str(self.processes[name].pid).encode() in busy_pids]

    def current_jobs(self) -> dict[str, str]:
        """Live worker name -> the id of the RQ job it runs now (busy workers only)."""
        client = self.redis()
        try:
            by_pid = {client.hget(key, "pid"): client.hget(key, "current_job")
                      for key in client.smembers("rq:workers")
                      if client.hget(key, "state") == b"busy"}
        finally:
            client.close()
        jobs = {name: by_pid.get(str(self.processes[name].pid).encode())
                for name in self.live_workers()}
        return {name: job.decode() for name, job in jobs.items() if job}

    def spawn(self, name: str, argv: list[str], *, own_group: bool = False) -> subprocess.Popen:
        """As ChildProcesses.spawn; the app's processes (all but the sandbox) run from
        ``app_root`` when one is given: its folder as working directory and first on
        PYTHONPATH, so `flask --app app`, gunicorn.conf.py and the migrations are its own."""
        if self.app_root is None or name == "sandbox":
            return super().spawn(name, argv, own_group=own_group)
        env = {**self.env, "PYTHONPATH": os.pathsep.join(
            p for p in (str(self.app_root), self.env.get("PYTHONPATH", "")) if p)}
        with open(self.workdir / f"{name}.log", "wb") as log:  # the child keeps its own copy
            proc = subprocess.Popen(argv, cwd=self.app_root, env=env, stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=own_group)
        self.processes[name] = proc
        return proc

    def redis(self):
        import redis

        return redis.Redis.from_url(self.redis_url)

    def logs_mentioning(self, prefix: str, text: str) -> int:
        """How often ``text`` occurs in the logs of the processes named ``prefix...``."""
        return sum(self.log_text(name).count(text) for name in self.processes
                   if name.startswith(prefix))

    def cpu_seconds(self, prefix: str) -> float:
        """CPU time used so far by the processes named ``prefix...``, their live children and
        the children they have reaped (the work horses of finished jobs)."""
        total = 0.0
        for name, proc in self.processes.items():
            if name.startswith(prefix) and proc.poll() is None:
                total += sum(process_cpu_seconds(pid) for pid in [proc.pid, *descendants(proc.pid)])
        return total

    def redis_cpu_seconds(self) -> float:
        """CPU time used so far by the stack's own Redis (0 when it is not running)."""
        return process_cpu_seconds(self._redis.pid) if self._redis is not None else 0.0

    def live_workers(self) -> list[str]:
        return [name for name, proc in self.processes.items()
                if name.startswith("worker-") and proc.poll() is None]

    def stop(self, timeout: float = 15.0) -> None:
        """Web first, workers next, Redis last: nothing new is enqueued while workers wind down."""
        super().stop(timeout)
        if self._redis is not None:
            embedded_redis.stop(self._redis)
            self._redis = None

    def signal(self, name: str, proc: subprocess.Popen, signum: int) -> None:
        """A worker runs in a session of its own: signal its whole group (horse included)."""
        if not name.startswith("worker-"):
            super().signal(name, proc, signum)
            return
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children ...), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The field after the ")" that ends the command name: state, then parent pid.
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def process_cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of a process, from /proc (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def app_settings(stack: BenchStack) -> dict[str, str]:
    """What an app built inside the benchmark process needs to share the stack's data."""
    keys = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "XERO_API_URL",
            "XERO_IDENTITY_URL", "XERO_LOGIN_URL", "XERO_TIME_SCALE")
    return {key: stack.env[key] for key in keys}


def machine() -> str:
    """``cores=... cpu="..."`` for the figure line: figures mean little without the machine."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"cores={os.cpu_count()} cpu={model.replace(' ', '_')}"


@contextmanager
def workdir(prefix: str, *, keep: bool = False) -> Iterator[str]:
    """A temporary folder for the stack's databases and logs; ``keep`` leaves it behind."""
    if keep:
        yield tempfile.mkdtemp(prefix=prefix)
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield tmp


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str | None]:
    """A new, empty PostgreSQL database on the server of ``server_url`` (production's kind of
    database), dropped afterwards; None (SQLite) when no server is given."""
    if not server_url:
        yield None
        return
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"bench_{os.getpid()}_{int(time.time())}"
    admin = make_url(server_url).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def source_tree(revision: str) -> Iterator[Path]:
    """The app's files as of git ``revision`` in a temporary folder (``git archive``: no
    worktree to register or clean up in the repository), removed afterwards; for a
    BenchStack's ``app_root``, to measure an earlier revision against this one."""
    with tempfile.TemporaryDirectory(prefix=f"bench-rev-{revision[:12]}-") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        yield Path(tmp)
