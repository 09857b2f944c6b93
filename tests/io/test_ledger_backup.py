"""hledger journal export, and backup/restore of the whole local database."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess

import pytest

from crm_tui.io.backup import BackupError, read_backup, restore_backup, write_backup
from crm_tui.io.ledger import export_ledger
from crm_tui.storage.database import open_database


def _claims(db) -> None:
    acme = db.repos.customers.create({"name": "Acme, Ltd: 北京"})
    db.repos.expenses.create(
        {
            "spent_on": "2026-11-20",
            "amount": "120.50",
            "category": "travel",
            "description": "Taxi; to client",
            "customer_id": acme.id,
        }
    )
    meals = db.repos.expenses.create(
        {
            "spent_on": "2026-11-21",
            "amount": "USD 30",
            "category": "meals",
            "description": "Lunch | demo",
        }
    )
    db.repos.expenses.submit(meals.id)
    db.repos.expenses.create({"spent_on": "2026-11-22", "amount": "88", "category": "gifts"})


def test_ledger_lists_claims_by_category_with_customer_and_status_tags(db) -> None:
    _claims(db)
    out = io.StringIO()
    assert export_ledger(db, out) == 3
    journal = out.getvalue()
    assert "2026-11-20 Taxi to client  ; customer:Acme Ltd 北京, status:draft" in journal
    assert "2026-11-21 ! Lunch demo" in journal
    assert "expenses:travel" in journal and "CNY 120.50" in journal and "USD 30.00" in journal
    assert journal.count("liabilities:reimbursable") == 3


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed")
def test_hledger_reads_the_journal_and_balances_it(db, tmp_path) -> None:
    _claims(db)
    path = tmp_path / "claims.journal"
    with path.open("w", encoding="utf-8") as fh:
        export_ledger(db, fh)
    run = subprocess.run(
        ["hledger", "-f", str(path), "balance", "--flat", "-O", "csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert '"expenses:travel","CNY 120.50"' in lines
    assert '"expenses:gifts","CNY 88.00"' in lines
    assert '"expenses:meals","USD 30.00"' in lines
    tagged = subprocess.run(
        ["hledger", "-f", str(path), "register", "tag:status=submitted"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert tagged.returncode == 0 and "USD 30.00" in tagged.stdout
    assert "CNY" not in tagged.stdout


def _tables(path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'search_fts%'"
                " AND name NOT IN ('schema_migrations', 'search_epoch')"
            )
        ]
        return {n: conn.execute(f'SELECT * FROM "{n}"').fetchall() for n in names}
    finally:
        conn.close()


def _fill(db) -> None:
    _claims(db)
    c = db.repos.customers.create({"name": "张伟贸易", "city": "上海"})
    db.repos.contacts.create({"customer_id": c.id, "name": "李娜"})
    gone = db.repos.customers.create({"name": "Gone Ltd"})
    db.repos.customers.delete(gone.id)  # a tombstone
    db.set_state("cursor", "42")
    with db.transaction() as s:
        s.connection().exec_driver_sql(
            "INSERT INTO conflict(entity, row_id, field, losing_value, at) "
            "VALUES ('customer', ?, 'city', '\"北京\"', '2026-11-23')",
            (c.id,),
        )


def test_backup_then_restore_gives_back_every_table_row_for_row(db, tmp_path) -> None:
    _fill(db)
    backup = tmp_path / "backup.json"
    counts = write_backup(db.path, backup)
    assert counts["outbox"] == db.pending_changes() and counts["conflict"] == 1
    restored = tmp_path / "restored.db"
    restore_backup(backup, restored)
    assert _tables(restored) == _tables(db.path)
    again = open_database(restored, db.clock)
    assert [c.name for c in again.repos.customers.search("伟贸")] == ["张伟贸易"]
    assert [c.name for c in again.repos.contacts.search("李娜")] == ["李娜"]
    assert (
        again.repos.customers.get(
            next(r[0] for r in _tables(restored)["customer"] if r[8] == "Gone Ltd")
        )
        is None
    )
    assert again.state("cursor") == "42" and again.device_id == db.device_id
    again.repos.customers.create({"name": "after restore"})  # outbox counter carries on
    again.close()


def test_restore_refuses_a_database_with_records_unless_forced(db, tmp_path) -> None:
    _fill(db)
    backup = tmp_path / "backup.json"
    write_backup(db.path, backup)
    other = open_database(tmp_path / "other.db", db.clock)
    other.repos.customers.create({"name": "Mine"})
    other.close()
    with pytest.raises(BackupError, match="already holds records"):
        restore_backup(backup, tmp_path / "other.db")
    assert [r[8] for r in _tables(tmp_path / "other.db")["customer"]] == ["Mine"]
    restore_backup(backup, tmp_path / "other.db", force=True)
    assert _tables(tmp_path / "other.db") == _tables(db.path)


def test_a_damaged_or_foreign_backup_is_refused_before_anything_changes(db, tmp_path) -> None:
    _fill(db)
    backup = tmp_path / "backup.json"
    write_backup(db.path, backup)
    data = json.loads(backup.read_text("utf-8"))
    data["tables"]["customer"]["rows"][0][8] = "tampered"
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(data), "utf-8")
    target = tmp_path / "t.db"
    with pytest.raises(BackupError, match="checksum"):
        restore_backup(damaged, target)
    for content, message in [
        ("{}", "not a crm backup"),
        ("not json", "not JSON"),
        (json.dumps(data | {"format_version": 99}), "format 99"),
    ]:
        bad = tmp_path / "bad.json"
        bad.write_text(content, "utf-8")
        with pytest.raises(BackupError, match=message):
            read_backup(bad)


def test_a_backup_from_a_newer_crm_is_refused(db, tmp_path) -> None:
    import hashlib

    backup = tmp_path / "backup.json"
    write_backup(db.path, backup)
    data = json.loads(backup.read_text("utf-8"))
    data["schema_version"] = 9999
    backup.write_text(json.dumps(data), "utf-8")
    assert hashlib  # checksum covers tables only, so this file still verifies
    with pytest.raises(BackupError, match="newer crm"):
        restore_backup(backup, tmp_path / "t.db")


def test_restore_is_all_or_nothing(db, tmp_path) -> None:
    _fill(db)
    backup = tmp_path / "backup.json"
    write_backup(db.path, backup)
    data = json.loads(backup.read_text("utf-8"))
    # A contact whose company is missing breaks a foreign key at the very end.
    data["tables"]["customer"]["rows"] = [
        r for r in data["tables"]["customer"]["rows"] if r[8] != "张伟贸易"
    ]
    from crm_tui.io.backup import _digest

    data["checksum"] = "sha256:" + _digest(data["tables"])
    backup.write_text(json.dumps(data), "utf-8")
    target = tmp_path / "t.db"
    keep = open_database(target, db.clock)
    keep.repos.customers.create({"name": "Mine"})
    keep.close()
    before = _tables(target)
    with pytest.raises(BackupError, match="nothing was changed"):
        restore_backup(backup, target, force=True)
    assert _tables(target) == before


def test_knowledge_articles_are_found_again_after_a_restore(db, tmp_path) -> None:
    from crm_tui.services import kb
    from crm_tui.services.book import Book

    kb.write_article(Book(db), "报销流程", "出差报销需要发票原件", category="财务")
    kb.ask(Book(db), "合同模板在哪里", "找不到最新的合同模板")
    backup = tmp_path / "backup.json"
    write_backup(db.path, backup)
    restored = tmp_path / "restored.db"
    restore_backup(backup, restored)
    again = Book(open_database(restored, db.clock))
    try:
        hits = kb.search(again, "发票")
        assert [a.title for a in hits.articles] == ["报销流程"]
        assert [q.title for q in kb.search(again, "模板").questions] == ["合同模板在哪里"]
    finally:
        again.close()
