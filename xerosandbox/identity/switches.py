"""Identity behaviours a test can switch, where integrators report Xero doing one thing
and Xero's own documents or SDKs suggest another. Held in ``sandbox().settings`` (forgotten
on ``/_sandbox/reset``) and set through ``POST /_sandbox/identity`` (control.py).

``keep_auth_event_on_reconsent`` (default off): when a user consents again to an organisation
that is still connected, the connection keeps its old ``authEventId`` instead of taking the new
consent's. Off is what the spec's Connection schema suggests ("Identifier shared across
connections authorised at the same time"); on is what an integrator reports from real Xero
("auth event id doesn't change if you reconnect",
github.com/XeroAPI/xero-php-oauth2/issues/18). Either way ``updatedDateUtc`` moves to the
consent ("the date when the user most recently connected this tenant to your app"), which is
what xero-node orders tenants by (its ``updateTenants`` puts the most recent connection first).
The new token always carries the new consent's ``authentication_event_id``: with the switch on,
it matches none of the re-consented connections, the case an app must survive.
"""
from __future__ import annotations

from typing import Any

from ..state import Sandbox

_KEY = "identity"
SWITCHES = {"keep_auth_event_on_reconsent": False}


def current(sb: Sandbox) -> dict[str, Any]:
    return {**SWITCHES, **sb.settings.get(_KEY, {})}


def update(sb: Sandbox, changes: dict[str, Any]) -> dict[str, Any]:
    """Merge ``changes`` (already checked) into the switches; answers them all."""
    sb.settings[_KEY] = {**sb.settings.get(_KEY, {}), **changes}
    return current(sb)


def keeps_auth_event_on_reconsent(sb: Sandbox) -> bool:
    return bool(current(sb)["keep_auth_event_on_reconsent"])
