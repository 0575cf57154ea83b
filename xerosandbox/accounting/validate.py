"""Spec-driven checks of request elements, in the two ways Xero fails them.

1. ``coerce``: what Xero's JSON reader does before any business rule. A value that cannot be
   read as its declared type (a word for a number, an unknown enum value, a malformed GUID or
   date, an object where an array belongs) fails the WHOLE request with a 400
   ``PostDataInvalidException`` (ErrorNumber 14) naming the JSON path; nothing is saved even
   with summarizeErrors=false. Property names the spec does not know are dropped, as are
   read-only and response-only fields, so they never reach the store. Readable values are
   normalised (numbers from numeric strings, enum case, dates to datetimes).
2. ``length_errors``: maxLength violations, reported per element as ValidationErrors.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from . import msdate
from .spec import Field, fields

# Present in the response schemas but never read from a request.
RESPONSE_ONLY = frozenset({"ValidationErrors", "Warnings", "StatusAttributeString", "HasErrors",
                           "HasValidationErrors", "HasAttachments", "Attachments"})


class PostDataInvalid(Exception):
    """The request body cannot be read as the spec's types (Xero: PostDataInvalidException)."""


def coerce(schema_name: str, element: Any, path: str) -> dict[str, Any]:
    """A normalised copy of ``element`` read as ``schema_name``; raises PostDataInvalid."""
    if not isinstance(element, dict):
        raise PostDataInvalid(_message(element, schema_name, path))
    table = fields(schema_name)
    out: dict[str, Any] = {}
    for name, value in element.items():
        field = table.get(name)
        if field is None or field.read_only or name in RESPONSE_ONLY:
            continue  # Xero ignores properties it does not read
        out[name] = _value(field, value, f"{path}.{name}")
    return out


def _value(field: Field, value: Any, path: str) -> Any:
    if value is None:
        return None
    kind = field.kind
    if kind == "object":
        return coerce(field.ref or "", value, path)
    if kind == "array":
        if not isinstance(value, list):
            raise PostDataInvalid(_message(value, f"List<{field.ref or field.item_kind}>", path))
        if field.ref:
            return [coerce(field.ref, item, f"{path}[{i}]") for i, item in enumerate(value)]
        return list(value)
    if kind == "string":
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            raise PostDataInvalid(_message(value, "System.String", path))
        return value if isinstance(value, str) else _number_text(value)
    if kind == "uuid":
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise PostDataInvalid(_message(value, "System.Guid", path)) from None
    if kind in ("number", "integer"):
        return _number(value, kind, path)
    if kind == "boolean":
        return _boolean(value, path)
    if kind == "enum":
        for option in field.enum:
            if isinstance(value, str) and option.lower() == value.strip().lower():
                return option
        raise PostDataInvalid(_message(value, field.name, path))
    if kind in ("date", "datetime"):
        return _date(value, path)
    return value


def _number(value: Any, kind: str, path: str) -> float | int:
    target = "System.Int32" if kind == "integer" else "System.Decimal"
    if isinstance(value, bool):
        raise PostDataInvalid(_message(value, target, path))
    if isinstance(value, (int, float)):
        return int(value) if kind == "integer" else float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise PostDataInvalid(_message(value, target, path)) from None
        return int(number) if kind == "integer" else number
    raise PostDataInvalid(_message(value, target, path))


def _boolean(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise PostDataInvalid(_message(value, "System.Boolean", path))


def _date(value: Any, path: str) -> datetime:
    if isinstance(value, str):
        try:
            return msdate.parse(value)
        except ValueError:
            pass
    raise PostDataInvalid(_message(value, "System.DateTime", path))


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _message(value: Any, type_name: str, path: str) -> str:
    shown = value if isinstance(value, str) else repr(value)
    return (f"JSON for post data was invalid,Error converting value \"{shown}\" to type "
            f"'{type_name}'. Path '{path}'.")


def length_errors(schema_name: str, element: dict[str, Any], label: str = "") -> list[str]:
    """One message per string longer than the spec's maxLength (recursing into objects)."""
    errors: list[str] = []
    for name, field in fields(schema_name).items():
        value = element.get(name)
        if value is None:
            continue
        if field.kind == "string" and field.max_length and len(value) > field.max_length:
            errors.append(f"{label}{name} must not be more than {field.max_length} characters long.")
        elif field.kind == "object" and isinstance(value, dict) and field.ref:
            errors.extend(length_errors(field.ref, value, f"{label}{name}."))
        elif field.kind == "array" and field.ref and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    errors.extend(length_errors(field.ref, item, f"{label}{name}."))
    return errors
