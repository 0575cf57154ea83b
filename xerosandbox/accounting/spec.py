"""The vendored Accounting OpenAPI spec, loaded once, reduced to field rules.

Validation (validate.py) and the ``where`` binder (where.py) both ask "what is field F of
schema S?", so the answer lives here: a ``Field`` per property with its kind (string, uuid,
number, boolean, date, enum, object, array), enum values, maxLength and the schema it refers
to. The spec is ~1 MB of YAML: PyYAML's C loader reads it in well under a second, once.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "xero_accounting.yaml"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str                      # string|uuid|number|integer|boolean|date|datetime|enum|object|array
    enum: tuple[str, ...] = ()
    max_length: int | None = None
    ref: str | None = None         # schema name of an object, or of an array's items
    item_kind: str | None = None   # for arrays of scalars
    read_only: bool = False


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    with SPEC_PATH.open("rb") as handle:
        return yaml.load(handle, Loader=yaml.CSafeLoader)


def _schemas() -> dict[str, Any]:
    return document()["components"]["schemas"]


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _field(name: str, prop: dict[str, Any]) -> Field:
    read_only = bool(prop.get("readOnly"))
    if "$ref" in prop:
        target_name = _ref_name(prop["$ref"])
        target = _schemas()[target_name]
        if target.get("type") == "string" and "enum" in target:
            return Field(name, "enum", tuple(str(v) for v in target["enum"]), read_only=read_only)
        if target.get("type") == "string":
            return Field(name, "string", read_only=read_only)
        return Field(name, "object", ref=target_name, read_only=read_only)
    kind = prop.get("type", "object")
    if kind == "array":
        items = prop.get("items", {})
        if "$ref" in items:
            return Field(name, "array", ref=_ref_name(items["$ref"]), read_only=read_only)
        return Field(name, "array", item_kind=items.get("type", "string"), read_only=read_only)
    if kind == "string":
        if "enum" in prop:
            return Field(name, "enum", tuple(str(v) for v in prop["enum"]), read_only=read_only)
        if prop.get("format") == "uuid":
            return Field(name, "uuid", read_only=read_only)
        if prop.get("x-is-msdate"):
            return Field(name, "date", read_only=read_only)
        if prop.get("x-is-msdate-time"):
            return Field(name, "datetime", read_only=read_only)
        return Field(name, "string", max_length=prop.get("maxLength"), read_only=read_only)
    return Field(name, kind, read_only=read_only)


# Lengths Xero enforces that the schema gives no maxLength. A line item's Description: at most
# 4,000 characters, as Workato's documentation of its Xero connector states ("at least one
# character and a maximum of four thousand characters"); the same 4,000 as the schema gives an
# Item's Description and PurchaseDescription, which Xero copies into the lines that use it.
UNSTATED_MAX_LENGTHS = {("LineItem", "Description"): 4000}


@lru_cache(maxsize=None)
def fields(schema_name: str) -> dict[str, Field]:
    """Property name -> Field for one components.schemas entry (in spec order)."""
    props = _schemas()[schema_name].get("properties") or {}
    table = {name: _field(name, prop) for name, prop in props.items()}
    for (schema, name), limit in UNSTATED_MAX_LENGTHS.items():
        if schema == schema_name:
            table[name] = replace(table[name], max_length=limit)
    return table


@lru_cache(maxsize=None)
def lookup(schema_name: str, name: str) -> Field | None:
    """Case-insensitive property lookup (Xero's where clauses ignore case in field names)."""
    table = fields(schema_name)
    if name in table:
        return table[name]
    lowered = name.lower()
    for key, field in table.items():
        if key.lower() == lowered:
            return field
    return None

