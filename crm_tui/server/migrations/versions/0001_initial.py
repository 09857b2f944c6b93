"""The server schema of the first release (what `create_all` made, with schema_version 1).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here on purpose: later model changes get their own revision, never an edit here.
_STR = sa.String()
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", _STR, primary_key=True),
        sa.Column("name", _STR, nullable=False),
        sa.Column("email", _STR, nullable=True),
        sa.Column("role", _STR, nullable=False),
        sa.Column("team_id", _STR, nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_account_name", "account", ["name"], unique=True)
    op.create_table(
        "enrolment",
        sa.Column("code_hash", _STR, primary_key=True),
        sa.Column("user_id", _STR, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
    )
    op.create_index("ix_enrolment_user_id", "enrolment", ["user_id"])
    op.create_table(
        "device",
        sa.Column("id", _STR, primary_key=True),
        sa.Column("user_id", _STR, nullable=False),
        sa.Column("name", _STR, nullable=False),
        sa.Column("token_hash", _STR, nullable=False),
        sa.Column("last_client_seq", sa.Integer(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("last_seen_at", _WHEN, nullable=True),
    )
    op.create_index("ix_device_token_hash", "device", ["token_hash"], unique=True)
    op.create_index("ix_device_user_id", "device", ["user_id"])
    op.create_table(
        "applied_mutation",
        sa.Column("device_id", _STR, primary_key=True),
        sa.Column("client_seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("mutation_id", _STR, nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )
    op.create_index("ix_applied_mutation_mutation_id", "applied_mutation", ["mutation_id"])
    op.create_table(
        "record",
        sa.Column("id", _STR, primary_key=True),
        sa.Column("entity", _STR, nullable=False),
        sa.Column("owner_id", _STR, nullable=True),
        sa.Column("partition", _STR, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("field_hlc", sa.Text(), nullable=False),
        sa.Column("field_version", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("updated_by", _STR, nullable=True),
    )
    op.create_index("ix_record_entity", "record", ["entity"])
    op.create_table(
        "change_log",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("partition", _STR, nullable=False),
        sa.Column("entity", _STR, nullable=False),
        sa.Column("row_id", _STR, nullable=False),
        sa.Column("op", _STR, nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
    )
    op.create_index("ix_change_log_row_id", "change_log", ["row_id"])
    op.create_index("ix_change_log_partition_seq", "change_log", ["partition", "seq"])
    op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "customer_key",
        sa.Column("key", _STR, primary_key=True),
        sa.Column("row_id", _STR, primary_key=True),
        sa.Column("owner_id", _STR, nullable=True),
    )
    op.create_table(
        "server_meta",
        sa.Column("key", _STR, primary_key=True),
        sa.Column("value", _STR, nullable=False),
    )
    op.bulk_insert(
        sa.table("change_counter", sa.column("id", sa.Integer), sa.column("value", sa.BigInteger)),
        [{"id": 1, "value": 0}],
    )
    op.bulk_insert(
        sa.table("server_meta", sa.column("key", sa.String), sa.column("value", sa.String)),
        [{"key": "schema_version", "value": "1"}],
    )


def downgrade() -> None:
    for name in (
        "server_meta",
        "customer_key",
        "change_counter",
        "change_log",
        "record",
        "applied_mutation",
        "device",
        "enrolment",
        "account",
    ):
        op.drop_table(name)
