"""Provides the command-line case: the read commands a rep types (list, show, query, remind,
agenda, why, report, a no-op sync, JSON and CSV of a list and a record; on plain sqlite3
since issue 20) against `python -c "import sqlite3"` in the same run, p50
and p95; `crm list followups --format json` of 10k rows and `crm import csv` of 100k
customers beside plain Python + sqlite3 doing the same I/O.

Bytecode is compiled first and PYTHONDONTWRITEBYTECODE is unset for the timed processes (as
a user's install runs): see bench/pty_typing.py's `compile_bytecode`."""

from __future__ import annotations

import csv
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.cases import crm_exe
from bench.cases.startup import bytecode_note
from bench.data import DATA_DIR, Dataset
from bench.pty_typing import compile_bytecode, timed_env
from bench.report import Figure, figure
from bench.timing import Stats, load_text, measure, run_command, run_timed

CSV_COLUMNS = ["name", "kind", "status", "grade", "industry", "source", "phone", "email"]
CSV_COLUMNS += ["address", "city", "tags", "notes"]

PLAIN_LIST = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.row_factory = sqlite3.Row
rows = conn.execute(
    "SELECT a.*, c.name AS customer FROM activity a LEFT JOIN customer c "
    "ON c.id = a.customer_id WHERE a.deleted = 0 ORDER BY a.due_at, a.id LIMIT ?",
    (int(sys.argv[2]),),
)
json.dump([dict(r) for r in rows], sys.stdout, ensure_ascii=False)
"""


# A moment when nothing is due (follow-ups' reminders, deals closing, birthdays in 0 days).
NOTHING_DUE = "2000-01-01T00:00:00+00:00"


def _read_commands(
    ds: Dataset,
) -> dict[str, tuple[list[str], dict[str, str], float | None, float]]:
    """name -> (argv, env, target ms (None: a reference row), target ratio to the bare
    process). The read commands answer on plain sqlite3 without Typer or SQLAlchemy
    (crm_tui/quick_commands.py), JSON and CSV included."""
    with sqlite3.connect(ds.path) as conn:
        customer = conn.execute(
            "SELECT id FROM customer WHERE deleted = 0 ORDER BY rowid LIMIT 1"
        ).fetchone()[0]
        followup = conn.execute(
            "SELECT id FROM activity WHERE deleted = 0 AND done_at IS NULL ORDER BY rowid LIMIT 1"
        ).fetchone()[0]
    crm = [crm_exe(), "--db", str(ds.path)]
    env = timed_env({"CRM_NOW": ds.now_iso})
    quiet = timed_env({"CRM_NOW": NOTHING_DUE})
    read = (150.0, 10.0)
    return {
        "crm remind (nothing due)": (
            [*crm, "remind", "--deal-days", "0", "--birthday-days", "0"],
            quiet,
            100.0,
            7.0,
        ),
        # A pipe gets every match unless --limit is given; a rep's terminal shows 50.
        "crm list customers 科技 --limit 50": (
            [*crm, "list", "customers", "科技", "--limit", "50"],
            env,
            *read,
        ),
        "crm show ID (a customer)": ([*crm, "show", customer], env, *read),
        "crm query followups 'due<today' -n 20": (
            [*crm, "query", "followups", "due<today", "-n", "20"],
            env,
            *read,
        ),
        "crm agenda": ([*crm, "agenda"], env, *read),
        "crm why ID (a follow-up)": ([*crm, "why", followup], env, *read),
        "crm report summary": ([*crm, "report", "summary"], env, *read),
        "crm sync, not signed in (refuses, exit 1)": ([*crm, "sync"], env, 250.0, 0.0),
        "crm show ID (a follow-up)": ([*crm, "show", followup], env, *read),
        "crm query customers 'grade:A 北京' --count": (
            [*crm, "query", "customers", "grade:A 北京", "--count"],
            env,
            *read,
        ),
        "crm agenda --days 30": ([*crm, "agenda", "--days", "30"], env, *read),
        # JSON and CSV of a list or a record: on the quick path too since session 13.
        "crm list customers 科技 --limit 50 --format csv": (
            [*crm, "list", "customers", "科技", "--limit", "50", "--format", "csv"],
            env,
            *read,
        ),
        "crm show ID (a customer) --format json": (
            [*crm, "show", customer, "--format", "json"],
            env,
            *read,
        ),
    }


def _read_rows(ds: Dataset, log) -> tuple[list[Figure], list[str]]:
    from crm_tui.storage.migrate import migrate_file

    # A cached dataset made before the lookup indexes (0130-0131): the quick paths read a
    # fully migrated book only, and would time the full CLI's migration instead.
    applied = migrate_file(ds.path)
    if applied:
        log(f"  applied migrations {applied}")
    code = compile_bytecode()
    commands = _read_commands(ds)
    runs = ds.size.slow_runs if ds.size.name == "small" else max(5, ds.size.slow_runs)
    load_before = load_text()
    bare_times: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv, env, _, _ in commands.values() if ds.size.name != "small" else ():
        run_timed(argv, env, check=False)  # warm the page cache and any first-run work
    for _ in range(runs):
        # Interleaved, so load from other jobs falls on every command alike.
        bare_times.append(run_timed([sys.executable, "-c", "import sqlite3"], timed_env())[0])
        for name, (argv, env, _, _) in commands.items():
            times[name].append(run_timed(argv, env, check=not name.startswith("crm sync"))[0])
    log(f"  cli: read commands done ({load_text()})")
    bare = Stats(tuple(bare_times))
    rows = [figure("cli", 'python -c "import sqlite3" (the bare process)', bare, p95=True)]
    for name, (_, _, limit_ms, ratio) in commands.items():
        stats = Stats(tuple(times[name]))
        target = None
        if limit_ms is not None:
            target = f"≤ {limit_ms:.0f} ms p95" + (f" (≤ {ratio:g}x bare)" if ratio else "")
        rows.append(
            figure(
                "cli",
                name,
                stats,
                baseline="bare process",
                base=bare,
                target=target,
                limit=limit_ms,
                p95=True,
            )
        )
    rows[1]["note"] = bytecode_note(code)
    return rows, [f"read commands: {load_before} before, {load_text()} after"]


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    rows, notes = _read_rows(ds, log)
    env = timed_env({"CRM_NOW": ds.now_iso})
    n = ds.size.list_rows
    slow = ds.size.slow_runs
    crm = crm_exe()
    listing = measure(
        lambda: run_command(
            [crm, "--db", str(ds.path), "list", "followups", "--limit", str(n), "--format", "json"],
            env=env,
        ),
        slow,
    )
    plain = measure(
        lambda: run_command([sys.executable, "-c", PLAIN_LIST, str(ds.path), str(n)], env), slow
    )
    rows += [
        figure("cli", f"plain python+sqlite3 JSON of {n:,} follow-ups (process)", plain),
        figure(
            "cli",
            f"crm list followups --format json --limit {n:,}",
            listing,
            baseline="plain python+sqlite3",
            base=plain,
        ),
    ]
    rows += _csv_import(ds, log, env)
    return rows, {"notes": notes}


def _csv_import(ds: Dataset, log, env: dict[str, str]) -> list[Figure]:
    n = min(ds.size.csv_rows, ds.size.customers)
    source = DATA_DIR / f"customers-{ds.size.name}-{n}.csv"
    with sqlite3.connect(ds.path) as conn:
        records = conn.execute(
            f"SELECT {', '.join(CSV_COLUMNS)} FROM customer WHERE deleted = 0 ORDER BY rowid "
            "LIMIT ?",
            (n,),
        ).fetchall()
    if not source.exists():
        with source.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            writer.writerows(records)
    runs = 1 if n >= 50_000 else ds.size.slow_runs
    crm_times, plain_times = [], []
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        for i in range(runs):
            target = Path(tmp) / f"import-{i}.db"
            run_command([crm_exe(), "--db", str(target), "list", "customers"], env=env)  # create
            crm_times.append(
                run_command([crm_exe(), "--db", str(target), "import", "csv", str(source)], env=env)
            )
            with sqlite3.connect(target) as check:
                got = check.execute("SELECT count(*) FROM customer").fetchone()[0]
            if got != n:
                raise RuntimeError(f"crm import csv wrote {got} customers, expected {n}")
            plain_times.append(_plain_import(source, Path(tmp) / f"plain-{i}.db"))
    imp, plain = Stats(tuple(crm_times)), Stats(tuple(plain_times))
    return [
        figure("cli", f"plain csv + sqlite3 executemany of {n:,} rows", plain, unit="s"),
        figure(
            "cli",
            f"crm import csv of {n:,} customers (process; outbox, search index, sort keys)",
            imp,
            unit="s",
            baseline="plain csv + executemany",
            base=plain,
            note=f"{n / imp.median:,.0f} rows/s",
        ),
    ]


def _plain_import(source: Path, target: Path) -> float:
    def load() -> None:
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"CREATE TABLE customer (id INTEGER PRIMARY KEY, {', '.join(CSV_COLUMNS)})")
        with source.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            next(reader)
            conn.execute("BEGIN")
            marks = ", ".join("?" * len(CSV_COLUMNS))
            conn.executemany(
                f"INSERT INTO customer ({', '.join(CSV_COLUMNS)}) VALUES ({marks})", reader
            )
            conn.execute("COMMIT")
        conn.close()

    return measure(load, 1).median
