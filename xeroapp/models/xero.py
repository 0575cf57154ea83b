"""What we know about Xero: the workspace's connection, record links, and push jobs."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property

from xeroapp import crypto
from xeroapp.extensions import db
from xeroapp.models.mixins import Timestamped, WorkspaceOwned
from xeroapp.models.types import UTCDateTime, utcnow
from xeroapp.models.workspace import User, Workspace

# record_kind values: one per pushable model (each model carries the same `record_kind`).
RECORD_KINDS = ("client", "supplier", "product", "invoice", "purchase_order")

PUSH_ACTIONS = ("send", "update")
# "ambiguous": the push stopped because several Xero contacts share the name; a person chooses
# one (or "create new") on the panel, which records a new push carrying that choice.
# "blocked": a purchase order's products are not Items in Xero yet (error_kind
# "products_missing", the products in ``choices``); the missing-products dialog creates them
# and records a new push.
PUSH_STATUSES = ("queued", "running", "waiting", "done", "failed", "ambiguous", "blocked")
PENDING_PUSH_STATUSES = ("queued", "running", "waiting")
# The predicate of the one-pending-push-per-record index, as SQL (an INSERT's ON CONFLICT
# names the index by repeating it).
PENDING_INDEX_WHERE = "status IN ('queued', 'running', 'waiting')"
# PushJob.error_kind: why a push stopped, or what a ``waiting`` one waits for; the panel
# chooses what it offers next from it (Try again, choose a contact, nothing).
PUSH_ERROR_KINDS = ("validation", "locked", "unreachable", "rate_limit", "not_found", "ambiguous",
                    "products_missing", "reconnect")
# Waits that end at a known time (``not_before``): a rate limit (Xero's 429 or our own call
# budget) or the back-off after a passing fault.
TIMED_WAIT_KINDS = ("rate_limit", "unreachable")
# The wait for a person to reconnect Xero: no ``not_before``, it never ends by itself;
# reconnecting (sync/reconnect.py) resumes it.
RECONNECT_WAIT = "reconnect"
WAITING_FOR_RECONNECT = "Waiting for Xero to be reconnected."


class XeroConnection(Timestamped, db.Model):
    """The one Xero organisation a workspace is connected to, with its (encrypted) tokens."""

    __tablename__ = "xero_connections"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    workspace_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("workspaces.id"), unique=True)
    tenant_id: so.Mapped[str] = so.mapped_column(sa.String(36), index=True)
    tenant_name: so.Mapped[str] = so.mapped_column(sa.String(255))
    connection_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    # The Xero user whose grant this is (the access token's xero_userid). Revoking a refresh
    # token ends every grant of that user to our app, so a workspace's disconnect revokes
    # only when no other workspace holds a grant of the same user.
    xero_user_id: so.Mapped[str | None] = so.mapped_column(sa.String(36), index=True)
    # Organisation.ShortCode: deep links open the right organisation with it.
    short_code: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    access_token_encrypted: so.Mapped[str | None] = so.mapped_column(sa.Text)
    refresh_token_encrypted: so.Mapped[str | None] = so.mapped_column(sa.Text)
    access_token_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Refresh tokens live 60 days from issue; the connected page warns near the end.
    refresh_token_issued_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    scopes: so.Mapped[str | None] = so.mapped_column(sa.Text)
    connected_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    connected_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    needs_reconnect: so.Mapped[bool] = so.mapped_column(default=False)
    needs_reconnect_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Defaults for sales (invoices) and purchases (purchase orders, items), chosen from the
    # organisation's own /Accounts and /TaxRates.
    sales_account_code: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    sales_tax_type: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    purchase_account_code: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    purchase_tax_type: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    # Xero's daily call allowance for this organisation (5,000; 1,000 on the Starter tier).
    daily_call_limit: so.Mapped[int] = so.mapped_column(default=5000)

    workspace: so.Mapped[Workspace] = so.relationship()
    connected_by: so.Mapped[User | None] = so.relationship()

    @classmethod
    def usable_for(cls, workspace_id: int) -> XeroConnection | None:
        """The workspace's connection while it holds a refresh token, so Xero can be called
        (it may still need reconnecting); None when never connected or disconnected."""
        connection = db.session.scalar(sa.select(cls).filter_by(workspace_id=workspace_id))
        if connection is None or connection.refresh_token_encrypted is None:
            return None
        return connection

    @property
    def access_token(self) -> str | None:
        return _decrypt(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str | None) -> None:
        self.access_token_encrypted = _encrypt(value)

    @property
    def refresh_token(self) -> str | None:
        return _decrypt(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str | None) -> None:
        self.refresh_token_encrypted = _encrypt(value)

    def __repr__(self) -> str:
        return f"<XeroConnection {self.id} {self.tenant_name!r}>"


def _encrypt(value: str | None) -> str | None:
    return None if value is None else crypto.encrypt(value)


def _decrypt(value: str | None) -> str | None:
    return None if value is None else crypto.decrypt(value)


class XeroLink(WorkspaceOwned, db.Model):
    """One local record <-> one Xero object, in one organisation (tenant).

    Kept on disconnect: reconnecting the same organisation resumes with "Update"; another
    organisation has no links, so its records start as "Send".
    """

    __tablename__ = "xero_links"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "record_kind", "record_id", "tenant_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    record_kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    record_id: so.Mapped[int]
    tenant_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    xero_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    pushed_version: so.Mapped[int | None]
    pushed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # When the record first reached this organisation ("In Xero since ...").
    linked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Contacts: our fields as they were at the last push (mapping.contact_fields), so that an
    # update sends only what changed here since. None: not known (a link made before this
    # was kept); the next update then sends only the fields we hold.
    pushed_fields: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    # Invoices and purchase orders: the Status the create sent (Settings > Invoices or
    # Purchase orders at the time), for "Sent as a draft". None: a contact or product, or
    # linked before this was kept.
    sent_status: so.Mapped[str | None] = so.mapped_column(sa.String(20))

    # What Xero last said about the object (read back by xeroapp/backsync: webhooks, polling,
    # "Check Xero now"). None: not read since the link was made.
    # Invoices and purchase orders: Status (DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED,
    # DELETED; BILLED for orders). Contacts: ContactStatus (ACTIVE, ARCHIVED, GDPRREQUEST).
    xero_status: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    # Invoices: AmountPaid and AmountDue, and Payments as [{"PaymentID", "Date" (YYYY-MM-DD),
    # "Amount" (a decimal string), "Reference"}], in Xero's order.
    xero_amount_paid: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(18, 2))
    xero_amount_due: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(18, 2))
    xero_payments: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    # Contacts merged into another in Xero: the contact that remains (MergedToContactID).
    xero_merged_into: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    # Xero's UpdatedDateUTC of the version read: an older read (events arrive out of order)
    # never overwrites a newer one.
    xero_updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    xero_read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<XeroLink {self.record_kind}:{self.record_id} -> {self.xero_id}>"


class PushJob(WorkspaceOwned, Timestamped, db.Model):
    """The truth about one push of one record; RQ only carries its id, so a lost or
    repeated RQ job never loses or doubles a push (the sweeper re-enqueues from these rows)."""

    __tablename__ = "push_jobs"
    __table_args__ = (
        sa.Index("ix_push_jobs_record", "workspace_id", "record_kind", "record_id"),
        # A bulk lane's next batch: a run's rows still to send (sync/bulk/lane_job.py).
        sa.Index("ix_push_jobs_bulk_status", "bulk_push_id", "status"),
        # At most one pending push per record: a double click, or two tabs, coalesce onto the
        # same row even when both requests race past the "already pending?" check.
        sa.Index("uq_push_jobs_pending_record", "workspace_id", "record_kind", "record_id",
                 unique=True,
                 sqlite_where=sa.text(PENDING_INDEX_WHERE),
                 postgresql_where=sa.text(PENDING_INDEX_WHERE)),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    record_kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    record_id: so.Mapped[int]
    record_version: so.Mapped[int | None]
    tenant_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    action: so.Mapped[str] = so.mapped_column(sa.String(10))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="queued", index=True)
    # Tries that went to Xero with the record: answered (done, refused), faulted, or cut
    # short by a dead worker. A try stopped by a rate limit (Xero's 429, or our own budget
    # before any call) is counted in rate_limit_waits instead: waiting is not trying again.
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    rate_limit_waits: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Xero keeps keys for replay; at most 128 characters.
    idempotency_key: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    # The content fingerprint (sync/numbers.py) of a document sent WITHOUT a number (Xero
    # numbers it) whose answer has not come back: set just before the create, cleared once
    # Xero answers for it. While set, the document may be in Xero already (a lost answer, a
    # killed worker) and every later send looks for that copy first (sync/our_copies.py).
    sent_fingerprint: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    error_message: so.Mapped[str | None] = so.mapped_column(sa.Text)
    error_field: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    error_kind: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    # Several Xero contacts had the record's name: [{ContactID, Name, ContactNumber,
    # EmailAddress}], for the panel's choice (status "ambiguous").
    choices: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    # The person's answer to that choice: a Xero ContactID to link to, or "new" to create one.
    contact_choice: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    # While waiting out a rate limit or a back-off, the job does not run before this time
    # (None while it waits for a reconnect: that wait has no end time).
    not_before: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    requested_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # The bulk run (models/bulk.py) this push belongs to; its worker sends it in a batch.
    bulk_push_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("bulk_pushes.id"))
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    requested_by: so.Mapped[User | None] = so.relationship()

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_PUSH_STATUSES

    @hybrid_method
    def is_runnable(self, now: datetime | None = None) -> bool:
        """May a job send this row now? Queued, or waiting out a rate limit or back-off
        whose ``not_before`` has come. The one rule of the single job, the bulk batch and the
        sweeper: a job that meets a row before its time leaves it to the retry scheduled for
        then. (``PushJob.is_runnable(now)`` is the same rule as a SQL condition.)"""
        if self.status == "queued":
            return True
        return (self.status == "waiting" and self.error_kind in TIMED_WAIT_KINDS
                and self.not_before is not None and self.not_before <= (now or utcnow()))

    @is_runnable.inplace.expression
    @classmethod
    def _is_runnable_expression(cls, now: datetime | None = None) -> sa.ColumnElement[bool]:
        return sa.or_(cls.status == "queued",
                      sa.and_(cls.status == "waiting", cls.error_kind.in_(TIMED_WAIT_KINDS),
                              cls.not_before.is_not(None), cls.not_before <= (now or utcnow())))

    @hybrid_property
    def waits_for_reconnect(self) -> bool:
        """Parked until a person reconnects Xero (``park_for_reconnect``)."""
        return self.status == "waiting" and self.error_kind == RECONNECT_WAIT

    @waits_for_reconnect.inplace.expression
    @classmethod
    def _waits_for_reconnect_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.status == "waiting", cls.error_kind == RECONNECT_WAIT)

    def park_for_reconnect(self) -> None:
        """Wait for a person, not a time: no ``not_before``, so no retry or sweep sends it."""
        self.status, self.error_kind, self.not_before = "waiting", RECONNECT_WAIT, None
        self.error_message, self.error_field = WAITING_FOR_RECONNECT, None

    @property
    def tries(self) -> int:
        """Every run of this push so far, attempts and rate-limit waits alike: each run's
        RQ job (a retry, a batch, a sweep) is named after it, so no two runs share a name."""
        return (self.attempts or 0) + (self.rate_limit_waits or 0)

    def count_as_rate_limit_wait(self) -> None:
        """The try just ended was stopped by a rate limit: a wait, not an attempt."""
        self.attempts = max((self.attempts or 0) - 1, 0)
        self.rate_limit_waits = (self.rate_limit_waits or 0) + 1

    def __repr__(self) -> str:
        return f"<PushJob {self.id} {self.action} {self.record_kind}:{self.record_id} {self.status}>"
