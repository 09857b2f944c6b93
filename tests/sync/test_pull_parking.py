"""Pulled rows whose parent has not reached the laptop yet wait, invisible, until it does
(storage/pull_store.py), without a server: pages are built by hand."""

from __future__ import annotations

from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.storage import pull_store
from crm_tui.storage.database import new_id, open_database
from crm_tui.sync.client import WireChange

STAMP = "2026-11-20T09:30:00.000000Z"
HLC = "0001795446410905-000000-server"


def _upsert(seq: int, entity: str, row_id: str, **fields) -> WireChange:  # noqa: ANN003
    data = {
        "fields": fields,
        "owner_id": "u-1",
        "deleted": False,
        "field_hlc": dict.fromkeys(fields, HLC),
        "created_at": STAMP,
        "updated_at": STAMP,
        "version": seq,
    }
    return WireChange(seq, entity, row_id, "upsert", data)


def test_a_child_waits_for_its_parent_and_then_appears_searchable(tmp_path: Path) -> None:
    db = open_database(tmp_path / "lap.db", Clock())
    customer, contact, call = new_id(), new_id(), new_id()
    first = [
        _upsert(3, "contact", contact, customer_id=customer, name="Wang Fang"),
        _upsert(4, "activity", call, customer_id=customer, contact_id=contact, subject="call"),
    ]
    assert pull_store.apply_page(db, first, 4) == 0
    assert pull_store.parked_count(db) == 2 and pull_store.cursor_of(db) == 4
    from crm_tui.storage import parking

    waiting = parking.listing(db.engine)
    assert {(p.row_id, p.waits_for) for p in waiting} == {(contact, customer), (call, customer)}
    assert all("not on this laptop yet" in p.reason for p in waiting)
    assert db.repos.contacts.get(contact) is None and db.repos.activities.get(call) is None
    # a newer version of a parked row replaces the parked one
    newer = [_upsert(5, "contact", contact, customer_id=customer, name="Wang Fang (CFO)")]
    assert pull_store.apply_page(db, newer, 5) == 0 and pull_store.parked_count(db) == 2
    parent = [_upsert(9, "customer", customer, name="东方机械", city="Ningbo")]
    assert pull_store.apply_page(db, parent, 9) == 3
    assert pull_store.parked_count(db) == 0
    assert db.repos.contacts.require(contact).name == "Wang Fang (CFO)"
    assert db.repos.activities.require(call).contact_id == contact
    assert db.repos.customers.require(customer).sort_key == "dong fang ji xie"
    assert [c.id for c in db.repos.contacts.search("东方")] == [contact]  # company indexed
    assert [c.id for c in db.repos.customers.search("Ningbo")] == [customer]
    db.close()


def test_wire_datetimes_are_stored_as_sqlalchemy_writes_them() -> None:
    assert pull_store.stored_datetime("2026-11-20T09:30:00.123456Z") == "2026-11-20 09:30:00.123456"
    assert pull_store.stored_datetime("2026-11-20T09:30:00Z") == "2026-11-20 09:30:00.000000"
    assert pull_store.stored_datetime("2026-11-20T17:30:00+08:00") == "2026-11-20 09:30:00.000000"


def test_a_row_that_cannot_be_stored_is_parked_with_its_reason_and_retried(
    tmp_path: Path,
) -> None:
    """Issue 14: an amount past SQLite's INTEGER range (OverflowError) must not stop a pull."""
    from crm_tui.storage import parking

    db = open_database(tmp_path / "lap.db", Clock())
    before, bad, after = new_id(), new_id(), new_id()
    page = [
        _upsert(1, "customer", before, name="Before Co"),
        _upsert(2, "expense", bad, spent_on="2026-11-20", amount=10**30, category="travel"),
        _upsert(3, "customer", after, name="After Co"),
    ]
    assert pull_store.apply_page(db, page, 3) == 2
    assert pull_store.cursor_of(db) == 3  # the cursor moved past the bad row
    assert db.repos.customers.get(before) and db.repos.customers.get(after)
    assert db.repos.expenses.get(bad) is None
    [row] = parking.listing(db.engine)
    assert (row.entity, row.row_id, row.seq) == ("expense", bad, 2)
    assert "OverflowError" in row.reason and row.waits_for is None
    # the next sync tries it again: still bad, still parked, nothing else disturbed
    assert pull_store.retry_parked(db) == 0 and pull_store.parked_count(db) == 1
    # a later, storable version of the row replaces the parked one
    fixed = [_upsert(7, "expense", bad, spent_on="2026-11-20", amount=12_300, category="travel")]
    assert pull_store.apply_page(db, fixed, 7) == 1
    assert pull_store.parked_count(db) == 0 and db.repos.expenses.require(bad).amount == 12_300
    db.close()


