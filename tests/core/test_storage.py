"""Repositories: every change lands with its outbox row and undo entry, or not at all."""

from __future__ import annotations

import json
import sqlite3

import pytest

from crm_tui.domain.field_clocks import clock_of
from crm_tui.domain.fields import ValidationErrors
from crm_tui.domain.hlc import Timestamp
from crm_tui.storage.repository import NotFound


def _outbox(db) -> list[dict]:
    return db.outbox_rows()


def test_create_writes_the_record_and_its_outbox_row_together(db) -> None:
    rec = db.repos.customers.create({"name": "上海钢管有限公司", "city": "上海", "grade": "a"})
    assert len(rec.id) == 36 and rec.id[14] == "7"  # a UUIDv7 made on this laptop
    (row,) = _outbox(db)
    assert row["kind"] == "create" and row["row_id"] == rec.id
    assert row["payload"]["name"] == "上海钢管有限公司" and row["payload"]["grade"] == "A"
    clocks = json.loads(rec.field_hlc)
    assert clock_of(clocks, "name") == row["hlc"]


def test_a_refused_change_leaves_nothing_behind(db) -> None:
    with pytest.raises(ValidationErrors):
        db.repos.customers.create({"name": "X", "email": "not-an-email"})
    with pytest.raises(ValidationErrors):
        db.repos.contacts.create({"name": "张伟", "customer_id": "no-such-customer"})
    assert db.repos.customers.count() == 0 and _outbox(db) == []


def test_update_sends_only_changed_fields_with_newer_clocks(db) -> None:
    rec = db.repos.customers.create({"name": "Acme", "city": "London"})
    before = json.loads(rec.field_hlc)
    db.repos.customers.update(rec.id, {"city": "Paris", "name": "Acme"})
    after = json.loads(db.repos.customers.require(rec.id).field_hlc)
    patch = _outbox(db)[-1]
    assert patch["kind"] == "patch" and patch["payload"] == {"city": "Paris"}
    assert Timestamp.decode(clock_of(after, "city")) > Timestamp.decode(clock_of(before, "city"))
    assert clock_of(after, "name") == clock_of(before, "name")


def test_no_op_update_queues_nothing(db) -> None:
    rec = db.repos.customers.create({"name": "Acme", "city": "London"})
    db.repos.customers.update(rec.id, {"city": "London"})
    assert len(_outbox(db)) == 1


def test_delete_is_a_tombstone_and_restore_brings_it_back(db) -> None:
    rec = db.repos.customers.create({"name": "Acme"})
    db.repos.contacts.create({"name": "Jane", "customer_id": rec.id})
    db.repos.customers.delete(rec.id)
    assert db.repos.customers.get(rec.id) is None
    assert db.repos.customers.get(rec.id, include_deleted=True).deleted
    assert db.repos.contacts.count() == 0  # contacts go with their company
    assert db.repos.customers.search("Acme") == []
    db.repos.customers.restore(rec.id)
    assert [c.name for c in db.repos.customers.search("acm")] == ["Acme"]
    assert db.repos.contacts.count() == 1  # and come back with it
    kinds = [r["kind"] for r in _outbox(db)]
    assert kinds == ["create", "create", "delete", "delete", "restore", "restore"]


def test_done_closes_and_schedules_the_next_in_one_go(db, clock) -> None:
    cust = db.repos.customers.create({"name": "Acme"})
    act = db.repos.activities.create(
        {"customer_id": cust.id, "subject": "Call", "due_at": "today 15:00"}
    )
    closed, nxt = db.repos.activities.done(
        act.id, outcome="wants a quote", next_due="+7d", next_subject="Send quote"
    )
    assert closed.done_at == clock.now() and closed.outcome == "wants a quote"
    assert nxt is not None and nxt.subject == "Send quote" and nxt.all_day
    assert clock.to_local(nxt.due_at).date().isoformat() == "2026-11-30"
    assert clock.to_local(nxt.remind_at).hour == 9  # all-day: reminded at 09:00
    with pytest.raises(ValidationErrors):
        db.repos.activities.done(act.id)


