"""An index on the customer a record points at (`customer_id` inside `record.data`), so
merging two customers finds the loser's contacts, follow-ups, deals and claims without
reading every record.

An expression index, not a column: the push path writes `data` as it is and need not keep
a second copy in step. The lookups in crud/customer_merge.py use the same expression
(SQLite `json_extract`, PostgreSQL `data::jsonb ->> 'customer_id'`) so the planner uses it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEX = "ix_record_customer_ref"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {INDEX} ON record (((data::jsonb ->> 'customer_id')))")
    else:
        op.execute(f"CREATE INDEX {INDEX} ON record (json_extract(data, '$.customer_id'))")


def downgrade() -> None:
    op.execute(f"DROP INDEX {INDEX}")
