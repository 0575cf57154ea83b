"""The ``x-xero-signature`` header: base64 of the HMAC-SHA256 of the raw request body, keyed
with the webhook key (developer.xero.com/documentation/webhooks/configuring-your-server;
xero-webhooks.yaml, components.headers.x-xero-signature)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

HEADER = "x-xero-signature"


def sign(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def wrong_signature(key: str, body: bytes) -> str:
    """A signature made with some other key: what Intent to Receive sends to check that the
    receiver refuses payloads it cannot verify."""
    other = secrets.token_urlsafe(32)
    while other == key:
        other = secrets.token_urlsafe(32)
    return sign(other, body)
