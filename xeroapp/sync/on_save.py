"""Push on save ("Save to Xero", issue 5): the PushJob row goes into the SAME transaction as
the record's save (``pushes.stage_push``), and is enqueued after that commit (DESIGN.md §1).

Same transaction, so that a saved order always has its push recorded (no window where the
order is saved but the push forgotten) and a failed save records no push. What a person
sees is the save returning at once; the worker does the talking to Xero.
"""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

NOT_CONNECTED = ("Saved in this app only: Xero is not connected, so nothing was sent. "
                 "Connect it in Settings > Integrations, then use Send on the Xero tab.")


def is_pending_push_clash(exc: IntegrityError) -> bool:
    """The commit lost a race with another request that recorded this record's pending push
    first (the partial unique index on push_jobs); that push will carry the save."""
    return "push_jobs" in str(exc.orig) or "uq_push_jobs_pending_record" in str(exc.orig)
