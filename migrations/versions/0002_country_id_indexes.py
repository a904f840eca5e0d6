"""country+id indexes for filtered collection pages

Collection pages of recognitions and ambassador exchanges filter by country and are
ordered by id (keyset paging). The country-only index made every such page sort all
of that country's rows; (country, id) gives them in id order, so a page reads only
its own rows. It also serves every country-only lookup, so it replaces that index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TABLES = ('recognitions', 'ambassador_exchanges')


def upgrade() -> None:
    for table in TABLES:
        # Create before dropping, so country lookups never go without an index.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_country_id', ['country', 'id'], unique=False)
            batch_op.drop_index(f'ix_{table}_country')


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_country', ['country'], unique=False)
            batch_op.drop_index(f'ix_{table}_country_id')
