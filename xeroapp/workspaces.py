"""Creating a workspace: what every new workspace starts with."""
from __future__ import annotations

from xeroapp.extensions import db
from xeroapp.models import User, Workspace
from xeroapp.models.catalogue import shipping_product
from xeroapp.models.workspace import normalise_email
from xeroapp.timezones import DEFAULT_TIME_ZONE


def time_zone_of(workspace_id: int) -> str:
    """The zone the workspace reads times in (for messages written by a worker)."""
    workspace = db.session.get(Workspace, workspace_id)
    return workspace.time_zone if workspace is not None else DEFAULT_TIME_ZONE


def create_workspace(*, workspace_name: str, user_name: str, email: str, password: str,
                     currency: str = "NZD", time_zone: str = DEFAULT_TIME_ZONE) -> User:
    """Add a workspace, its first user and its "Shipping and Handling" product (not committed)."""
    workspace = Workspace(name=workspace_name, default_currency=currency, time_zone=time_zone)
    user = User(workspace=workspace, name=user_name, email=normalise_email(email))
    user.set_password(password)
    db.session.add_all([workspace, user])
    db.session.flush()
    db.session.add(shipping_product(workspace.id))
    return user
