"""The customer pool's standings (issue 18): one row per owned, live customer with what the
release rules read, and `pool_fact` (what each follow-up or deal gives its customer), kept
by every commit (crud/pool_standings.py), so the release pass reads the due rows by index
instead of every record's JSON. Filled from the records here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pool_fact",
        sa.Column("row_id", sa.String(), primary_key=True),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pool_fact_customer", "pool_fact", ["customer_id", "kind", "at"])
    op.create_table(
        "pool_standing",
        sa.Column("customer_id", sa.String(), primary_key=True),
        sa.Column("owner_id", sa.String(), nullable=False),
        sa.Column("grade", sa.String(), nullable=True),
        sa.Column("owned_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("last_done", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_open_deal", sa.DateTime(timezone=True), nullable=True),
        sa.Column("has_open", sa.Boolean(), nullable=False),
        sa.Column("has_won", sa.Boolean(), nullable=False),
        sa.Column("followup_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deal_since", sa.DateTime(timezone=True), nullable=False),
    )
    for clock in ("followup", "deal"):
        op.create_index(
            f"ix_pool_standing_{clock}",
            "pool_standing",
            ["locked", "has_won", "has_open", f"{clock}_since"],
        )
    from crm_tui.server.crud.pool_standings import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("pool_standing")
    op.drop_table("pool_fact")
