"""What a person is told when Xero's sign-in ends in an OAuth error.

The error code reaches us in the callback's query string (or in the token endpoint's answer),
and anyone can send a link with any text in ``error`` and ``error_description``: it is never
shown. Each code Xero may send (RFC 6749's authorisation and token errors) has its own fixed
sentence; any other code gets a general one.
"""
from __future__ import annotations

from typing import NamedTuple


class Message(NamedTuple):
    text: str
    category: str  # the flash category


CANCELLED = Message("You cancelled at Xero, so nothing was connected or changed.", "info")
TRY_AGAIN_LATER = Message("Xero could not finish the connection just now, so nothing was "
                          "connected. Please try again in a few minutes.", "error")
EXPIRED = Message("That sign-in at Xero expired or was already used, so nothing was connected. "
                  "Start again with Connect to Xero.", "error")
SCOPES_REFUSED = Message("Xero did not grant the access this app asks for, so nothing was "
                         "connected. Please tell whoever runs this app.", "error")
APP_REFUSED = Message("Xero did not accept this app's sign-in request, so nothing was "
                      "connected. If it happens again, please tell whoever runs this app.",
                      "error")
GENERAL = Message("Xero did not complete the connection, so nothing was stored. "
                  "Please try again.", "error")

MESSAGES: dict[str, Message] = {
    "access_denied": CANCELLED,
    "server_error": TRY_AGAIN_LATER,
    "temporarily_unavailable": TRY_AGAIN_LATER,
    "invalid_grant": EXPIRED,
    "invalid_scope": SCOPES_REFUSED,
    "invalid_request": APP_REFUSED,
    "invalid_client": APP_REFUSED,
    "unauthorized_client": APP_REFUSED,
    "unsupported_response_type": APP_REFUSED,
    "unsupported_grant_type": APP_REFUSED,
}


def message_for(code: str | None) -> Message:
    """The fixed message for an OAuth error ``code``; the general one for an unknown code."""
    return MESSAGES.get(code or "", GENERAL)


def loggable_code(code: str | None) -> str:
    """``code`` when it is one we know, else a placeholder: the rest is a stranger's text."""
    return code if code in MESSAGES else "unrecognised"