def test_bad_next_date_keeps_the_follow_up_open(db) -> None:
    cust = db.repos.customers.create({"name": "Acme"})
    act = db.repos.activities.create({"customer_id": cust.id, "subject": "Call"})
    with pytest.raises(ValidationErrors):
        db.repos.activities.done(act.id, next_due="someday")
    assert db.repos.activities.require(act.id).done_at is None


def test_stage_moves_follow_the_rules(db, clock) -> None:
    cust = db.repos.customers.create({"name": "Acme"})
    opp = db.repos.opportunities.create({"customer_id": cust.id, "title": "Pumps", "amount": "5万"})
    assert opp.probability == 10 and opp.amount == 5_000_000
    assert db.repos.opportunities.move(opp.id, 2).probability == 50
    with pytest.raises(ValidationErrors) as caught:
        db.repos.opportunities.move(opp.id, 9)  # lost needs a reason
    assert "lost_reason" in caught.value.by_field()
    lost = db.repos.opportunities.move(opp.id, 9, lost_reason="price")
    assert lost.stage == "lost" and lost.closed_on == clock.today()
    back = db.repos.opportunities.move(lost.id, -2)
    assert back.stage == "negotiation" and back.closed_on is None and back.lost_reason is None


def test_submitted_claims_are_locked_and_status_needs_a_command(db) -> None:
    claim = db.repos.expenses.create(
        {"spent_on": "yesterday", "amount": "88.50", "category": "meals"}
    )
    with pytest.raises(ValidationErrors):
        db.repos.expenses.update(claim.id, {"status": "approved"})
    db.repos.expenses.submit(claim.id)
    with pytest.raises(ValidationErrors) as caught:
        db.repos.expenses.update(claim.id, {"amount": "1"})
    assert "locked" in caught.value.by_field()["status"]
    with pytest.raises(ValidationErrors):
        db.repos.expenses.approve(claim.id)  # a rep cannot approve
    assert _outbox(db)[-1]["kind"] == "command"
    db.repos.expenses.withdraw(claim.id)
    assert db.repos.expenses.update(claim.id, {"amount": "90"}).amount == 9000


def test_undo_reverts_the_last_change_as_a_new_change(db) -> None:
    cust = db.repos.customers.create({"name": "Acme", "city": "London"})
    db.repos.customers.update(cust.id, {"city": "Paris"})
    assert db.repos.undo_last("customer") == "undid edited customer 'Acme'"
    assert db.repos.customers.require(cust.id).city == "London"
    assert _outbox(db)[-1]["payload"] == {"city": "London"}
    assert db.repos.undo_last("customer") == "undid added customer 'Acme'"
    assert db.repos.customers.get(cust.id) is None
    assert db.repos.undo_last("customer") is None


def test_resolve_by_prefix_and_title(db) -> None:
    a = db.repos.customers.create({"name": "Acme"})
    assert db.repos.customers.resolve(a.id[:30]).id == a.id
    assert db.repos.customers.resolve("Acme").id == a.id
    with pytest.raises(NotFound):
        db.repos.customers.resolve("Nobody")


