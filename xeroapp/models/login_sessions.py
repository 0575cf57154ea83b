"""Logins: one row per logged-in browser, so that a session can be ended from the server.

Flask's session is a signed cookie the server keeps no copy of: on its own, a copy of it
works until it expires, whatever happens to the original. Each login therefore gets a row
here and its cookie carries a random token whose SHA-256 is the row's id. Deleting the row
ends that login in every copy of the cookie (log out), deleting all of a user's rows ends
all of them (log out everywhere, a password change).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models.types import UTCDateTime


class LoginSession(db.Model):
    __tablename__ = "login_sessions"

    # The SHA-256 (hex) of the cookie's token: the table alone cannot be turned into cookies.
    id: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # When the person logged in: the absolute lifetime runs from here, activity or not.
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<LoginSession of user {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}>"
