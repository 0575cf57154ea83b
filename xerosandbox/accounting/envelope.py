"""The Accounting API's response wrapper and the error bodies specific to it.

Success: ``{"Id", "Status": "OK", "ProviderName", "DateTimeUTC": "/Date(ms)/", "<Plural>": [...]}``
(+ ``pagination`` when the caller paged). ProviderName is the name of the calling app as
registered with identity (Xero shows the app's name there), "Xero Sandbox" if unknown.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, g

from ..errors import json_response, plain
from ..identity import apps
from ..state import sandbox
from . import msdate
from .listing import BadParameter
from .validate import PostDataInvalid
from .where import QueryParseError

PROVIDER_FALLBACK = "Xero Sandbox"


def envelope(plural: str, items: list[dict[str, Any]],
             pagination: dict[str, int] | None = None, status: int = 200) -> Response:
    body: dict[str, Any] = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": provider_name(),
        "DateTimeUTC": msdate.ms_plain(sandbox().clock.now()),
    }
    if pagination is not None:
        body["pagination"] = pagination
    body[plural] = items
    return json_response(body, status=status)


def provider_name() -> str:
    app = apps.get(sandbox().store, getattr(g, "client_id", None))
    return app.name if app else PROVIDER_FALLBACK


def not_found() -> Response:
    """Xero's 404 for an id or number it does not hold: a plain-text body, no JSON envelope
    (developer.xero.com/documentation/api/accounting/responsecodes; the SDKs raise NotFound
    with their own message and never parse it)."""
    return plain(404, "The resource you have specified cannot be found")


def query_parse_error(message: str) -> Response:
    return json_response({"ErrorNumber": 16, "Type": "QueryParseException", "Message": message}, 400)


def post_data_invalid(message: str) -> Response:
    return json_response({"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": message}, 400)


def bad_request_parameter(message: str) -> Response:
    """A query parameter of the wrong type (e.g. ``IDs=abc``): Xero answers 400 in plain words."""
    return plain(400, message)


def translate_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    """Turn the parse failures raised anywhere below a view into Xero's 400 bodies."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except QueryParseError as exc:
            return query_parse_error(str(exc))
        except PostDataInvalid as exc:
            return post_data_invalid(str(exc))
        except BadParameter as exc:
            return bad_request_parameter(str(exc))
    return wrapper
