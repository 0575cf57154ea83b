"""Ways a push can stop that are answers, not crashes: the panel shows them and says what
the person can do next (``kind`` is stored as PushJob.error_kind)."""
from __future__ import annotations


class PushStopped(Exception):
    """The push cannot go on; ``str(exc)`` is for the user, ``field`` names what Xero blamed."""

    kind = "validation"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AmbiguousContact(PushStopped):
    """Several Xero contacts have the record's name: a person must choose one (or a new one)."""

    kind = "ambiguous"

    def __init__(self, name: str, candidates: list[dict], noun: str = "client") -> None:
        super().__init__(f"Xero already has {len(candidates)} contacts named \"{name}\". "
                         f"Choose the one that is your {noun} {name}, or create a new contact.",
                         field="Name")
        self.candidates = candidates


# Why Xero takes no more changes, per lock code (sync/xero_locks.py), and what the person
# can do instead.
LOCK_WORDS = {
    "PAID": ("is paid in Xero, and Xero takes no more changes to it",
             "make any correction in Xero itself (for example a credit note)"),
    "PART_PAID": ("has a payment in Xero, and Xero takes no changes to a document with a "
                  "payment allocated to it",
                  "make any correction in Xero itself (for example a credit note)"),
    "VOIDED": ("was voided in Xero: it cannot change",
               "to put them in Xero, send it again as a new one"),
    "DELETED": ("was deleted in Xero: it cannot change",
                "to put them in Xero, send it again as a new one"),
}


class LockedInXero(PushStopped):
    """Xero's status of the object forbids changing it from here (a paid or voided invoice);
    ``status`` is the lock code (sync/xero_locks.py) or Xero's Status."""

    kind = "locked"

    def __init__(self, noun: str, status: str) -> None:
        why, instead = LOCK_WORDS.get(status, (
            f"is {status} in Xero, so it can no longer be changed from here",
            "make any correction in Xero itself (for example a credit note), where the "
            "accountant can see it"))
        super().__init__(f"This {noun} {why}. Nothing was sent. Your changes are kept in this "
                         f"app; {instead}.", field="Status")
        self.status = status


class GoneFromXero(PushStopped):
    """The linked object no longer exists in the organisation."""

    kind = "not_found"
