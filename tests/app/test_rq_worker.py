"""Jobs run inside the app's context, both in the test worker and in `flask rq-worker`."""
from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa
from flask import current_app

from xeroapp.extensions import db
from xeroapp.models import Workspace
from xeroapp.queue import get_queue


def rename_workspace(workspace_id: int, name: str) -> str:
    """A tiny job: needs an app context for both the config and the database."""
    workspace = db.session.get(Workspace, workspace_id)
    workspace.name = name
    db.session.commit()
    return f"{current_app.config['RQ_QUEUES'][0]}:{workspace.name}"


def enqueue(app, *args, queue: str | None = None):
    with app.app_context():
        return get_queue(queue).enqueue(rename_workspace, *args)


def workspace_name(app, workspace_id: int) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Workspace.name).where(Workspace.id == workspace_id))


def test_worker_fixture_runs_jobs_in_app_context(app, records, worker):
    workspace_id = records.workspace()
    job = enqueue(app, workspace_id, "Renamed by job")

    worker()

    assert job.get_status() == "finished"
    assert job.return_value() == "xero:Renamed by job"
    assert workspace_name(app, workspace_id) == "Renamed by job"


def test_rq_worker_command_forks_and_runs_in_app_context(app, records, runner):
    workspace_id = records.workspace()
    job = enqueue(app, workspace_id, "Renamed in a work horse")

    result = runner.invoke(args=["rq-worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert job.get_status() == "finished", job.latest_result()
    assert job.return_value() == "xero:Renamed in a work horse"
    assert workspace_name(app, workspace_id) == "Renamed in a work horse"


def test_rq_worker_listens_only_on_the_queues_given(app, records, runner):
    workspace_id = records.workspace()
    on_xero = enqueue(app, workspace_id, "from xero queue")
    on_other = enqueue(app, workspace_id, "from other queue", queue="other")

    result = runner.invoke(args=["rq-worker", "--burst", "--simple", "--queue", "other"])

    assert result.exit_code == 0, result.output
    assert on_other.get_status() == "finished"
    assert on_xero.get_status() == "queued"
    assert workspace_name(app, workspace_id) == "from other queue"


def test_rq_worker_runs_its_jobs_at_a_lower_cpu_priority_than_the_web(app, tmp_path):
    """A separate process, since a niceness once raised cannot be lowered again: the job is
    os.nice(0) itself, so its result is the niceness of the work horse that ran it."""
    with app.app_context():
        default_job = get_queue().enqueue(os.nice, 0)
        env = {**os.environ, "REDIS_URL": app.config["REDIS_URL"],
               "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
               "SECRET_KEY": "x" * 32, "TOKEN_ENCRYPTION_KEY": app.config["TOKEN_ENCRYPTION_KEY"]}
        env.pop("WORKER_NICE", None)
        flask = [sys.executable, "-m", "flask", "--app", "app", "rq-worker", "--burst"]

        run = subprocess.run(flask, env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        chosen_job = get_queue().enqueue(os.nice, 0)
        run = subprocess.run(flask + ["--nice", "15"], env=env, capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 0, run.stderr

        # Absolute nicenesses, never above what this process already has.
        assert default_job.return_value() == max(os.nice(0), 10)  # WORKER_NICE's default
        assert chosen_job.return_value() == max(os.nice(0), 15)
