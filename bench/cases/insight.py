"""Provides the insight case (issue 22): on a copy of the dataset (the refresh writes), the
full refresh of every customer's segment, churn risk and lifetime value (what a new day
costs, in the desk's worker), a dirty refresh of 100 changed customers (what an edit or a
sync costs), and the desk's "Valuable customers at risk" read against the desk's 100 ms."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.data import Dataset
from bench.report import Figure, figure
from bench.timing import Stats, measure


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    from crm_tui.services import insight
    from crm_tui.storage.engine import connect
    from crm_tui.storage.migrate import migrate_file

    clock = ds.clock
    with tempfile.TemporaryDirectory(prefix="bench-insight-") as folder:
        path = Path(folder) / "book.db"
        shutil.copy(ds.path, path)
        applied = migrate_file(path)  # a cached dataset made before migration 0120
        if applied:
            log(f"  applied migrations {applied}")
        customers = sqlite3.connect(path).execute("SELECT count(*) FROM customer").fetchone()[0]
        fulls = []
        for _ in range(max(1, ds.size.slow_runs // 2)):
            started = time.perf_counter()
            done = insight.refresh_path(path, clock, full=True)
            fulls.append(time.perf_counter() - started)
        log(f"  full refresh: {done.customers:,} customers")
        conn = connect(path)
        ids = [r[0] for r in conn.execute("SELECT id FROM customer ORDER BY random() LIMIT 100")]
        conn.close()

        def dirty_refresh() -> None:
            with sqlite3.connect(path) as c:
                c.executemany("INSERT OR IGNORE INTO insight_dirty VALUES (?)", [(i,) for i in ids])
            insight.refresh_path(path, clock)

        dirty = measure(dirty_refresh, ds.size.runs, warmup=1)
        panel = measure(lambda: insight.at_risk(path), ds.size.runs, warmup=1)
        at_risk = insight.at_risk(path)[1]
    note = f"{customers:,} customers"
    return [
        figure(
            "insight",
            "refresh every customer's segment, risk and CLV (a new day; worker)",
            Stats(tuple(fulls)),
            note=note,
        ),
        figure(
            "insight",
            "refresh 100 changed customers (after an edit or a sync)",
            dirty,
            target="≤ 500 ms",
            limit=500.0,
        ),
        figure(
            "insight",
            "desk: valuable customers at risk (first 8, and how many)",
            panel,
            target="≤ 100 ms",
            limit=100.0,
            note=f"{at_risk:,} at risk",
        ),
    ], {}
