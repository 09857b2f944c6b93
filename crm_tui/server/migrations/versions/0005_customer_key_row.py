"""An index on customer_key.row_id: a push replaces its customers' keys by row id, which
scanned the whole table (the primary key starts with the key).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INDEX = "ix_customer_key_row_id"


def upgrade() -> None:
    # A database rebuilt by the tests from today's models may have the index already.
    if _INDEX not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("customer_key")}:
        op.create_index(_INDEX, "customer_key", ["row_id"])


def downgrade() -> None:
    op.drop_index(_INDEX, "customer_key")
