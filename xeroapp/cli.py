"""Flask CLI commands: ``flask --app app seed-demo``, ``rq-worker`` and ``sweep-pushes``."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create (or complete) the demo workspace; running it again changes nothing.
    Refused when XEROAPP_ENV=production."""
    from xeroapp.seed import DemoRefused, seed_demo

    try:
        summary = seed_demo()
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Demo workspace ready: log in as {summary.email} / {summary.password} "
               f"({summary.created} records created)")


@click.command("rq-worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--with-scheduler", is_flag=True, help="Also run RQ's scheduler (retries, delays).")
@click.option("--queue", "queues", multiple=True, help="Queue to listen on (repeatable); "
              "default: every queue in RQ_QUEUES.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of forking.")
@click.option("--sweep/--no-sweep", default=True, show_default=True,
              help="With --with-scheduler: sweep pending pushes RQ lost every 30 s.")
@click.option("--nice", "niceness", type=click.IntRange(0, 19), default=None,
              help="CPU niceness of the worker and its jobs, so web requests go first "
                   "[default: WORKER_NICE, 10].")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Jobs run at once, each in a thread of this process (implies --simple) "
                   "[default: WORKER_THREADS, 1; set that one to size the database pool too].")
@with_appcontext
def rq_worker_command(burst: bool, with_scheduler: bool, queues: tuple[str, ...], simple: bool,
                      sweep: bool, niceness: int | None, threads: int | None) -> None:
    """Run an RQ worker whose jobs execute inside this app's context."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from xeroapp.worker import build_worker, lower_priority, wait_for_redis

    app = current_app._get_current_object()
    lower_priority(app.config["WORKER_NICE"] if niceness is None else niceness)
    threads = app.config["WORKER_THREADS"] if threads is None else threads
    if threads > 1:
        _run_worker_threads(app, threads, list(queues) or None, burst=burst,
                            with_scheduler=with_scheduler,
                            sweep=sweep and with_scheduler and not burst)
        return
    while True:
        # The sweep reschedules itself through RQ's scheduler; a burst worker would not stay for it.
        worker = build_worker(app, list(queues) or None, simple=simple,
                              sweep=sweep and with_scheduler and not burst)
        try:
            worker.work(burst=burst, with_scheduler=with_scheduler)
            return
        except RedisConnectionError:
            # RQ gives up when Redis goes away while a job runs (a Redis restart or failover).
            # Rather than exit and leave the queue unserved until someone notices, wait for
            # Redis and start afresh; the sweeper re-runs the push that was interrupted.
            if burst:
                raise
            click.echo("Redis went away while a job ran; starting again once it is back.", err=True)
            wait_for_redis(app)


def _run_worker_threads(app: Flask, threads: int, queues: list[str] | None, *, burst: bool,
                        with_scheduler: bool, sweep: bool) -> None:
    """``threads`` RQ workers in threads of this process (xeroapp/thread_worker.py); exits
    with status 1 when one of them failed (Redis gone for good), after the others stopped."""
    from xeroapp.thread_worker import WorkerPool

    people = app.config["WORKER_PEOPLE_THREADS"]
    pool = WorkerPool(app, threads, queues, burst=burst, with_scheduler=with_scheduler,
                      sweep=sweep, people_threads=max(1, threads // 4) if people is None else people)
    if pool.run() != 0:
        raise click.ClickException(f"a worker thread failed: {pool.failures[0]!r}")


@click.command("sweep-pushes")
@with_appcontext
def sweep_pushes_command() -> None:
    """Enqueue pending pushes that RQ does not hold (Redis was down, a worker died)."""
    from redis.exceptions import RedisError

    from xeroapp.sync.sweeper import sweep

    try:
        report = sweep()
    except RedisError as exc:
        raise click.ClickException(f"Redis is unavailable, nothing was swept: {exc}") from exc
    if report.locked_out:
        click.echo("Another sweep is running; nothing done.")
        return
    click.echo(f"Enqueued {len(report.enqueued)} pending push(es), "
               f"{len(report.revived)} of them from a dead worker.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(rq_worker_command)
    app.cli.add_command(sweep_pushes_command)
