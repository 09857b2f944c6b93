"""Provides the benchmark data: demo databases per size, cached, and the Taskwarrior copy.

Sizes: `small` (smoke test), `100k` (100k customers x 10 follow-ups = 1M follow-ups) and
`1m` (1M customers x 1 follow-up: a million customers to search without ten million
follow-ups). A database is rebuilt only when its parameters change; the clock it was made
with is kept beside it, so every case reads it as of that moment.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crm_tui.domain.dates import Clock

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CRM_BENCH_DATA", BENCH_DIR / "data"))
SHARED_DIR = Path("/work/bench-data")  # other helpers look for big databases here
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class Size:
    name: str
    customers: int
    followups: int  # per customer
    runs: int  # repetitions of the light cases
    slow_runs: int  # repetitions of process-spawning cases
    sync_customers: int  # rows a laptop pushes in the sync cases
    sync_followups: int
    csv_rows: int
    list_rows: int


SIZES = {
    "small": Size("small", 300, 10, 2, 1, 20, 20, 200, 100),
    "100k": Size("100k", 100_000, 10, 20, 5, 1_000, 4_000, 100_000, 10_000),
    "1m": Size("1m", 1_000_000, 1, 5, 2, 1_000, 4_000, 100_000, 10_000),
}


@dataclass(frozen=True)
class Dataset:
    size: Size
    path: Path
    now: datetime  # the generator's clock; cases use Clock(fixed=now)
    generate_seconds: float

    @property
    def clock(self) -> Clock:
        return Clock(fixed=self.now)

    @property
    def now_iso(self) -> str:
        return self.now.isoformat()

    def count(self, table: str) -> int:
        with sqlite3.connect(self.path) as conn:
            return conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]


def dataset(size: Size, *, rebuild: bool = False, log=print) -> Dataset:
    """The cached demo database for `size`, generated first if missing or stale."""
    from crm_tui import demo

    path = DATA_DIR / f"{size.name}.db"
    meta_path = path.with_suffix(".json")
    want = {"customers": size.customers, "followups": size.followups, "version": GENERATOR_VERSION}
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in want.items()):
            return Dataset(
                size, path, datetime.fromisoformat(meta["now"]), meta["generate_seconds"]
            )
    now = datetime.now(UTC).replace(microsecond=0)
    log(f"generating {size.name}: {size.customers:,} customers x {size.followups} follow-ups")
    summary = demo.generate(
        path,
        customers=size.customers,
        seed=7,
        clock=Clock(fixed=now),
        followups=size.followups,
        progress=None,
    )
    meta = want | {
        "now": now.isoformat(),
        "generate_seconds": summary.seconds,
        "activities": summary.activities,
        "contacts": summary.contacts,
        "load_average": os.getloadavg(),
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    if size.name == "100k" and SHARED_DIR.parent.exists():
        SHARED_DIR.mkdir(exist_ok=True)
        link = SHARED_DIR / "100k.db"
        if link.is_symlink() or not link.exists():
            link.unlink(missing_ok=True)
            link.symlink_to(path)
    return Dataset(size, path, now, summary.seconds)


# --- Taskwarrior ---------------------------------------------------------------------------
def task_binary() -> str | None:
    return shutil.which("task")


def task_env(ds: Dataset) -> dict[str, str]:
    folder = DATA_DIR / f"task-{ds.size.name}"
    return os.environ | {
        "TASKDATA": str(folder),
        "TASKRC": str(folder / "taskrc"),
        "HOME": str(folder),
    }


def taskwarrior(ds: Dataset, log=print) -> dict[str, str] | None:
    """Environment for `task` over the dataset's follow-ups, loaded first if needed; None
    when Taskwarrior is not installed.

    Open follow-ups become pending tasks and done ones completed tasks, with their due
    moments moved by whole days so that the database's "today" is Taskwarrior's today. The
    data files are written in Taskwarrior 2.x's own format (one `[key:"value" ...]` line per
    task), which is what `task import` writes but ~100x faster at a million tasks; `task
    import` of JSON loads the small size, and the counts are checked against SQL.
    """
    binary = task_binary()
    if binary is None:
        return None
    env = task_env(ds)
    folder = Path(env["TASKDATA"])
    shift = (datetime.now(UTC).date() - ds.now.date()).days
    stamp = folder / "loaded.json"
    want = {"db": str(ds.path), "now": ds.now_iso, "shift": shift}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return env
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "taskrc").write_text(
        f"data.location={folder}\nconfirmation=off\nverbose=nothing\nnews.version=2.6.2\n"
        "gc=on\nrecurrence=off\nhooks=off\n"
    )
    started = time.perf_counter()
    conn = sqlite3.connect(ds.path)
    rows = conn.execute(
        "SELECT a.id, a.kind, a.subject, a.due_at, a.created_at, a.done_at, c.name "
        "FROM activity a LEFT JOIN customer c ON c.id = a.customer_id WHERE a.deleted = 0"
    )
    offset = shift * 86400

    def epoch(stored: str | None) -> int | None:
        if stored is None:
            return None
        moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
        return int(moment.timestamp()) + offset

    tasks = []
    for rid, kind, subject, due, created, done, customer in rows:
        task = {
            "uuid": _uuid(rid),
            "description": f"{kind}: {subject} ({customer or ''})",
            "entry": epoch(created),
            "due": epoch(due),
            "status": "completed" if done else "pending",
            "project": kind,
        }
        if done:
            task["end"] = epoch(done)
        tasks.append(task)
    conn.close()
    if len(tasks) <= 5000:
        payload = [
            {k: (_iso(v) if k in ("entry", "due", "end") else v) for k, v in t.items()}
            for t in tasks
        ]
        subprocess.run(
            [binary, "import"],
            input=json.dumps(payload).encode(),
            env=env,
            check=True,
            capture_output=True,
        )
    else:
        with (
            (folder / "pending.data").open("w") as pending,
            (folder / "completed.data").open("w") as completed,
        ):
            for t in tasks:
                (completed if t["status"] == "completed" else pending).write(_ff4(t))
    log(f"taskwarrior: {len(tasks):,} tasks loaded in {time.perf_counter() - started:.1f} s")
    stamp.write_text(json.dumps(want))
    return env


def _uuid(row_id: str) -> str:
    return row_id.lower()


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%dT%H%M%SZ")


def _ff4(task: dict) -> str:
    def quote(value: object) -> str:
        return json.dumps(str(value), ensure_ascii=False)[1:-1]

    parts = " ".join(f'{k}:"{quote(v)}"' for k, v in sorted(task.items()) if v is not None)
    return f"[{parts}]\n"
