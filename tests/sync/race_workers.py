"""Run in child processes by test_invoice_push.py: two workers, each running one push job,
released at the same moment by a barrier, as two RQ workers taking two queued jobs would."""
from __future__ import annotations

from typing import Any


def run_push_together(settings: dict[str, Any], push_job_id: int, barrier: Any) -> None:
    from xeroapp import create_app
    from xeroapp.sync.jobs import run_push_job

    app = create_app(settings)
    with app.app_context():
        barrier.wait(timeout=60)
        run_push_job(push_job_id)
