"""``/_sandbox/orgs``: organisations for tests and benchmarks (off unless control is on).

- ``GET  /_sandbox/orgs`` -> ``{"organisations": [{tenant_id, name, country_code,
  base_currency, short_code, currencies}]}``
- ``POST /_sandbox/orgs`` ``{"name", "country", "base_currency"}`` (optional ``currencies``,
  ``short_code``, ``timezone``, ``tenant_id``) -> 201 with the new organisation's
  ``tenant_id``. It starts as a new Xero organisation of that country does: its chart of
  accounts, its tax rates, and only its base currency enabled (plus ``currencies``). The demo
  user may grant it on the authorize page like the demo organisations.
- ``POST /_sandbox/orgs/<tenant_id>/currencies`` ``{"currencies": ["USD", "EUR"]}``: enable more
  currencies, as an adviser would in Xero's Settings > Currencies; answers the enabled list.

(``POST /_sandbox/orgs/<tenant_id>`` takes an organisation offline or sets its daily limit:
see traffic.py.)
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from flask import Response, request

from .. import orgs
from ..control import bp
from ..errors import json_response
from ..state import sandbox
from .reference_data import COUNTRIES, enable_currencies, seed_organisation
from .repository import Repository
from .spec import fields

# What people call the United Kingdom; Xero's CountryCode for it is GB.
COUNTRY_ALIASES = {"UK": "GB"}
SHORT_CODE = re.compile(r"^![A-Za-z0-9]{5}$")
TENANT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class _Bad(Exception):
    pass


def _currency_codes() -> frozenset[str]:
    """Xero's CurrencyCode values (the spec's enum, as its Currency schema names them)."""
    return frozenset(fields("Currency")["Code"].enum)


def _currencies(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise _Bad("currencies must be a list of currency codes, e.g. [\"USD\", \"EUR\"]")
    codes = [code.strip().upper() for code in value]
    unknown = [code for code in codes if code not in _currency_codes()]
    if unknown:
        raise _Bad(f"unknown currency code(s): {', '.join(unknown)}")
    return codes


def _new_org(body: dict[str, Any]) -> dict[str, Any]:
    """The checked fields of a POST /_sandbox/orgs body; raises _Bad."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _Bad("name is required")
    country = str(body.get("country") or "").strip().upper()
    country = COUNTRY_ALIASES.get(country, country)
    if country not in COUNTRIES:
        raise _Bad(f"country must be one of {', '.join(COUNTRIES)} (UK is accepted for GB)")
    currency = str(body.get("base_currency") or "").strip().upper()
    if currency not in _currency_codes():
        raise _Bad("base_currency must be a currency code, e.g. NZD")
    short_code = body.get("short_code")
    if short_code is not None and (not isinstance(short_code, str) or not SHORT_CODE.match(short_code)):
        raise _Bad("short_code looks like \"!\" and five letters or digits, e.g. \"!mBdtL\"")
    tenant_id = body.get("tenant_id")
    if tenant_id is not None and (not isinstance(tenant_id, str) or not TENANT_ID.match(tenant_id)):
        raise _Bad("tenant_id must be a lower-case GUID")
    timezone = body.get("timezone")
    if timezone is not None and not isinstance(timezone, str):
        raise _Bad("timezone must be a Xero timezone name, e.g. NEWZEALANDSTANDARDTIME")
    return {"name": name.strip(), "country_code": country, "base_currency": currency,
            "short_code": short_code, "tenant_id": tenant_id, "timezone": timezone,
            "currencies": _currencies(body.get("currencies"))}


def _describe(org: Any) -> dict[str, Any]:
    repo = Repository(sandbox().store, org["tenant_id"])
    return {"tenant_id": org["tenant_id"], "name": org["name"],
            "country_code": org["country_code"], "base_currency": org["base_currency"],
            "short_code": org["short_code"], "timezone": org["timezone"],
            "currencies": [c["Code"] for c in repo.all("currencies")] or [org["base_currency"]]}


@bp.get("/orgs")
def list_orgs() -> Response:
    return json_response({"organisations": [_describe(o) for o in orgs.all_orgs(sandbox().store)]})


@bp.post("/orgs")
def create_org() -> Response:
    body = request.get_json(silent=True)
    try:
        if not isinstance(body, dict):
            raise _Bad("send a JSON object: {\"name\", \"country\", \"base_currency\"}")
        wanted = _new_org(body)
    except _Bad as exc:
        return json_response({"error": str(exc)}, 400)
    sb = sandbox()
    now = sb.clock.now()
    extra = wanted.pop("currencies")
    try:
        with sb.store.transaction():
            tenant_id = orgs.create(sb.store, now, **wanted)
            repo = Repository(sb.store, tenant_id)
            org = orgs.get(sb.store, tenant_id)
            seed_organisation(repo, org, now)
            enable_currencies(repo, extra)
    except sqlite3.IntegrityError:
        return json_response({"error": f"an organisation {wanted['tenant_id']} already exists"}, 409)
    return json_response(_describe(orgs.get(sb.store, tenant_id)), 201)


@bp.post("/orgs/<tenant_id>/currencies")
def add_currencies(tenant_id: str) -> Response:
    sb = sandbox()
    org = orgs.get(sb.store, tenant_id)
    if org is None:
        return json_response({"error": f"no organisation {tenant_id}"}, 404)
    body = request.get_json(silent=True)
    try:
        codes = _currencies((body or {}).get("currencies") if isinstance(body, dict) else None)
        if not codes:
            raise _Bad("send {\"currencies\": [\"USD\", ...]}")
    except _Bad as exc:
        return json_response({"error": str(exc)}, 400)
    with sb.store.transaction():
        repo = Repository(sb.store, tenant_id)
        seed_organisation(repo, org, sb.clock.now())  # an organisation not used yet
        enabled = enable_currencies(repo, codes)
    return json_response({"tenant_id": tenant_id, "currencies": [c["Code"] for c in enabled]})
