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
