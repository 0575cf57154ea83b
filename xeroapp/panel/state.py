"""What the integration panel shows of one record: its state with the badge (text and CSS
class suffix), the button, the last error and the history. Changing the panel touches this
package only; the push engine (sync/) just writes PushJob rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models.xero import PushJob, XeroConnection, XeroLink
from xeroapp.panel.xero_hold import Hold, hold_of
from xeroapp.sync import linking, messages
from xeroapp.xero.links import deep_link

HISTORY_SIZE = 5

# state -> (badge text, badge css suffix)
BADGES = {
    "not_connected": ("Xero not connected", "muted"),
    "not_in_xero": ("Not in Xero", "not-in-xero"),
    "queued": ("Queued", "queued"),
    "sending": ("Sending", "sending"),
    "waiting_limit": ("Waiting for Xero's rate limit", "waiting"),
    "waiting_reconnect": ("Waiting for reconnection", "waiting"),
    "waiting_retry": ("Retrying shortly", "waiting"),
    "in_xero": ("In Xero", "in-xero"),
    "failed": ("Failed", "failed"),
    "ambiguous": ("Choose a contact", "waiting"),
    "locked": ("Locked in Xero", "in-xero"),
    # A purchase order whose products are not Items in Xero yet, never sent / sent before.
    "products_missing": ("Not in Xero: products missing", "waiting"),
    "products_missing_update": ("Update waiting: products missing", "waiting"),
}


@dataclass
class PanelState:
    record: Any
    kind: str
    state: str
    connection: XeroConnection | None
    link: XeroLink | None
    latest: PushJob | None
    history: list[PushJob] = field(default_factory=list)
    view_url: str | None = None

    @property
    def noun(self) -> str:
        return messages.noun(self.kind)

    @cached_property
    def hold(self) -> Hold:
        """Xero's side of an invoice or order: its status there and what Xero still takes
        (panel/xero_hold.py)."""
        return hold_of(self.record, self.kind, self.link)

    @property
    def badge(self) -> tuple[str, str]:
        if self.state in ("in_xero", "locked") and self.hold.badge is not None:
            return self.hold.badge
        return BADGES[self.state]

    @property
    def pending(self) -> bool:
        """While true the panel re-requests itself; rate-limit and reconnect waits included,
        so the panel notices when the push resumes."""
        return self.state in ("queued", "sending", "waiting_limit", "waiting_reconnect",
                              "waiting_retry")

    @property
    def watch_delay(self) -> str:
        """How often a panel of a record in Xero looks again for what came back from Xero
        (webhooks bring a change within seconds; the page shows it at its next look)."""
        return "10s"

    @property
    def poll_delay(self) -> str:
        """Once a second while Xero is working on it; a wait for a person to reconnect can
        last hours, so it is checked far less often."""
        return "10s" if self.state == "waiting_reconnect" else "1s"

    @property
    def action_label(self) -> str:
        return "Update" if self.link is not None else "Send"

    @property
    def unchanged(self) -> bool:
        return self.link is not None and self.link.pushed_version == self.record.version

    @property
    def resumes_at(self) -> datetime | None:
        waits = ("waiting_limit", "waiting_retry")
        return self.latest.not_before if self.state in waits and self.latest else None

    @property
    def can_push(self) -> bool:
        """Send or Update is offered only when Xero would take it: not for a document read
        back as paid, voided, billed ... (xero_hold.Hold.blocks_update)."""
        return (self.state not in ("not_connected", "ambiguous", "products_missing",
                                   "products_missing_update") and not self.pending
                and not self.hold.blocks_update)

    @property
    def error(self) -> PushJob | None:
        """The last push, when it ended without success (what the panel explains)."""
        if self.latest is not None and self.latest.status in ("failed", "ambiguous"):
            return self.latest
        return None


def _state(connection: XeroConnection | None, link: XeroLink | None, latest: PushJob | None) -> str:
    if latest is not None and latest.is_pending:
        if latest.status == "running":
            return "sending"
        if latest.status == "waiting":
            if latest.waits_for_reconnect:
                return "waiting_reconnect"
            # A backoff after Xero could not be reached, as opposed to a rate-limit wait.
            return "waiting_retry" if latest.error_kind == "unreachable" else "waiting_limit"
        return "queued"
    if connection is None or connection.refresh_token_encrypted is None:
        return "not_connected"
    if latest is not None and latest.status == "ambiguous":
        return "ambiguous"
    if latest is not None and latest.status == "blocked":
        return "products_missing" if link is None else "products_missing_update"
    if latest is not None and latest.status == "failed":
        return "locked" if latest.error_kind == "locked" else "failed"
    return "in_xero" if link is not None else "not_in_xero"


def panel_state(record: Any) -> PanelState:
    connection = db.session.scalar(sa.select(XeroConnection).filter_by(workspace_id=record.workspace_id))
    tenant_id = connection.tenant_id if connection is not None else None
    link = linking.find(record, tenant_id)
    history = list(db.session.scalars(
        sa.select(PushJob).where(PushJob.workspace_id == record.workspace_id,
                                 PushJob.record_kind == record.record_kind,
                                 PushJob.record_id == record.id)
        .order_by(PushJob.id.desc()).limit(HISTORY_SIZE)))
    latest = history[0] if history else None
    view_url = (deep_link(connection.short_code, record.record_kind, link.xero_id)
                if link is not None and connection is not None else None)
    return PanelState(record, record.record_kind, _state(connection, link, latest), connection,
                      link, latest, history, view_url)


def full_history(record: Any) -> list[PushJob]:
    return list(db.session.scalars(
        sa.select(PushJob).where(PushJob.workspace_id == record.workspace_id,
                                 PushJob.record_kind == record.record_kind,
                                 PushJob.record_id == record.id)
        .order_by(PushJob.id.desc())))
