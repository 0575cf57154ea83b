"""shipping product for every workspace

Every workspace gets its "Shipping and Handling" product (SKU SHIPPING, unpublished) when it
is made. Workspaces made before that rule were given it by the products list on its first
GET; a GET no longer writes, so the ones still without it get it here.

Revision ID: b7103ca83903
Revises: cf95a4dd016f
Create Date: 2026-12-14 11:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7103ca83903'
down_revision = 'cf95a4dd016f'
branch_labels = None
depends_on = None

# As xeroapp.models.catalogue.shipping_product made it when this was written.
SHIPPING = {
    "sku": "SHIPPING",
    "name": "Shipping and Handling",
    "description": "Freight, shipping and handling charges",
    "published": False,
    "version": 1,
}


def upgrade():
    connection = op.get_bind()
    workspaces = sa.table('workspaces', sa.column('id'))
    products = sa.table('products', sa.column('workspace_id'), sa.column('sku'),
                        sa.column('name'), sa.column('description'), sa.column('published'),
                        sa.column('version'), sa.column('created_at'), sa.column('updated_at'))
    has_it = sa.select(products.c.workspace_id).where(products.c.sku == SHIPPING["sku"])
    missing = connection.scalars(sa.select(workspaces.c.id)
                                 .where(workspaces.c.id.not_in(has_it))
                                 .order_by(workspaces.c.id)).all()
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # stored as naive UTC
    if missing:
        connection.execute(products.insert(), [
            {**SHIPPING, "workspace_id": workspace_id, "created_at": now, "updated_at": now}
            for workspace_id in missing])


def downgrade():
    # The products stay: they may be on purchase order lines by now, and the app before this
    # revision keeps them too.
    pass
