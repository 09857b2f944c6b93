"""The demo generator: realistic, deterministic, and fast enough for 100k customers."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from crm_tui.demo import generate
from crm_tui.storage.database import open_database


def _rows(path, sql):
    return sqlite3.connect(path).execute(sql).fetchall()


def test_same_seed_same_data(tmp_path, clock) -> None:
    generate(tmp_path / "a.db", customers=60, seed=3, clock=clock)
    generate(tmp_path / "b.db", customers=60, seed=3, clock=clock)
    generate(tmp_path / "c.db", customers=60, seed=4, clock=clock)
    sql = "SELECT id, name, city FROM customer ORDER BY id"
    assert _rows(tmp_path / "a.db", sql) == _rows(tmp_path / "b.db", sql)
    assert _rows(tmp_path / "a.db", sql) != _rows(tmp_path / "c.db", sql)


def test_demo_book_has_what_the_desk_needs(tmp_path, clock) -> None:
    path = tmp_path / "demo.db"
    summary = generate(path, customers=200, seed=7, clock=clock)
    assert summary.customers == 200 and summary.activities == 2000
    stages = {r[0] for r in _rows(path, "SELECT DISTINCT stage FROM opportunity")}
    assert stages == {"lead", "qualified", "proposal", "negotiation", "won", "lost"}
    statuses = {r[0] for r in _rows(path, "SELECT DISTINCT status FROM expense")}
    assert statuses == {"draft", "submitted", "approved", "rejected", "reimbursed"}
    names = [r[0] for r in _rows(path, "SELECT name FROM customer")]
    assert any("有限公司" in n for n in names) and any(n.isascii() for n in names)
    week = [(clock.today() + timedelta(days=i)).strftime("%m-%d") for i in range(7)]
    marks = ",".join(f"'{d}'" for d in week)
    birthdays = _rows(path, f"SELECT count(*) FROM contact WHERE birthday_md IN ({marks})")
    assert birthdays[0][0] >= 1
    now = clock.now().strftime("%Y-%m-%d %H:%M:%S")
    overdue = _rows(
        path, f"SELECT count(*) FROM activity WHERE done_at IS NULL AND due_at < '{now}'"
    )[0][0]
    upcoming = _rows(path, f"SELECT count(*) FROM activity WHERE due_at > '{now}'")[0][0]
    assert overdue > 0 and upcoming > 0


def test_demo_rows_work_with_the_repositories(tmp_path, clock) -> None:
    path = tmp_path / "demo.db"
    generate(path, customers=50, seed=1, clock=clock)
    db = open_database(path, clock)
    first = db.repos.customers.page(limit=1)[0]
    found = db.repos.customers.search(first.name[:2])
    assert first.id in {c.id for c in found}
    db.repos.customers.update(first.id, {"city": "杭州"})
    assert db.pending_changes() == 1  # seed data is not queued; the rep's edit is
    db.close()


def test_crm_demo_no_open_writes_the_database(crm, db_path) -> None:
    result = crm("demo", "--customers", "30", "--no-open")
    assert result.exit_code == 0
    assert _rows(db_path, "SELECT count(*) FROM customer")[0][0] == 30


def test_crm_demo_reuses_todays_file_unless_fresh(crm, db_path) -> None:
    assert crm("demo", "--customers", "20", "--no-open").exit_code == 0
    crm("add", "customer", "Tried it out")
    again = crm("demo", "--customers", "20", "--no-open")
    assert "today's demo data" in again.stdout
    assert _rows(db_path, "SELECT count(*) FROM customer")[0][0] == 21
    crm("demo", "--customers", "20", "--no-open", "--fresh")
    assert _rows(db_path, "SELECT count(*) FROM customer")[0][0] == 20
    crm("demo", "--customers", "25", "--no-open")
    assert _rows(db_path, "SELECT count(*) FROM customer")[0][0] == 25
