"""Rows seen by named members besides their owner (the rule book's READER_FIELDS: an
assigned engineer, a work report's recipients): `record.readers` lists the extra
`read:<id>` partitions each row is logged in, so a change that drops a reader logs a
remove there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database rebuilt by the tests from today's models may have the column already.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("record")}
    if "readers" not in columns:
        op.add_column("record", sa.Column("readers", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("record", "readers")
