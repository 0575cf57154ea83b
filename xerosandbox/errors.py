"""Xero's error shapes, in one place, so every module answers errors the same way.

- Accounting validation: HTTP 400 ``{"ErrorNumber":10,"Type":"ValidationException",
  "Message":"A validation exception occurred","Elements":[...]}`` (xero_accounting.yaml,
  components.schemas.Error).
- Auth / tenant / rate problems: ``{"Type":null,"Title":..,"Status":..,"Detail":..,
  "Instance":<guid>,"Extensions":{}}`` (as Xero sends them; the spec does not model them).
- OAuth token endpoint: ``{"error":"invalid_grant"}`` (+ ``error_description``).
- Outages: plain text ("The Xero API is currently offline for maintenance";
  developer.xero.com/documentation/api/accounting/responsecodes).
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Response


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    resp = Response(json.dumps(body), status=status, mimetype="application/json")
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def validation_exception(elements: list[dict[str, Any]], *, error_number: int = 10,
                         type_name: str = "ValidationException",
                         message: str = "A validation exception occurred") -> Response:
    """400 with each failed element echoed back carrying its ``ValidationErrors``."""
    return json_response({
        "ErrorNumber": error_number,
        "Type": type_name,
        "Message": message,
        "Elements": elements,
    }, status=400)


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    """Xero's ProblemDetails-style body used for 401/403/429 (and others)."""
    return json_response({
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }, status=status, headers=headers)


def oauth_error(error: str, description: str | None = None, status: int = 400) -> Response:
    body: dict[str, str] = {"error": error}
    if description:
        body["error_description"] = description
    return json_response(body, status=status)


def plain(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    resp = Response(text, status=status, mimetype="text/plain")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp
