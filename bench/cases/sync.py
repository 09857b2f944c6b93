"""Provides the sync case: a real `crm server` (SQLite, then PostgreSQL when its binaries are
there) seeded with the dataset, and real laptop databases, in three parts (CRM_BENCH_SYNC
picks some: `pull,push,roundtrip`; CRM_BENCH_SYNC_DB=sqlite or postgresql one database).
pull: a rep's new laptop pulls everything (initial sync: `crm login` + `crm sync`); push: a
rep's laptop pushes new customers and follow-ups (server push throughput, against a bulk
upsert of the same rows straight into the server's database); roundtrip: 100 edits, the rep
syncs and a teammate syncs."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.cases import crm_exe
from bench.cases.sync_seed import PG_BIN, bulk_upsert, free_port, postgres, seed_server
from bench.data import DATA_DIR, Dataset
from bench.report import Figure, figure
from bench.timing import Stats

__all__ = ["PG_BIN", "bulk_upsert", "crm_server", "postgres", "run"]

_CODE_RE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


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


PARTS = ("pull", "push", "roundtrip")
DATABASES = ("sqlite", "postgresql")


def chosen(env: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The parts (or databases) named in `env`, comma-separated; all of them when unset."""
    words = [w.strip() for w in os.environ.get(env, "").split(",") if w.strip()]
    unknown = [w for w in words if w not in allowed]
    if unknown:
        raise SystemExit(f"error: {env}: unknown {', '.join(unknown)} (use {', '.join(allowed)})")
    return tuple(w for w in allowed if w in words) or allowed


def run_sync(
    ds: Dataset, database_url: str, folder: Path, label: str, log, parts: tuple[str, ...] = PARTS
) -> tuple[list[Figure], dict]:
    """The parts of the case on one database (`parts`: CRM_BENCH_SYNC); the server is
    seeded from the dataset first whichever parts run."""
    from crm_tui.domain.dates import Clock
    from crm_tui.sync.client import SyncClient, SyncReport, pull_changes

    clock = Clock()  # real time: the server refuses clocks far in its future
    rows: list[Figure] = []
    server_init(database_url)
    rep_code = add_user(database_url, "rep", "rep")
    owner = _account_id(database_url, "rep")
    seeded, seed_s = seed_server(database_url, ds, owner)
    log(f"sync {label}: seeded the server with {seeded:,} records in {seed_s:.1f} s")
    with crm_server(database_url, folder) as url:
        rep = None
        if "pull" in parts:
            rep, figures = initial_sync(url, folder, label, rep_code, seeded, clock, log)
            figures["note"] += f"; server seeded by a bulk load in {seed_s:.1f} s"
            rows.append(figures)
        if "push" in parts:
            rows += push_throughput(ds, url, database_url, folder, label, clock, log)
        if "roundtrip" in parts:
            if rep is None:  # the rep's laptop, synced in this process (not timed)
                rep = laptop(url, database_url, folder / "rep.db", "rep", "rep", clock)
                with SyncClient.for_database(rep.path) as client:
                    pull_changes(rep, client, SyncReport())
            rows += round_trip(ds, url, database_url, folder, label, rep, clock)
        if rep is not None:
            rep.close()
    return rows, {}


def initial_sync(url: str, folder: Path, label: str, code: str, seeded: int, clock, log):  # noqa: ANN001, ANN201
    """A rep's new laptop: `crm login` + `crm sync`, each its own process; returns the open
    laptop database and the figure."""
    from crm_tui.storage.database import open_database

    load = os.getloadavg()
    new_db = folder / "new-laptop.db"
    login_s, _, _ = timed_cli_rss(
        "--db", str(new_db), "login", url, "--user", "rep", "--code", code
    )
    sync_s, sync_rss, said = timed_cli_rss("--db", str(new_db), "sync", "--quiet")
    initial_s = login_s + sync_s
    load_after = os.getloadavg()
    rep = open_database(new_db, clock)
    with rep.engine.connect() as conn:
        pulled = sum(
            conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
            for t in ("customer", "activity")
        )
    if pulled < seeded:
        raise RuntimeError(f"the new laptop has {pulled:,} of {seeded:,} records: {said}")
    log(
        f"sync {label}: new laptop pulled {pulled:,} records in {initial_s:.1f} s "
        f"(login {login_s:.1f} s, sync {sync_s:.1f} s), peak RSS {sync_rss:.0f} MB"
    )
    limit = 90 if "PostgreSQL" in label else 60
    row = figure(
        "sync",
        f"{label}: initial sync of a new laptop, crm login + crm sync "
        f"({pulled:,} customers and follow-ups)",
        None,
        unit="s",
        value=initial_s,
        target=f"≤ {limit} s, client RSS ≤ 300 MB" if seeded > 100_000 else None,
        note=f"{pulled / initial_s:,.0f} records/s (sync alone {pulled / sync_s:,.0f}); "
        f"login {login_s:.1f} s + sync {sync_s:.1f} s; client peak RSS {sync_rss:.0f} MB; "
        f"load average {load[0]:.1f} before, {load_after[0]:.1f} after",
    )
    if seeded > 100_000:
        row["met"] = initial_s <= limit and sync_rss <= 300
    row["peak_rss_mb"] = round(sync_rss)
    row["records_per_s"] = round(pulled / sync_s)
    return rep, row


