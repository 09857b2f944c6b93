"""Provides the command-line case: `crm list followups --format json` of 10k rows and
`crm import csv` of 100k customers, beside plain Python + sqlite3 doing the same I/O."""

from __future__ import annotations

import csv
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.cases import crm_exe
from bench.data import DATA_DIR, Dataset
from bench.report import Figure, figure
from bench.timing import Stats, measure, run_command

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


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    env = os.environ | {"CRM_NOW": ds.now_iso}
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
        lambda: run_command([sys.executable, "-c", PLAIN_LIST, str(ds.path), str(n)]), slow
    )
    rows = [
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
    return rows, {}


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
