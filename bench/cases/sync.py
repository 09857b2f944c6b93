"""Provides the sync case: a real `crm server` (SQLite, then PostgreSQL when its binaries are
there) and real laptop databases. A rep's laptop pushes new customers and follow-ups (server
push throughput), a manager's fresh laptop pulls them all (initial sync), then 100 edits
make the round trip; the baseline is a bulk upsert of the same rows straight into the
server's database."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.cases import crm_exe
from bench.data import DATA_DIR, Dataset
from bench.report import Figure, figure
from bench.timing import Stats

PG_BIN = Path("/usr/lib/postgresql/15/bin")
_CODE_RE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def crm_server(
    database_url: str, folder: Path, workers: int = 1, env: dict[str, str] | None = None
):
    """`crm server [--workers N]` on a loopback port, until the block ends."""
    port = free_port()
    log_path = folder / f"server-{port}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [crm_exe(), "server", "--host", "127.0.0.1", "--port", str(port)]
        + ["--database-url", database_url]
        + (["--workers", str(workers)] if workers > 1 else []),
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ | (env or {}),
    )
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 120
    with httpx.Client(timeout=1) as probe:
        while True:
            try:
                if probe.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(log_path.read_text())
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def add_user(database_url: str, name: str, role: str) -> str:
    out = subprocess.run(
        [crm_exe(), "server", "--database-url", database_url, "add-user", name, "--role", role],
        capture_output=True,
        text=True,
        check=True,
    )
    found = _CODE_RE.search(out.stdout)
    if not found:
        raise RuntimeError(out.stdout + out.stderr)
    return found.group(0)


def laptop(url: str, database_url: str, path: Path, name: str, role: str, clock):
    from crm_tui.storage.database import open_database
    from crm_tui.sync.client import login

    code = add_user(database_url, name, role)
    db = open_database(path, clock)
    login(db, url, user=name, code=code)
    return db


def fill_outbox(db, ds: Dataset, customers: int, followups: int) -> int:
    """Queue `customers` customers and `followups` follow-ups (copied from the dataset) as
    new records in the laptop's outbox, as an import would."""
    from crm_tui.storage.bulk import BulkWriter
    from crm_tui.storage.database import new_id

    src = sqlite3.connect(ds.path)
    cust = src.execute(
        "SELECT name, kind, status, grade, industry, source, phone, email, address, city, "
        "tags, notes FROM customer ORDER BY rowid LIMIT ?",
        (customers,),
    ).fetchall()
    acts = src.execute(
        "SELECT kind, subject, due_at, all_day FROM activity ORDER BY rowid LIMIT ?",
        (followups,),
    ).fetchall()
    src.close()
    keys = ["name", "kind", "status", "grade", "industry", "source", "phone", "email"]
    keys += ["address", "city", "tags", "notes"]
    ids = []
    with db.transaction() as s:
        writer = BulkWriter(db, s, "customer")
        for row in cust:
            rid = new_id()
            ids.append(rid)
            writer.add(writer.prepare(dict(zip(keys, row, strict=True)), rid))
        writer.flush()
        writer = BulkWriter(db, s, "activity")
        for i, (kind, subject, due, all_day) in enumerate(acts):
            values = {
                "customer_id": ids[i % len(ids)],
                "kind": kind,
                "subject": subject,
                "due_at": datetime.fromisoformat(due).replace(tzinfo=UTC),
                "all_day": bool(all_day),
            }
            writer.add(writer.prepare(values, new_id()))
        writer.flush()
    return len(cust) + len(acts)


def outbox_rows(db) -> list[tuple[str, str, str]]:
    from crm_tui.storage.engine import connect

    conn = connect(db.path, readonly=True)
    try:
        return conn.execute(
            "SELECT entity, row_id, payload FROM outbox ORDER BY client_seq"
        ).fetchall()
    finally:
        conn.close()


