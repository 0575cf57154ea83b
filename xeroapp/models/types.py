"""Column types shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

# Money with four decimal places (Xero accepts unit amounts to 4 dp); quantities likewise.
Money = sa.Numeric(14, 4)
Quantity = sa.Numeric(12, 4)
Percent = sa.Numeric(6, 2)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database.

    Stored as a naive UTC timestamp, because SQLite keeps no offset and PostgreSQL's
    ``timestamptz`` would hand back aware values: code comparing times (token expiry,
    ``not_before`` of a waiting push) then behaves the same on both.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime (use models.types.utcnow())")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)
