"""Provides `generate`: write a fresh demo book of business to a file, and the stamp that
says what a demo file was made from (so today's file can be reused as it is).

Rows are written with executemany in one transaction (100k customers and 1M follow-ups in
~36 s on 2 cores); demo rows are local seed data, so they are not queued in the sync outbox.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from crm_tui.demo.activities import fill_slots
from crm_tui.demo.batch import build_job
from crm_tui.demo.gen import Gen
from crm_tui.demo.write import reference_data, write_batch
from crm_tui.domain.dates import Clock
from crm_tui.storage import urgency_store
from crm_tui.storage.engine import connect
from crm_tui.storage.migrate import migrate
from crm_tui.storage.reports import rebuild_customer_last_done

BATCH = 5000


@dataclass
class DemoSummary:
    customers: int
    contacts: int
    activities: int
    opportunities: int
    expenses: int
    seconds: float


def generate(
    path: Path | str,
    *,
    customers: int = 2000,
    seed: int = 7,
    clock: Clock | None = None,
    progress: Callable[[str], None] | None = None,
    followups: int = 10,
    stamp: bool = True,
) -> DemoSummary:
    """Write a fresh demo database at `path` (an existing file is replaced).

    `followups` per customer (10 by default); the benchmarks lower it to reach a million
    customers without ten million follow-ups. Without `stamp` the file is not yet marked as
    a finished demo (the caller adds more and marks it with `write_stamp`).
    """
    started = time.perf_counter()
    clock = clock or Clock()
    g = Gen(seed, clock)
    g.followups = followups
    conn = _fresh_file(Path(path))
    conn.execute("BEGIN")
    try:
        reference_data(conn, g)
        competitor_ids = [r[0] for r in conn.execute("SELECT id FROM competitor")]
        fill_slots(conn, g)
        # Building an index once over sorted data beats growing it row by row, and derived
        # tables kept by triggers are cheaper to fill once at the end than row by row.
        derived = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL AND tbl_name IN ('activity', 'expense', 'opportunity_line')"
        ).fetchall()
        for kind, name, _sql in derived:
            conn.execute(f"DROP {kind.upper()} {name}")
        jobs = [
            (seed, clock, start, min(BATCH, customers - start), competitor_ids)
            for start in range(0, customers, BATCH)
        ]
        counts = _write_batches(conn, g, jobs, customers, progress)
        for _kind, _name, sql in derived:
            conn.execute(sql)
        rebuild_customer_last_done(conn)
        urgency_store.refresh(conn, clock)  # scores and their triggers, once, at the end
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    _finish(conn, demo_stamp(customers, seed, clock) if stamp else None)
    return DemoSummary(
        customers,
        counts["contacts"],
        counts["activities"],
        counts["opportunities"],
        counts["expenses"],
        time.perf_counter() - started,
    )


def _fresh_file(path: Path) -> sqlite3.Connection:
    """A new, migrated file at `path` set up for one big write (the old one is removed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = connect(path)
    migrate(conn)
    conn.execute("PRAGMA foreign_keys = OFF")  # rows arrive parents-first; skip the checks
    # A fresh file that is thrown away on failure: no journal and a big cache for speed.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    return conn


def _write_batches(
    conn: sqlite3.Connection,
    g: Gen,
    jobs: list[tuple],
    customers: int,
    progress: Callable[[str], None] | None,
) -> dict[str, int]:
    """Write every batch; Python builds the next batches in a second process meanwhile."""
    counts = {"contacts": 0, "activities": 0, "opportunities": 0, "expenses": 0}
    pool = ProcessPoolExecutor(1) if len(jobs) > 1 else None
    try:
        built = pool.map(build_job, jobs) if pool else map(build_job, jobs)
        for (_seed, _clock, start, n, _ids), rows in zip(jobs, built, strict=True):
            for key, value in write_batch(conn, g, rows).items():
                counts[key] += value
            if progress:
                progress(f"{start + n}/{customers} customers")
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return counts


def _finish(conn: sqlite3.Connection, stamp: str | None) -> None:
    conn.execute("PRAGMA analysis_limit = 1000")  # sampled statistics: enough for the planner
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    # The file's clock node, as opening it would write: a demo book read by a command
    # while another process writes to it needs no write of its own.
    from crm_tui.storage.ids import new_id
    from crm_tui.storage.outbox import DEVICE_ID_KEY

    conn.execute(
        "INSERT OR IGNORE INTO sync_state(key, value) VALUES (?, ?)", (DEVICE_ID_KEY, new_id())
    )
    if stamp:
        conn.execute("INSERT OR REPLACE INTO sync_state(key, value) VALUES ('demo', ?)", (stamp,))
    conn.close()


def write_stamp(path: Path | str, customers: int, seed: int, clock: Clock) -> None:
    """Mark the file at `path` as a finished demo of this size and seed, made today."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO sync_state(key, value) VALUES ('demo', ?)",
                (demo_stamp(customers, seed, clock),),
            )
    finally:
        conn.close()


def remove(path: Path | str) -> None:
    """Delete a demo file (and its WAL files), e.g. one whose build failed half-way."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def demo_stamp(customers: int, seed: int, clock: Clock) -> str:
    """What a demo file was made from; the same stamp means it can be reused as it is."""
    return f"{customers}:{seed}:{clock.today().isoformat()}"


def existing_stamp(path: Path | str) -> str | None:
    if not Path(path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM sync_state WHERE key = 'demo'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def iter_summary(summary: DemoSummary) -> Iterator[str]:
    yield (
        f"{summary.customers:,} customers, {summary.contacts:,} contacts, "
        f"{summary.activities:,} follow-ups, {summary.opportunities:,} opportunities, "
        f"{summary.expenses:,} expenses in {summary.seconds:.1f} s"
    )
