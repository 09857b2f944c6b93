"""Provides the pool case (issue 18): the desk's "Going to the pool" read (plain sqlite3, the
rules run on what the SQL prefilter keeps) with every customer of the book owned by one rep
— the worst case — and the server's release pass over the same customers, follow-ups and
deals as server records (the standings filled from them as migration 0009 does, the pass's
indexed read, a first pass that releases, a second that finds nothing). Works on copies:
the cached book is not changed.

Run it with `python -m bench --only pool` once "pool" is in bench/__main__.py's CASES.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.data import Dataset
from bench.report import Figure, figure
from bench.timing import Stats, measure

REP = "bench-rep"


def _server_copy(ds: Dataset, folder: Path) -> str:
    """A server database holding the book's customers, follow-ups and deals as records."""
    from crm_tui.server.core.db import ServerDB

    url = f"sqlite:///{folder / 'server.db'}"
    db = ServerDB(url)
    db.init()
    db.close()
    src = sqlite3.connect(ds.path)
    dst = sqlite3.connect(folder / "server.db")
    rows = []
    for row_id, name, grade, created in src.execute(
        "SELECT id, name, grade, created_at FROM customer WHERE deleted = 0"
    ):
        data = {"name": name, "grade": grade}
        rows.append((row_id, "customer", REP, "team", data, created))
    for row_id, cust, done, kind in src.execute(
        "SELECT id, customer_id, done_at, kind FROM activity WHERE deleted = 0"
    ):
        done_at = done.replace(" ", "T") + "Z" if done else None
        data = {"customer_id": cust, "subject": kind, "done_at": done_at}
        rows.append((row_id, "activity", REP, f"user:{REP}", data, done or "2026-01-01"))
    for row_id, cust, stage, updated in src.execute(
        "SELECT id, customer_id, stage, updated_at FROM opportunity WHERE deleted = 0"
    ):
        data = {"customer_id": cust, "title": "deal", "stage": stage}
        rows.append((row_id, "opportunity", REP, f"user:{REP}", data, updated))
    dst.executemany(
        "INSERT INTO record(id, entity, owner_id, partition, version, deleted, data, field_hlc, "
        "field_version, created_at, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, 1, 0, ?, '{}', '{}', ?, ?, ?)",
        [(i, e, o, p, json.dumps(d, ensure_ascii=False), c, c, o) for i, e, o, p, d, c in rows],
    )
    dst.commit()
    dst.close()
    src.close()
    return url


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    from crm_tui.server.core.clock import ServerClock
    from crm_tui.server.core.db import ServerDB
    from crm_tui.server.crud.pool_commands import load_rules
    from crm_tui.server.crud.pool_standings import candidates, rebuild
    from crm_tui.server.pool_release import release_pass
    from crm_tui.services import pool_soon
    from crm_tui.storage.database import open_database

    customers = ds.count("customer")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "book.db"
        shutil.copy(ds.path, book)
        open_database(book).close()  # a cached book may predate the pool's migrations
        with sqlite3.connect(book) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sync_state(key, value) VALUES ('user_id', ?)", (REP,)
            )
            conn.execute("UPDATE customer SET owner_id = ?", (REP,))
        found = pool_soon.going_to_pool(book, ds.clock, limit=8)
        desk = measure(lambda: pool_soon.going_to_pool(book, ds.clock, limit=8), ds.size.runs, 1)
        log(f"  server copy of {customers:,} customers")
        url = _server_copy(ds, folder)
        db = ServerDB(url)
        try:
            # The records were copied around the change set: fill the standings as
            # migration 0009 does on an existing server.
            started = time.perf_counter()
            with db.write() as s:
                kept = rebuild(s.connection())
            built_s = time.perf_counter() - started
            with db.read() as s:
                rules = load_rules(s)
                read = measure(lambda: candidates(s.connection(), rules, ds.now), 3, 0)
            started = time.perf_counter()
            first = release_pass(db, ServerClock(), ds.now)
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            second = release_pass(db, ServerClock(), ds.now)
            second_s = time.perf_counter() - started
        finally:
            db.close()
    rows = [
        figure(
            "pool",
            f"desk: going to the pool, one rep owning all {customers:,} customers",
            desk,
            p95=True,
            note=f"{len(found)} shown",
        ),
        figure(
            "pool",
            "server: standings built from the records (migration 0009, once)",
            Stats((built_s,)),
            unit="s" if built_s > 1 else "ms",
            note=f"{kept:,} owned customers",
        ),
        figure("pool", "server: the pass's read of what may be due (index)", read),
        figure(
            "pool",
            "server: first release pass",
            Stats((first_s,)),
            unit="s" if first_s > 1 else "ms",
            note=(
                f"{len(first.released):,} released, {first.transactions} transactions "
                f"(longest {first.longest_s * 1000:.0f} ms), "
                f"{len(first.released) / max(first_s, 1e-9):,.0f}/s"
            ),
        ),
        figure(
            "pool",
            "server: the next pass (nothing left to release)",
            Stats((second_s,)),
            note=f"{len(second.released)} released",
        ),
    ]
    return rows, {"customers": customers}
