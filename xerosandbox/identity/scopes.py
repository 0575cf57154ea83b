"""Scopes: which exist, what they mean in plain words (consent page), which an app may
request, and whether a token's scopes satisfy a view's requirement.

Broad vs granular (developer.xero.com/faq/granular-scopes): ``accounting.transactions`` was
split into ``accounting.invoices``, ``accounting.payments``, ``accounting.banktransactions``
and ``accounting.manualjournals``. Apps created on or after 2 March 2026 may only ask for the
granular ones; older apps may mix both.
"""
from __future__ import annotations

from collections.abc import Iterable

OIDC = {
    "openid": "Confirm who you are (sign in with Xero)",
    "profile": "See your name",
    "email": "See your email address",
    "offline_access": "Keep access while you are not using the app",
}
_ACCOUNTING = {
    "accounting.transactions": "your business transactions (invoices, bills, payments, "
                               "purchase orders, bank transactions)",
    "accounting.invoices": "your invoices, bills, credit notes, quotes, purchase orders and items",
    "accounting.payments": "your payments",
    "accounting.banktransactions": "your bank transactions",
    "accounting.manualjournals": "your manual journals",
    "accounting.contacts": "your contacts (customers and suppliers)",
    "accounting.settings": "your organisation settings (chart of accounts, tax rates, items)",
    "accounting.attachments": "your attachments",
}
_READ_ONLY = {
    "accounting.reports.read": "View your reports",
    "accounting.journals.read": "View your general ledger journals",
    "accounting.budgets.read": "View your budgets",
}
# Broad scopes a granular-only app is refused (developer.xero.com/faq/granular-scopes).
BROAD = frozenset({"accounting.transactions", "accounting.transactions.read",
                   "accounting.reports.read"})


def _descriptions() -> dict[str, str]:
    words = dict(OIDC)
    for scope, what in _ACCOUNTING.items():
        words[scope] = f"View and manage {what}"
        words[f"{scope}.read"] = f"View {what}"
    words.update(_READ_ONLY)
    return words


DESCRIPTIONS = _descriptions()
KNOWN = frozenset(DESCRIPTIONS)


def parse(text: str | None) -> list[str]:
    """Space-separated scopes, de-duplicated, order kept."""
    return list(dict.fromkeys((text or "").split()))


def join(scopes: Iterable[str]) -> str:
    return " ".join(dict.fromkeys(scopes))


def unknown(requested: Iterable[str]) -> list[str]:
    return [s for s in requested if s not in KNOWN]


def needs_tenant(requested: Iterable[str]) -> bool:
    """Organisation data scopes: the user must pick at least one organisation."""
    return any(s.startswith("accounting.") for s in requested)


def satisfies(granted: Iterable[str], alternatives: Iterable[str]) -> bool:
    """True when any one of ``alternatives`` is held, a write scope implying its ``.read``.
    Broad and granular scopes are not mapped onto each other here: which endpoints a broad
    scope reaches is the spec's per-operation ``security``, so views list both (api.py)."""
    held = set(granted)
    held |= {f"{s}.read" for s in held if not s.endswith(".read")}
    return any(alt in held for alt in alternatives)
