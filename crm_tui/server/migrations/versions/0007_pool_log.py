"""The customer pool (issue 18): a log of releases, claims and assigns. A release is
unique per ownership period (customer, owner, since when), so two workers running the
scheduled release pass at once release a customer once; a claim checks the newest release
for the reclaim wait (the log is the server's own, a laptop cannot forge it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pool_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("by_id", sa.String(), nullable=True),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("event", "customer_id", "period", name="uq_pool_log_period"),
    )
    op.create_index("ix_pool_log_customer", "pool_log", ["customer_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_pool_log_customer", "pool_log")
    op.drop_table("pool_log")
