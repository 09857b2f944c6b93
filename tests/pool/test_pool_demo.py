"""The demo has the pool, its rules, this month's team targets and visit check-ins, as local
seed data (nothing to sync or undo), and `crm pool` / `crm targets` / `crm visits` show them."""

from __future__ import annotations

import sqlite3


def test_demo_has_a_pool_targets_and_check_ins(crm, db_path) -> None:
    result = crm("demo", "--customers", "60", "--no-open")
    assert result.exit_code == 0, result.stdout
    assert "customers in the pool" in result.stdout and "visit check-ins" in result.stdout
    with sqlite3.connect(db_path) as conn:
        count = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        pooled = count(
            "SELECT count(*) FROM customer WHERE owner_id IS NULL AND pool_since IS NOT NULL"
        )
        assert pooled > 0
        assert count("SELECT count(*) FROM pool_rule") == 2
        assert count("SELECT count(*) FROM target WHERE user_id IS NULL") == 1
        assert count("SELECT count(*) FROM checkin") > 0
        assert count("SELECT count(*) FROM outbox") == 0
    listed = crm("pool", "--limit", "500", "--format", "csv")
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == pooled + 1
    shown = crm("targets")
    assert "Amount won" in shown.stdout and "%" in shown.stdout
    assert crm("visits", "--days", "30").exit_code == 0
