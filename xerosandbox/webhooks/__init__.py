"""Webhooks: the sandbox tells a registered receiver about every committed change to a contact
or invoice, as Xero does, whoever made it (an app through the API, or a Xero user through
the control actions).

Modules: events (the payload), signing (x-xero-signature), hub (registration, Intent to
Receive, batching, the sender thread, retries), control (``/_sandbox/webhooks``).

For in-process tests: ``mount(app, "http://receiver.test", receiver_wsgi_app)`` makes
deliveries to that URL prefix call the WSGI app directly (no socket).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from ..accounting.repository import watch
from ..state import Sandbox
from .events import KINDS
from .hub import Hub

__all__ = ["SCHEMA", "seed", "init_app", "hub_of", "mount"]

SCHEMA = ""  # held in memory (hub.py says why)
_SERVICE = "webhooks"


def hub_of(sb: Sandbox) -> Hub:
    """This sandbox's sender, made (and set to hear contact and invoice changes) on first use."""
    current = sb.services.get(_SERVICE)
    if current is None:
        current = sb.services[_SERVICE] = Hub(sb.clock)
        watch(sb.store, KINDS, current.record)
    return current


def seed(sb: Sandbox) -> None:
    """A fresh world has no webhook registered (first start, ``/_sandbox/reset``)."""
    hub_of(sb).reset()


def init_app(app: Flask) -> None:
    hub_of(app.extensions["xerosandbox"])
    from . import control  # noqa: F401  (registers the /_sandbox/webhooks routes)


def mount(app: Flask, url_prefix: str, wsgi_app: Callable) -> None:
    """Deliver what is sent to ``url_prefix`` to ``wsgi_app`` in-process."""
    hub_of(app.extensions["xerosandbox"]).mount(url_prefix, wsgi_app)
