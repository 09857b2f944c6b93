"""Failed sign-ins (rate limits shared by every worker), the server's own conflict log
(edits that reached a deleted row) and clock node ids bound to users.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_STR = sa.String()
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("key", _STR, primary_key=True),
        sa.Column("window_start", _WHEN, nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", _WHEN, nullable=True),
    )
    op.create_table(
        "server_conflict",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("entity", _STR, nullable=False),
        sa.Column("row_id", _STR, nullable=False),
        sa.Column("field", _STR, nullable=False),
        sa.Column("lost_value", sa.Text(), nullable=True),
        sa.Column("user_id", _STR, nullable=True),
        sa.Column("reason", _STR, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_server_conflict_row_id", "server_conflict", ["row_id"])
    op.create_table(
        "clock_node",
        sa.Column("node", _STR, primary_key=True),
        sa.Column("user_id", _STR, nullable=False),
        sa.Column("device_id", _STR, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("clock_node")
    op.drop_index("ix_server_conflict_row_id", "server_conflict")
    op.drop_table("server_conflict")
    op.drop_table("sign_in_failure")
