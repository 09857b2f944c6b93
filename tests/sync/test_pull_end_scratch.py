"""Issue 21: a first sync builds its deferred indexes with scratch space on disk (sorting a
million keys in memory scratch space was its peak RSS), and the book's connections keep
their scratch space in memory afterwards, as the app sets it."""

from __future__ import annotations

from crm_tui.storage import pull_store, reports

FILE, MEMORY = 1, 2  # PRAGMA temp_store


def test_a_first_sync_builds_its_indexes_on_disk_scratch_and_gives_memory_back(
    laptop, monkeypatch
) -> None:
    rep = laptop()
    for i in range(5):
        cid = rep.db.repos.customers.create({"name": f"临时 {i}", "city": "Wuxi"}).id
        rep.db.repos.activities.create({"customer_id": cid, "subject": f"visit {i}"})
    rep.sync()
    fresh = laptop("manager")
    seen: list[int] = []
    refill = reports.rebuild_customer_last_done

    def watched(conn) -> None:  # noqa: ANN001 - runs inside end_pull, after the indexes
        seen.append(conn.execute("PRAGMA temp_store").fetchone()[0])
        refill(conn)

    monkeypatch.setattr(reports, "rebuild_customer_last_done", watched)
    assert fresh.sync().pulled >= 10
    assert seen == [FILE]
    assert not fresh.db.state(pull_store.DEFERRED_KEY)
    for _ in range(3):  # whichever pooled connection comes next
        with fresh.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA temp_store").scalar() == MEMORY
