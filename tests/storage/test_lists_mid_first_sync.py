"""A first sync cut short leaves the follow-ups' list indexes to be built by the next pull.
Meanwhile the rep's lists must still count and the customers' word search must still use
its indexes (an INDEXED BY naming a dropped index is an error, not a slower plan)."""

from __future__ import annotations

import sqlite3

from crm_tui.storage import plain_rows, pull_store
from crm_tui.storage.listing import ListSource


def _indexes(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}


def test_lists_count_while_a_first_sync_has_its_indexes_deferred(db) -> None:
    assert pull_store.begin_pull(db)  # a new laptop's first pull; then the process dies
    dropped = {"ix_activity_list_due", "ix_opportunity_list_close"}
    assert not dropped & _indexes(db.path)
    kept = {"ix_customer_live_id", "ix_customer_sort", "ix_contact_sort"}
    assert kept <= _indexes(db.path)

    acme = db.repos.customers.create({"name": "Acme 科技"}).id
    db.repos.customers.create({"name": "北方科技"})
    for n in range(3):
        db.repos.activities.create({"customer_id": acme, "subject": f"call {n}", "due_at": "+1d"})

    by_subject = ListSource(db, "activity", order=("subject",))  # not the default order
    assert by_subject.count_exact() == 3
    from crm_tui.services import lists

    words = lists.compile(db, "customer", "科技")
    with sqlite3.connect(db.path) as conn:
        assert plain_rows.count(conn, words) == 2
