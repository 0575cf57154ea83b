"""Creating a workspace: what every new workspace starts with."""
from __future__ import annotations

from xeroapp.extensions import db
from xeroapp.models import User, Workspace
from xeroapp.models.catalogue import shipping_product
from xeroapp.models.workspace import normalise_email


def create_workspace(*, workspace_name: str, user_name: str, email: str, password: str,
                     currency: str = "NZD") -> User:
    """Add a workspace, its first user and its "Shipping and Handling" product (not committed)."""
    workspace = Workspace(name=workspace_name, default_currency=currency)
    user = User(workspace=workspace, name=user_name, email=normalise_email(email))
    user.set_password(password)
    db.session.add_all([workspace, user])
    db.session.flush()
    db.session.add(shipping_product(workspace.id))
    return user