def test_engine_uses_wal_foreign_keys_and_a_busy_timeout(db) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_a_second_writer_waits_instead_of_failing(db) -> None:
    other = sqlite3.connect(db.path, timeout=5, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO sync_state VALUES ('x', 'y')")
    import threading

    threading.Timer(0.3, other.commit).start()
    rec = db.repos.customers.create({"name": "Waited"})  # blocks ~0.3 s, then succeeds
    assert db.repos.customers.require(rec.id).name == "Waited"
    other.close()


def test_hlc_survives_reopen_and_never_goes_back(tmp_path, clock) -> None:
    from crm_tui.storage.database import open_database

    first = open_database(tmp_path / "a.db", clock)
    rec = first.repos.customers.create({"name": "A"})
    stamp = Timestamp.decode(clock_of(json.loads(rec.field_hlc), "name"))
    first.close()
    clock.advance(-__import__("datetime").timedelta(days=1))  # the wall clock jumps back
    again = open_database(tmp_path / "a.db", clock)
    rec2 = again.repos.customers.create({"name": "B"})
    assert Timestamp.decode(clock_of(json.loads(rec2.field_hlc), "name")) > stamp
    assert again.device_id == first.device_id


def test_renumbering_the_outbox_keeps_the_order_and_restarts_at_one(db) -> None:
    """A laptop re-registered as a new device (restored backup) numbers its changes 1..n."""
    from crm_tui.storage import outbox

    cid = db.repos.customers.create({"name": "Renumber Co"}).id
    for city in ("Hefei", "Wuhu", "Anqing"):
        db.repos.customers.update(cid, {"city": city})
    with db.transaction() as s:  # the first two were pushed and answered
        outbox.drop(s, [r["client_seq"] for r in db.outbox_rows()[:2]])
    before = [(r["mutation_id"], r["payload"]) for r in db.outbox_rows()]
    with db.transaction() as s:
        assert outbox.renumber(s) == 2
    after = db.outbox_rows()
    assert [r["client_seq"] for r in after] == [1, 2]
    assert [(r["mutation_id"], r["payload"]) for r in after] == before
    assert outbox.spent_client_seq(db.engine) == 0
    db.repos.customers.update(cid, {"city": "Bengbu"})
    assert [r["client_seq"] for r in db.outbox_rows()] == [1, 2, 3]


def test_the_sync_status_is_counts_and_settings(db) -> None:
    """The status line's 5 s call: counts only (services.sync.status)."""
    from crm_tui.services import sync as sync_service
    from crm_tui.services.book import Book

    book = Book(db)
    assert sync_service.status(book) == sync_service.SyncStatus(
        pending=0,
        conflicts=0,
        parked=0,
        last_sync_at=None,
        last_error=None,
        online=None,
        signed_in=False,
        user_name=None,
        server_url=None,
    )
    db.repos.customers.create({"name": "Status Co"})
    with db.transaction() as s:
        for field in ("city", "notes"):
            s.connection().exec_driver_sql(
                "INSERT INTO conflict(entity, row_id, field, kind, at) "
                "VALUES ('customer', 'x', ?, 'deleted', '2026-11-20')",
                (field,),
            )
    db.set_state("online", "0")
    got = sync_service.status(book)
    assert (got.pending, got.conflicts, got.parked, got.online) == (1, 2, 0, False)
    assert sync_service.conflict_count(book) == 2 and sync_service.pending_count(book) == 1


def _customer_indexes(db) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customer' "
            "AND sql IS NOT NULL ORDER BY name"
        ).fetchall()


def test_a_big_bulk_write_rebuilds_the_indexes_it_dropped(db) -> None:
    from crm_tui.storage.bulk import DEFER_INDEXES_FROM, BulkWriter
    from crm_tui.storage.ids import new_id

    before = _customer_indexes(db)
    assert len(before) > 3
    with db.transaction() as s:
        writer = BulkWriter(db, s, "customer")
        for i in range(DEFER_INDEXES_FROM):
            writer.add(writer.prepare({"name": f"客户 {i}", "city": "北京"}, new_id()))
        assert writer.flush() == DEFER_INDEXES_FROM
    assert _customer_indexes(db) == before
    with db.engine.connect() as conn:
        # The rebuilt indexes hold every row (integrity_check compares them with the table).
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert len(_outbox(db)) == DEFER_INDEXES_FROM


def test_a_big_bulk_write_rolled_back_keeps_the_indexes(db) -> None:
    from crm_tui.storage.bulk import DEFER_INDEXES_FROM, BulkWriter
    from crm_tui.storage.ids import new_id

    before = _customer_indexes(db)
    with pytest.raises(RuntimeError), db.transaction() as s:
        writer = BulkWriter(db, s, "customer")
        for i in range(DEFER_INDEXES_FROM):
            writer.add(writer.prepare({"name": f"c{i}"}, new_id()))
        writer.flush()
        raise RuntimeError("the import is cancelled")
    assert _customer_indexes(db) == before
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM customer").scalar() == 0