def test_a_bad_date_is_parked_and_the_good_rows_of_its_page_are_kept(tmp_path: Path) -> None:
    from crm_tui.storage import parking

    db = open_database(tmp_path / "lap.db", Clock())
    ok, bad = new_id(), new_id()
    page = [
        _upsert(4, "customer", ok, name="Fine Co"),
        _upsert(5, "customer", bad, name="Odd Co"),
    ]
    page[1].data["created_at"] = "the 31st of Smarch"
    assert pull_store.apply_page(db, page, 5) == 1
    assert [r.row_id for r in parking.listing(db.engine)] == [bad]
    assert db.repos.customers.get(ok) is not None and pull_store.cursor_of(db) == 5
    db.close()


def test_a_bad_row_with_a_pending_local_edit_is_parked_too(tmp_path: Path) -> None:
    """The single (ORM) path: a row this laptop has edited goes through apply_remote."""
    from crm_tui.storage import parking

    db = open_database(tmp_path / "lap.db", Clock())
    claim = new_id()
    first = [_upsert(1, "expense", claim, spent_on="2026-11-20", amount=100, category="travel")]
    assert pull_store.apply_page(db, first, 1) == 1
    db.repos.expenses.update(claim, {"description": "taxi"})  # pending, not pushed yet
    ok = new_id()
    bad = [
        _upsert(2, "expense", claim, spent_on="2026-11-20", amount=10**30, category="travel"),
        _upsert(3, "customer", ok, name="Still Fine Co"),
    ]
    assert pull_store.apply_page(db, bad, 3) == 1
    [row] = parking.listing(db.engine)
    assert row.row_id == claim and "Overflow" in row.reason
    kept = db.repos.expenses.require(claim)
    assert (kept.amount, kept.description) == (100, "taxi")  # the local edit is untouched
    assert db.pending_changes() == 1 and pull_store.cursor_of(db) == 3
    db.close()


def test_a_version_only_echo_ratchets_the_version_and_nothing_else(tmp_path: Path) -> None:
    """CONTRACT-21: this laptop's own unchanged write comes back as op 'version'."""
    db = open_database(tmp_path / "lap.db", Clock())
    cid, stranger = new_id(), new_id()
    assert pull_store.apply_page(db, [_upsert(1, "customer", cid, name="Echo Co")], 1) == 1
    db.repos.customers.update(cid, {"city": "Hefei"})  # pushed; the server kept it as sent
    before = db.repos.customers.require(cid)
    page = [
        WireChange(6, "customer", cid, "version", {"version": 6}),
        WireChange(7, "customer", stranger, "version", {"version": 7}),  # not here: ignored
    ]
    pull_store.apply_page(db, page, 7)
    after = db.repos.customers.require(cid)
    assert after.server_version == 6 and pull_store.cursor_of(db) == 7
    assert (after.city, after.field_hlc, after.name) == (before.city, before.field_hlc, "Echo Co")
    assert db.repos.customers.get(stranger, include_deleted=True) is None
    assert [c.id for c in db.repos.customers.search("Hefei")] == [cid]
    pull_store.apply_page(db, [WireChange(4, "customer", cid, "version", {"version": 4})], 7)
    assert db.repos.customers.require(cid).server_version == 6  # never goes back
    db.close()
