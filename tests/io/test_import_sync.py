"""Through a real `crm server`: customers and contacts imported from a CSV with empty cells
sync, a teammate pulls them, and the rep's book, the teammate's book and the server hold the
same values. An import queues only the fields it has a value for (a field it leaves empty
is NULL on every side without being sent as null)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from crm_tui.io.csv_import import import_csv
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server
from tests.sync.test_stateful import server_rows

CUSTOMERS = """name,kind,status,grade,phone,email,address,city,tags,notes,birthday,website
重庆银行 Ltd,company,potential,A,138 0013 8000,a@b.cn,解放碑1号,重庆,vip key,年底有采购计划,,acme.cn
张伟,person,,,,,,,,,1980-02-03,
Acme Trading,,contacted,C,+86 10 8888 1234,,,北京,,,,
"""
CONTACTS = """customer_name,name,title,mobile,email,birthday
重庆银行 Ltd,李娜,经理,13800138000,,
Acme Trading,Ann Lee,,,ann@acme.example,1990-05-06
"""

server = sqlite_server("import")


def _book_rows(path: Path, table: str, ids: list[str], names: list[str]) -> dict[str, dict]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        marks = ",".join("?" for _ in ids)
        found = conn.execute(f'SELECT * FROM "{table}" WHERE id IN ({marks})', ids).fetchall()
    return {r["id"]: {n: r[n] for n in names} for r in found}


def test_imported_rows_with_empty_cells_sync_to_a_teammate_equal_on_every_side(
    laptop,  # noqa: F811
    server,  # noqa: F811
    tmp_path: Path,
) -> None:
    rep, boss = laptop(), laptop("manager")
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "k.csv").write_text(CONTACTS, encoding="utf-8")
    result, _plan = import_csv(rep.db, tmp_path / "c.csv", "customer")
    assert result.created == 3 and not result.rejected, result.rejected
    result, _plan = import_csv(rep.db, tmp_path / "k.csv", "contact")
    assert result.created == 2 and not result.rejected, result.rejected

    # The queued creates name every field, a cell the file left empty as null (a field
    # missing on the server would keep a lost edit in a laptop's row), and every value given.
    queued = rep.db.outbox_rows()
    assert [o["kind"] for o in queued] == ["create"] * 5
    zhang = next(o for o in queued if o["payload"].get("name") == "张伟")
    assert zhang["payload"]["birthday"] == "1980-02-03"
    assert "email" in zhang["payload"] and zhang["payload"]["email"] is None

    report = rep.sync()
    assert not report.rejected, report
    boss.sync()
    customers = {o["row_id"] for o in queued if o["entity"] == "customer"}
    contacts = [o["row_id"] for o in queued if o["entity"] == "contact"]
    spec_fields = rep.db.repos.customers.spec.field_names
    fields = [n for n in spec_fields if n in _columns(rep.path, "customer")]

    on_server = server_rows(server.database_url)
    for row_id in customers:
        mine, theirs = rep.row("customer", row_id), boss.row("customer", row_id)
        assert mine == theirs, row_id
        stored = on_server[row_id]
        assert {n: stored.get(n) for n in fields} == {n: _wire(mine[n]) for n in fields}
    # Stored alike, NULL where the file was empty (not a column default), in both books.
    mine = _book_rows(rep.path, "customer", sorted(customers), fields)
    theirs = _book_rows(boss.path, "customer", sorted(customers), fields)
    assert mine == theirs
    zhang_row = next(r for r in mine.values() if r["name"] == "张伟")
    assert zhang_row["email"] is None and zhang_row["grade"] is None
    assert zhang_row["status"] == "potential"  # the default the import gave, sent as a value
    contact_fields = [
        n for n in rep.db.repos.contacts.spec.field_names if n in _columns(rep.path, "contact")
    ]
    assert _book_rows(rep.path, "contact", contacts, contact_fields) == _book_rows(
        boss.path, "contact", contacts, contact_fields
    )

    # A field the import left empty is edited by the teammate and reaches the rep.
    zhang_id = next(i for i, r in mine.items() if r["name"] == "张伟")
    boss.db.repos.customers.update(zhang_id, {"email": "zw@example.cn"})
    assert not boss.sync().rejected
    rep.sync()
    assert rep.row("customer", zhang_id)["email"] == "zw@example.cn"
    assert rep.row("customer", zhang_id) == boss.row("customer", zhang_id)
    assert not rep.conflicts() and not boss.conflicts()


def _columns(path: Path, table: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


def _wire(value: Any) -> Any:
    """A laptop value as the server's JSON keeps it (dates as ISO text, yes/no as bools)."""
    from crm_tui.domain.fields import to_wire

    return json.loads(json.dumps(to_wire(value), ensure_ascii=False))


def test_an_edit_of_an_imported_empty_cell_lost_to_a_delete_leaves_no_trace(
    laptop,  # noqa: F811
    server,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Bob edits a city the file left empty while Alice deletes the company; his edit loses
    (conflict log) and, once she restores it, his book holds the server's empty city like
    everyone else's — not his lost value (the review's repro of a null-less import)."""
    alice, bob = laptop(), laptop()
    (tmp_path / "e.csv").write_text("name,city\nEpsilon GmbH,\n", encoding="utf-8")
    import_csv(alice.db, tmp_path / "e.csv", "customer")
    row_id = alice.db.outbox_rows()[0]["row_id"]
    alice.sync()
    bob.sync()
    alice.db.repos.customers.delete(row_id)
    alice.sync()
    bob.db.repos.customers.update(row_id, {"city": "成都", "notes": "bob note"})
    bob.sync()
    alice.db.repos.customers.restore(row_id)
    alice.sync()
    bob.sync()
    assert alice.row("customer", row_id)["city"] is None
    assert bob.row("customer", row_id)["city"] is None
    assert bob.row("customer", row_id)["notes"] is None
    assert bob.conflicts()  # his values are kept where a rep finds lost edits
