"""The write pipeline every PUT/POST shares: read the body, check types, run each element
through its resource's rules, then answer as Xero does.

- Body: ``{"<Plural>": [...]}``; a bare element (or a bare list) is also read, as Xero does.
- Types first (validate.coerce): one unreadable value fails the whole request with
  PostDataInvalidException, whatever summarizeErrors says.
- Elements are applied in order inside one transaction, so a later element sees an earlier
  one (two elements with the same contact name collide, as at Xero).
- summarizeErrors absent/true: any failing element -> 400 ValidationException echoing the
  failed elements with their ValidationErrors, and nothing is saved (rollback).
- summarizeErrors=false: 200, every element with StatusAttributeString OK/ERROR; the valid
  ones are saved.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Response, request

from ..errors import validation_exception
from ..state import sandbox
from . import listing, msdate
from .context import Reference, current_repo
from .envelope import envelope
from .repository import Repository
from .validate import PostDataInvalid, coerce, length_errors


@dataclass
class Write:
    """What a resource's element handler needs to know about the request."""
    repo: Repository
    ref: Reference
    mode: str                 # "create" (PUT) | "upsert" (POST /X) | "update" (POST /X/{id})
    now: float
    unitdp: int = 2           # the request's unit decimal places (listing.unitdp)


@dataclass
class Result:
    doc: dict[str, Any] | None = None       # the saved object (API shape) when it succeeded
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


Handler = Callable[[Write, dict[str, Any]], Result]


class _Rollback(Exception):
    pass


def read_elements(plural: str) -> list[Any]:
    body = request.get_json(silent=True)
    if isinstance(body, dict) and plural in body:
        body = body[plural]
    if isinstance(body, dict):
        return [body]
    if isinstance(body, list):
        return body
    raise PostDataInvalid("JSON request body could not be read, Error reading the request body.")


def summarize_errors() -> bool:
    return (listing.arg("summarizeErrors") or "true").strip().lower() != "false"


def run(plural: str, schema: str, handler: Handler, *, mode: str,
        url_id: str | None = None, id_field: str | None = None) -> Response:
    """Apply a PUT/POST body's elements with ``handler`` and answer as Xero does."""
    elements = [coerce(schema, el, f"{plural}[{i}]") for i, el in enumerate(read_elements(plural))]
    if url_id and id_field and elements:
        elements[0][id_field] = url_id  # POST /X/{id}: the URL names the object
    summarize = summarize_errors()
    results: list[tuple[dict[str, Any], Result]] = []
    try:
        _apply(schema, handler, mode, elements, results, rollback_on_error=summarize)
    except _Rollback:
        return validation_exception([_echo(el, r, None, schema) for el, r in results if r.errors])
    return envelope(plural, [_answer(el, r, schema) for el, r in results])


def _apply(schema: str, handler: Handler, mode: str, elements: list[dict[str, Any]],
           results: list[tuple[dict[str, Any], Result]], *, rollback_on_error: bool) -> None:
    """Run every element in one transaction; undo them all if one fails and we summarise."""
    sb = sandbox()
    unitdp = listing.unitdp()
    repo = current_repo()  # outside the transaction: it may seed a new organisation first
    with sb.store.transaction():
        write = Write(repo, Reference.load(repo), mode, sb.clock.now(), unitdp)
        for element in elements:
            problems = length_errors(schema, element)
            results.append((element, Result(errors=problems) if problems else handler(write, element)))
        if rollback_on_error and any(result.errors for _, result in results):
            raise _Rollback()


def _answer(element: dict[str, Any], result: Result, schema: str) -> dict[str, Any]:
    """One element of a 200 answer: the saved object, or the element with its errors."""
    if result.errors:
        return _echo(element, result, "ERROR", schema)
    assert result.doc is not None
    doc = dict(result.doc)
    doc["StatusAttributeString"] = "WARNING" if result.warnings else "OK"
    if result.warnings:
        doc["Warnings"] = [{"Message": m} for m in result.warnings]
    return doc


# The flag each schema uses to say "this element failed" (Invoice: HasErrors, Contact:
# HasValidationErrors), as Xero sets it on echoed elements.
ERROR_FLAGS = {"Invoice": "HasErrors", "Contact": "HasValidationErrors",
               "Payment": "HasValidationErrors"}


def _echo(element: dict[str, Any], result: Result, status: str | None, schema: str) -> dict[str, Any]:
    """The submitted element, JSON-ready, carrying its errors (Xero echoes what it was sent)."""
    echoed = _jsonable(element)
    if schema in ERROR_FLAGS:
        echoed[ERROR_FLAGS[schema]] = True
    if status:
        echoed["StatusAttributeString"] = status
    echoed["ValidationErrors"] = [{"Message": m} for m in result.errors]
    return echoed


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return msdate.ms(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value