def server_init(database_url: str) -> None:
    subprocess.run(
        [crm_exe(), "server", "--database-url", database_url, "init"],
        capture_output=True,
        text=True,
        check=True,
    )


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
    change-log row) pairs, seq after seq, written the way `ChangeSet.commit` writes them.
    Follow-ups keep their customer; their contact and deal links are dropped (those tables
    are not seeded)."""
    import json

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
        clocks = json.dumps(dict.fromkeys([*(f.name for f in fields), "deleted"], hlc))
        while batch := cur.fetchmany(5000):
            for row in batch:
                seq += 1
                values = {
                    f.name: None if f.name in drop else _wire(f.kind, row[where[f.name]])
                    for f in fields
                }
                data = json.dumps(values, ensure_ascii=False)
                stamp = row[at]
                versions = json.dumps({k: [seq, owner] for k in (*values, "deleted")})
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
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("BEGIN IMMEDIATE")
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
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
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


def timed_cli_rss(*args: str) -> tuple[float, float, str]:
    """Run `crm …` as its own process: (wall seconds, its peak RSS in MB, stdout).

    The peak is measured by GNU time when it is there: a child forked from this process
    starts with this process's pages, and its ru_maxrss counted them (the bench process
    holds the seeded rows, so "client RSS" read the bench's own memory)."""
    started = time.perf_counter()
    gnu_time = Path("/usr/bin/time")
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        argv = [crm_exe(), *args]
        if gnu_time.exists():
            argv = [str(gnu_time), "-f", "%M", "-o", peak.name, *argv]
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text, problem = out.read(), err.read()
        measured = peak.read().strip().splitlines()
        rss_kb = int(measured[-1]) if measured and measured[-1].isdigit() else usage.ru_maxrss
    if proc.returncode != 0:
        raise RuntimeError(f"crm {' '.join(args)} failed: {problem or text}")
    return seconds, rss_kb / 1024, text


