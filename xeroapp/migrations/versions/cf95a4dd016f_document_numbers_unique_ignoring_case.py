"""document numbers unique ignoring case

Invoices and purchase orders get ``number_key``, the number case-folded, and the unique
constraint moves from (workspace_id, number) to (workspace_id, number_key): "inv-1" and
"INV-1" can no longer both be saved, even by two requests racing past the form's check.

Numbers that already differ only in case are kept, not refused: the migration must not stop
a release. In each such group one document keeps its number (the one linked to Xero, else
the oldest) and the others get " (2)", " (3)"… appended, so they stay visible and can be
renumbered by hand; each rename is logged. Xero itself refuses numbers that differ only in
case, so at most one of them can be in an organisation: keeping a linked one's number keeps
it matching Xero's copy.

Revision ID: cf95a4dd016f
Revises: 3e7ad3afda72
Create Date: 2026-12-14 10:00:00.000000

"""
import logging
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cf95a4dd016f'
down_revision = '3e7ad3afda72'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# table -> XeroLink.record_kind
TABLES = {"invoices": "invoice", "purchase_orders": "purchase_order"}
NUMBER_MAX = 255


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('number_key', sa.Text(), nullable=True))
    connection = op.get_bind()
    for table, record_kind in TABLES.items():
        fill_keys(connection, table, record_kind)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_workspace_id_number', type_='unique')
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_workspace_id_number_key'),
                                              ['workspace_id', 'number_key'])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_workspace_id_number_key'),
                                     type_='unique')
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_workspace_id_number'),
                                              ['workspace_id', 'number'])
            batch_op.drop_column('number_key')


def key_of(number):
    """As xeroapp.models.documents.number_key did when this was written."""
    return number.casefold() if number else None


def fill_keys(connection, table, record_kind):
    documents = sa.table(table, sa.column('id'), sa.column('workspace_id'), sa.column('number'),
                         sa.column('number_key'), sa.column('version'))
    links = sa.table('xero_links', sa.column('record_kind'), sa.column('record_id'))
    linked = set(connection.scalars(sa.select(links.c.record_id)
                                    .where(links.c.record_kind == record_kind)))
    rows = connection.execute(sa.select(documents.c.id, documents.c.workspace_id,
                                        documents.c.number)
                              .where(documents.c.number.is_not(None))
                              .order_by(documents.c.id)).all()
    if rows:  # one statement for all (executemany): tables may be large
        connection.execute(sa.update(documents).where(documents.c.id == sa.bindparam('row_id'))
                           .values(number_key=sa.bindparam('key')),
                           [{'row_id': row.id, 'key': key_of(row.number)} for row in rows])
    groups = defaultdict(list)
    for row in rows:
        groups[(row.workspace_id, key_of(row.number))].append(row)
    taken = defaultdict(set)  # workspace_id -> keys in use
    for workspace_id, key in groups:
        taken[workspace_id].add(key)
    for (workspace_id, key), group in groups.items():
        # Linked first, then oldest: sorted() is stable and the rows came ordered by id.
        keeper, *others = sorted(group, key=lambda row: row.id not in linked)
        for row in others:
            number = _free_number(row.number, taken[workspace_id])
            taken[workspace_id].add(key_of(number))
            log.warning("%s %s of workspace %s: number %r is also used by %s %s (differing only "
                        "in case), renumbered %r", record_kind, row.id, workspace_id, row.number,
                        record_kind, keeper.id, number)
            connection.execute(sa.update(documents).where(documents.c.id == row.id).values(
                number=number, number_key=key_of(number),
                version=documents.c.version + 1))  # changed since its last push


def _free_number(number, taken_keys):
    """``number`` with the first " (n)" suffix, n from 2, that no document here uses."""
    n = 2
    while True:
        suffix = f" ({n})"
        candidate = number[:NUMBER_MAX - len(suffix)] + suffix
        if key_of(candidate) not in taken_keys:
            return candidate
        n += 1