def push_throughput(ds: Dataset, url: str, database_url: str, folder: Path, label: str, clock, log):  # noqa: ANN001, ANN201
    """A rep's laptop pushes new customers and follow-ups; against the raw bulk upsert of
    the same rows."""
    from crm_tui.sync.client import SyncClient, SyncReport, push_outbox

    size = ds.size
    pusher = laptop(url, database_url, folder / "pusher.db", "pusher", "rep", clock)
    total = fill_outbox(pusher, ds, size.sync_customers, size.sync_followups)
    queued = outbox_rows(pusher)
    log(f"sync {label}: pushing {total:,} new records")
    with SyncClient.for_database(pusher.path) as client:
        started = time.perf_counter()
        push_outbox(pusher, client, SyncReport(), batch=500)
        push_s = time.perf_counter() - started
    pusher.close()
    push_rate = total / push_s
    base_s = bulk_upsert(database_url, queued)
    base_rate = len(queued) / base_s
    rows = [
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
    ]
    rows[1]["ratio"] = round(push_rate / base_rate, 2)
    rows[1]["met"] = push_rate >= 0.5 * base_rate
    return rows


def round_trip(ds: Dataset, url: str, database_url: str, folder: Path, label: str, rep, clock):  # noqa: ANN001, ANN201
    """100 edits: the rep's laptop syncs them, then a teammate's laptop pulls them."""
    from crm_tui.sync.client import SyncClient, SyncReport, pull_changes, sync_once

    mate = laptop(url, database_url, folder / "mate.db", "mate", "rep", clock)
    with SyncClient.for_database(mate.path) as client:
        pull_changes(mate, client, SyncReport())
    with SyncClient.for_database(rep.path) as client:
        pull_changes(rep, client, SyncReport())
    with rep.engine.connect() as conn:
        ids = [
            r[0] for r in conn.exec_driver_sql("SELECT id FROM customer ORDER BY rowid LIMIT 100")
        ]
    round_trips, pushes, pulls = [], [], []
    for n in range(ds.size.slow_runs):
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
    mate.close()
    return [
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


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    """CRM_BENCH_SYNC=pull,push,roundtrip picks the parts (all by default) and
    CRM_BENCH_SYNC_DB=sqlite,postgresql the databases (both; PostgreSQL not at small)."""
    parts = chosen("CRM_BENCH_SYNC", PARTS)
    databases = chosen("CRM_BENCH_SYNC_DB", DATABASES)
    notes = [f"parts: {', '.join(parts)}"]
    rows: list[Figure] = []
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        if "sqlite" in databases:
            folder = Path(tmp) / "sqlite"
            folder.mkdir()
            url = f"sqlite:///{folder / 'server.db'}"
            rows += run_sync(ds, url, folder, "SQLite", log, parts)[0]
        if "postgresql" not in databases:
            pass
        elif ds.size.name == "small" and os.environ.get("CRM_BENCH_SYNC_DB") is None:
            notes.append("PostgreSQL is left out of the small (smoke test) size.")
        elif (PG_BIN / "initdb").exists() and shutil.which("runuser"):
            os.chmod(tmp, 0o755)
            pg_folder = Path(tmp) / "pg"
            try:
                with postgres(pg_folder / "cluster") as url:
                    (pg_folder / "run").mkdir()
                    rows += run_sync(ds, url, pg_folder / "run", "PostgreSQL", log, parts)[0]
            except subprocess.CalledProcessError as exc:
                notes.append(f"PostgreSQL could not start: {exc.stderr!r}")
        else:
            notes.append("PostgreSQL binaries not found: its sync figures were skipped.")
    notes.append(
        "fsync and synchronous_commit are off on the throwaway PostgreSQL (both sides alike)"
    )
    return rows, {"notes": notes}