def run_sync(
    ds: Dataset, database_url: str, folder: Path, label: str, log
) -> tuple[list[Figure], dict]:
    from crm_tui.domain.dates import Clock
    from crm_tui.storage.database import open_database
    from crm_tui.sync.client import SyncClient, SyncReport, pull_changes, push_outbox, sync_once

    size = ds.size
    clock = Clock()  # real time: the server refuses clocks far in its future
    rows: list[Figure] = []
    server_init(database_url)
    rep_code = add_user(database_url, "rep", "rep")
    owner = _account_id(database_url, "rep")
    seeded, seed_s = seed_server(database_url, ds, owner)
    log(f"sync {label}: seeded the server with {seeded:,} records in {seed_s:.1f} s")
    load = os.getloadavg()
    with crm_server(database_url, folder) as url:
        # The rep's new laptop: `crm login` + `crm sync`, each its own process.
        new_db = folder / "new-laptop.db"
        login_s, login_rss, _ = timed_cli_rss(
            "--db", str(new_db), "login", url, "--user", "rep", "--code", rep_code
        )
        sync_s, sync_rss, said = timed_cli_rss("--db", str(new_db), "sync", "--quiet")
        initial_s = login_s + sync_s
        load_after = os.getloadavg()
        rep = open_database(new_db, clock)
        pulled = sum(
            rep.engine.connect().exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
            for t in ("customer", "activity")
        )
        if pulled < seeded:
            raise RuntimeError(f"the new laptop has {pulled:,} of {seeded:,} records: {said}")
        log(
            f"sync {label}: new laptop pulled {pulled:,} records in {initial_s:.1f} s "
            f"(login {login_s:.1f} s, sync {sync_s:.1f} s), peak RSS {sync_rss:.0f} MB"
        )
        # A rep's laptop pushes new customers and follow-ups (server push throughput).
        pusher = laptop(url, database_url, folder / "pusher.db", "pusher", "rep", clock)
        total = fill_outbox(pusher, ds, size.sync_customers, size.sync_followups)
        queued = outbox_rows(pusher)
        log(f"sync {label}: pushing {total:,} new records")
        with SyncClient.for_database(pusher.path) as client:
            started = time.perf_counter()
            push_outbox(pusher, client, SyncReport(), batch=500)
            push_s = time.perf_counter() - started
        # 100 edits: the rep's laptop syncs them, a teammate's laptop pulls them.
        mate = laptop(url, database_url, folder / "mate.db", "mate", "rep", clock)
        with SyncClient.for_database(mate.path) as client:
            pull_changes(mate, client, SyncReport())
        with SyncClient.for_database(rep.path) as client:
            pull_changes(rep, client, SyncReport())
        ids = [
            r[0]
            for r in rep.engine.connect()
            .exec_driver_sql("SELECT id FROM customer ORDER BY rowid LIMIT 100")
            .fetchall()
        ]
        round_trips, pushes, pulls = [], [], []
        for n in range(size.slow_runs):
            for i, rid in enumerate(ids):
                rep.repos.customers.update(rid, {"notes": f"bench edit {n}-{i}"})
            with SyncClient.for_database(rep.path) as a, SyncClient.for_database(mate.path) as b:
                t0 = time.perf_counter()
                sync_once(rep, a)
                t1 = time.perf_counter()
                got = sync_once(mate, b)
                t2 = time.perf_counter()
            if got.pulled < len(ids):
                raise RuntimeError(f"the teammate pulled {got.pulled} of {len(ids)} edits")
            pushes.append(t1 - t0)
            pulls.append(t2 - t1)
            round_trips.append(t2 - t0)
        rep.close()
        mate.close()
        pusher.close()
    push_rate = total / push_s
    pull_rate = pulled / initial_s
    base_s = bulk_upsert(database_url, queued)
    base_rate = len(queued) / base_s
    limit = 45 if "PostgreSQL" in label else 30
    rows += [
        figure(
            "sync",
            f"{label}: raw bulk upsert of the same {len(queued):,} rows into the server DB",
            None,
            unit="rows/s",
            value=base_rate,
        ),
        figure(
            "sync",
            f"{label}: server push throughput ({total:,} new records, batches of 500)",
            None,
            unit="rows/s",
            value=push_rate,
            baseline="raw bulk upsert",
            target="≥ 50% of the bulk upsert",
            note=f"{push_s:.1f} s in all; ratio {push_rate / base_rate:.2f} of the bulk upsert",
        ),
        figure(
            "sync",
            f"{label}: initial sync of a new laptop, crm login + crm sync "
            f"({pulled:,} customers and follow-ups)",
            None,
            unit="s",
            value=initial_s,
            target=f"≤ {limit} s" if size.name != "small" else None,
            note=f"{pull_rate:,.0f} records/s; login {login_s:.1f} s + sync {sync_s:.1f} s; "
            f"client peak RSS {sync_rss:.0f} MB; load average {load[0]:.1f} before, "
            f"{load_after[0]:.1f} after; server seeded by a bulk load in {seed_s:.1f} s",
        ),
        figure(
            "sync",
            f"{label}: 100 edits, round trip (rep syncs, then a teammate syncs)",
            Stats(tuple(round_trips)),
            target="≤ 300 ms",
            limit=300.0,
        ),
        figure("sync", f"{label}:   of which the rep's push + pull", Stats(tuple(pushes))),
        figure("sync", f"{label}:   of which the teammate's pull", Stats(tuple(pulls))),
    ]
    rows[1]["ratio"] = round(push_rate / base_rate, 2)
    rows[1]["met"] = push_rate >= 0.5 * base_rate
    if size.name != "small":
        rows[2]["met"] = initial_s <= limit
    rows[2]["peak_rss_mb"] = round(sync_rss)
    return rows, {}


def _account_id(database_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT id FROM account WHERE name = :n"), {"n": name}
            ).scalar_one()
    finally:
        engine.dispose()


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


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    notes = []
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        folder = Path(tmp) / "sqlite"
        folder.mkdir()
        rows, _ = run_sync(ds, f"sqlite:///{folder / 'server.db'}", folder, "SQLite", log)
        if ds.size.name == "small":
            notes.append("PostgreSQL is left out of the small (smoke test) size.")
        elif (PG_BIN / "initdb").exists() and shutil.which("runuser"):
            os.chmod(tmp, 0o755)
            pg_folder = Path(tmp) / "pg"
            try:
                with postgres(pg_folder / "cluster") as url:
                    (pg_folder / "run").mkdir()
                    more, _ = run_sync(ds, url, pg_folder / "run", "PostgreSQL", log)
                    rows += more
            except subprocess.CalledProcessError as exc:
                notes.append(f"PostgreSQL could not start: {exc.stderr!r}")
        else:
            notes.append("PostgreSQL binaries not found: its sync figures were skipped.")
    notes.append(
        "fsync and synchronous_commit are off on the throwaway PostgreSQL (both sides alike)"
    )
    return rows, {"notes": notes}
