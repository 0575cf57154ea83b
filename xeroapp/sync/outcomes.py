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


class LockedInXero(PushStopped):
    """Xero's status of the object forbids changing it from here (e.g. an AUTHORISED invoice)."""

    kind = "locked"

    def __init__(self, noun: str, status: str) -> None:
        super().__init__(
            f"This {noun} is {status} in Xero, so it can no longer be changed from here. "
            "Your changes are kept in this app; make any correction in Xero itself "
            "(for example a credit note), where the accountant can see it.", field="Status")
        self.status = status


class GoneFromXero(PushStopped):
    """The linked object no longer exists in the organisation."""

    kind = "not_found"
