"""Issue 14, laptop side, against a real `crm server`: a pulled row this laptop cannot store
never stops a sync. The bad value is written into the server's change log behind its back
(the server now refuses it on push), as a server of an older release would have kept it."""

from __future__ import annotations

import json
import sqlite3

from crm_tui.services import sync as sync_service
from crm_tui.services.book import Book
from crm_tui.storage import pull_store


def _poison(server, row_id: str, **fields) -> None:  # noqa: ANN001, ANN003
    """Overwrite the stored snapshots of `row_id` in the server's change log."""
    path = server.database_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, timeout=10)
    try:
        rows = conn.execute(
            "SELECT seq, data FROM change_log WHERE row_id = ?", (row_id,)
        ).fetchall()
        assert rows, "the row is not in the change log"
        for seq, data in rows:
            snapshot = json.loads(data)
            snapshot["fields"].update(fields)
            conn.execute(
                "UPDATE change_log SET data = ? WHERE seq = ?", (json.dumps(snapshot), seq)
            )
        conn.commit()
    finally:
        conn.close()


def test_a_managers_sync_completes_past_a_row_it_cannot_store(laptop, server) -> None:
    rep = laptop()
    boss = laptop("manager")
    before = rep.db.repos.customers.create({"name": "Before Poison Co"}).id
    claim = rep.db.repos.expenses.create(
        {"spent_on": "2026-11-20", "amount": "123.00", "category": "travel"}
    ).id
    rep.sync()
    _poison(server, claim, amount=10**30)  # a JSON integer past SQLite's INTEGER
    after = rep.db.repos.customers.create({"name": "After Poison Co"}).id
    rep.sync()

    report = boss.sync()  # used to fail for good: OverflowError, cursor stuck
    assert report.parked == 1 and "parked" in report.summary()
    assert boss.row("customer", before) and boss.row("customer", after)
    assert boss.row("expense", claim) is None
    book = Book(boss.db)
    [parked] = sync_service.parked(book)
    assert parked.entity == "expense" and parked.row_id == claim
    assert "OverflowError" in parked.reason
    assert sync_service.status(book).parked == 1
    cursor = pull_store.cursor_of(boss.db)
    assert cursor > 0

    # The next sync retries the parked row (still bad: still parked) and moves on.
    later = rep.db.repos.customers.create({"name": "Later Co"}).id
    rep.sync()
    again = boss.sync()
    assert again.parked == 1 and boss.row("customer", later) is not None
    assert pull_store.cursor_of(boss.db) > cursor

    # Once the row is fixed on the server (a new, storable edit), it arrives and unparks.
    rep.db.repos.expenses.update(claim, {"amount": "99.00"})
    rep.sync()
    boss.sync()
    assert boss.row("expense", claim)["amount"] == 9900
    assert sync_service.parked(book) == [] and sync_service.status(book).parked == 0


def test_a_follow_up_due_in_year_one_or_9999_does_not_stop_a_sync(laptop, server) -> None:
    rep = laptop()
    boss = laptop("manager")
    customer = rep.db.repos.customers.create({"name": "Edge Dates Co"}).id
    early = rep.db.repos.activities.create({"customer_id": customer, "subject": "early"}).id
    late = rep.db.repos.activities.create({"customer_id": customer, "subject": "late"}).id
    rep.sync()
    _poison(server, early, due_at="0001-01-01T00:00:00.000000Z")
    _poison(server, late, due_at="9999-12-31T23:59:59.999999Z")
    boss.sync()  # completes whether or not these dates can be kept
    assert boss.row("customer", customer) is not None
    parked = {p.row_id for p in sync_service.parked(Book(boss.db))}
    for row_id in (early, late):  # each is either stored or parked with a reason, never lost
        assert boss.row("activity", row_id) is not None or row_id in parked
