"""What can go wrong talking to Xero, as exceptions a caller can act on.

Each class answers one question for the caller: fix the record (ValidationError), wait
(RateLimited, Unavailable, TransportError), ask a person to reconnect (ReconnectRequired), or
treat the object as gone (NotFound). ``str(exc)`` is always plain words fit for a user.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class XeroError(Exception):
    """Any failure talking to Xero; ``status`` is the HTTP status when there was a response."""

    def __init__(self, message: str, *, status: int | None = None, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class NotConnected(XeroError):
    """The workspace has no Xero connection (or its tokens were deleted on disconnect)."""


class ReconnectRequired(XeroError):
    """Xero no longer honours our grant (invalid_grant, 403 AuthenticationUnsuccessful).

    Retrying cannot help: a person must reconnect. The connection has been marked
    ``needs_reconnect`` by the time this is raised.
    """


@dataclass
class ElementErrors:
    """One element of a request (a contact, an invoice ...) and the messages Xero gave it."""

    index: int
    messages: list[str] = field(default_factory=list)
    element: dict | None = None


class ValidationError(XeroError):
    """400 ValidationException: ``elements`` holds every element's messages, not just the first."""

    def __init__(self, message: str, elements: list[ElementErrors], **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.elements = elements

    @property
    def messages(self) -> list[str]:
        return [m for element in self.elements for m in element.messages]


class RateLimited(XeroError):
    """429: ``retry_after`` seconds to wait; ``problem`` is X-Rate-Limit-Problem (minute, day ...)."""

    def __init__(self, message: str, *, retry_after: float, problem: str | None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.problem = problem


class Unavailable(XeroError):
    """5xx: Xero (or the organisation) is down or offline for now; try again later."""


class NotFound(XeroError):
    """404: the object does not exist in this organisation (deleted in Xero, or wrong id)."""


class QueryTooLong(XeroError):
    """A search (GET of a list, with a query) Xero's servers turn away as too long: they answer
    a query string over 2,048 characters with a 404 page of their own
    (github.com/XeroAPI/xero-node/issues/404: 52 ids work, 53 do not). Lookups are split to
    stay well under that (client.MAX_URL_LENGTH); this is raised, without calling, for a URL
    still over it, and for a 404 to a search, which can mean nothing else (a list is never "not
    found")."""


class TransportError(XeroError):
    """No usable response: timeout, refused or dropped connection. The request MAY have been
    applied (a create should be retried with the same Idempotency-Key)."""

    @classmethod
    def from_httpx(cls, exc: Exception) -> TransportError:
        """Plain words for a failed connection (the library's class name goes to the log,
        not to the person): a connection never made changed nothing in Xero; one cut off
        after the request went may have."""
        if type(exc).__name__ in ("ConnectError", "ConnectTimeout"):
            return cls("Could not connect to Xero.")
        return cls("The connection to Xero broke before its answer arrived; the change may or "
                   "may not have been saved.")
