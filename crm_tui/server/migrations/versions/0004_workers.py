"""Several workers: the server clock's high-water mark shared in the database, and the
device a change-log row echoes (pull sends that device only the new version).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_clock",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("hlc", sa.String(), nullable=False),
    )
    op.bulk_insert(
        sa.table("server_clock", sa.column("id", sa.Integer), sa.column("hlc", sa.String)),
        [{"id": 1, "hlc": ""}],
    )
    # A database rebuilt by the tests from today's models may have the column already.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("change_log")}
    if "origin" not in columns:
        op.add_column("change_log", sa.Column("origin", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("change_log", "origin")
    op.drop_table("server_clock")
