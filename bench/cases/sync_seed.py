"""Provides the sync case's set-up: the server seeded straight from the dataset (records, change
log and counter written the way `ChangeSet.commit` writes them: one executemany or COPY per
table, the secondary indexes built once at the end on SQLite), the raw bulk upsert baseline
and a throwaway PostgreSQL cluster."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from bench.data import Dataset

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wire(kind: str, value):  # noqa: ANN001, ANN202 - a stored value in its wire form
    if value is None:
        return None
    if kind == "datetime":
        return f"{value[:10]}T{value[11:]}Z"
    if kind == "bool":
        return bool(value)
    return value


def seed_rows(ds: Dataset, owner: str, first_seq: int, hlc: str):  # noqa: ANN201
    """The dataset's customers and follow-ups as the server stores them: (record row,
    change-log row) pairs, seq after seq, written the way `ChangeSet.commit` writes them
    (clocks compact, as the server's create writes them; seeded afresh each run).
    Follow-ups keep their customer; their contact and deal links are dropped (those tables
    are not seeded)."""
    import json

    from crm_tui.domain.field_clocks import one_clock_json
    from crm_tui.domain.fields import ENTITIES

    src = sqlite3.connect(f"file:{ds.path}?mode=ro", uri=True)
    seq = first_seq
    for entity in ("customer", "activity"):
        spec = ENTITIES[entity]
        cur = src.execute(f'SELECT * FROM "{entity}" WHERE deleted = 0 ORDER BY rowid')
        columns = [d[0] for d in cur.description]
        fields = [f for f in spec.fields if f.name in columns]
        where = {f.name: columns.index(f.name) for f in fields}
        at = columns.index("created_at")
        drop = {"contact_id", "opportunity_id"}
        clocks = one_clock_json(hlc)  # made in one step: every field at one clock
        while batch := cur.fetchmany(5000):
            for row in batch:
                seq += 1
                values = {
                    f.name: None if f.name in drop else _wire(f.kind, row[where[f.name]])
                    for f in fields
                }
                data = json.dumps(values, ensure_ascii=False)
                stamp = row[at]
                versions = f'{{"*": [{seq}, {json.dumps(owner)}]}}'  # as a create writes it
                partition = "team" if entity == "customer" else f"user:{owner}"
                wire_at = _wire("datetime", stamp)
                snapshot = (
                    f'{{"fields": {data}, "owner_id": "{owner}", "deleted": false, '
                    f'"field_hlc": {clocks}, "created_at": "{wire_at}", '
                    f'"updated_at": "{wire_at}", "version": {seq}}}'
                )
                record = (row[0], entity, owner, partition, seq, False, data, clocks, versions)
                yield (*record, stamp, stamp, owner), (seq, partition, entity, row[0], snapshot)
    src.close()


RECORD_COLUMNS = (
    "id, entity, owner_id, partition, version, deleted, data, field_hlc, field_version, "
    "created_at, updated_at, updated_by"
)


def seed_server(database_url: str, ds: Dataset, owner: str) -> tuple[int, float]:
    """Bulk-load the dataset into the server's database (records, change log, counter) and
    return (rows, seconds)."""
    from crm_tui.domain.hlc import HybridClock

    hlc = HybridClock("seed").now().encode()
    started = time.perf_counter()
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        # A throwaway server file: no journal while it is filled (a few GB would otherwise
        # pass through the WAL), and the secondary indexes built once at the end.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('record', 'change_log')"
        ).fetchall()
        conn.execute("BEGIN IMMEDIATE")
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        first = conn.execute("SELECT value FROM change_counter WHERE id = 1").fetchone()[0]
        pairs = seed_rows(ds, owner, first, hlc)
        count = 0
        while chunk := [p for _, p in zip(range(20_000), pairs, strict=False)]:
            conn.executemany(
                f"INSERT INTO record ({RECORD_COLUMNS}) VALUES ({', '.join('?' * 12)})",
                [r for r, _ in chunk],
            )
            conn.executemany(
                "INSERT INTO change_log (seq, partition, entity, row_id, op, data) "
                "VALUES (?, ?, ?, ?, 'upsert', ?)",
                [c for _, c in chunk],
            )
            count += len(chunk)
        conn.execute("UPDATE change_counter SET value = ? WHERE id = 1", (first + count,))
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
        return count, time.perf_counter() - started
    import psycopg

    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    count = 0
    with psycopg.connect(dsn) as conn:
        first = conn.execute("SELECT value FROM change_counter WHERE id = 1 FOR UPDATE")
        first = first.fetchone()[0]
        with conn.cursor() as cur:
            # Two passes over the dataset (records, then the change log): holding a million
            # snapshots in memory would cost more than reading the file twice.
            with cur.copy(f"COPY record ({RECORD_COLUMNS}) FROM STDIN") as copy:
                for record, _ in seed_rows(ds, owner, first, hlc):
                    copy.write_row(record)
                    count += 1
            with cur.copy(
                "COPY change_log (seq, partition, entity, row_id, op, data) FROM STDIN"
            ) as copy:
                for _, (seq, partition, entity, row_id, data) in seed_rows(ds, owner, first, hlc):
                    copy.write_row((seq, partition, entity, row_id, "upsert", data))
            cur.execute("UPDATE change_counter SET value = %s WHERE id = 1", (first + count,))
        conn.commit()
        conn.execute("ANALYZE")
    return count, time.perf_counter() - started


def bulk_upsert(database_url: str, queued: list[tuple[str, str, str]]) -> float:
    """Seconds to upsert the pushed rows (id, entity, JSON data) plus a change-log row each
    into a table shaped like the server's, in one transaction: the physical limit."""
    rows = [(rid, entity, payload) for entity, rid, payload in queued]
    ddl = (
        "CREATE TABLE bench_record (id TEXT PRIMARY KEY, entity TEXT NOT NULL, "
        "partition TEXT NOT NULL, version BIGINT NOT NULL, data TEXT NOT NULL)"
    )
    log_ddl = (
        "CREATE TABLE bench_log (seq BIGINT PRIMARY KEY, partition TEXT, entity TEXT, "
        "row_id TEXT, data TEXT)"
    )
    upsert = (
        "INSERT INTO bench_record (id, entity, partition, version, data) VALUES ({0}) "
        "ON CONFLICT (id) DO UPDATE SET data = excluded.data, version = excluded.version"
    )
    record_rows = [
        (rid, entity, "team", i + 1, payload) for i, (rid, entity, payload) in enumerate(rows)
    ]
    log_rows = [
        (i + 1, "team", entity, rid, payload) for i, (rid, entity, payload) in enumerate(rows)
    ]
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("DROP TABLE IF EXISTS bench_record")
        conn.execute("DROP TABLE IF EXISTS bench_log")
        conn.execute(ddl)
        conn.execute(log_ddl)
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(upsert.format("?, ?, ?, ?, ?"), record_rows)
        conn.executemany("INSERT INTO bench_log VALUES (?, ?, ?, ?, ?)", log_rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        conn.close()
        return seconds
    import psycopg

    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_record")
        conn.execute("DROP TABLE IF EXISTS bench_log")
        conn.execute(ddl)
        conn.execute(log_ddl)
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(upsert.format("%s, %s, %s, %s, %s"), record_rows)
            cur.executemany("INSERT INTO bench_log VALUES (%s, %s, %s, %s, %s)", log_rows)
        conn.commit()
        return time.perf_counter() - started


@contextmanager
def postgres(folder: Path):
    """A throwaway PostgreSQL cluster owned by `postgres`, on a Unix socket only."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.chown(folder, "postgres", "postgres")
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    shutil.chown(sock, "postgres", "postgres")
    port = free_port()

    def as_pg(*argv: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True)

    as_pg(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    as_pg(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(folder / "pg.log"),
        "-w",
        "-o",
        f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off",
        "start",
    )
    try:
        as_pg(str(PG_BIN / "createdb"), "-h", str(sock), "-p", str(port), "-U", "postgres", "crm")
        yield f"postgresql+psycopg://postgres@/crm?host={sock}&port={port}"
    finally:
        as_pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
