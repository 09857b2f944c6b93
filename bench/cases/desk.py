"""Provides the desk case: load_desk (every query the desk runs) and the "due today /
overdue" counts, beside the same counts in plain SQL and Taskwarrior's `task due:today count`;
p50 and p95. Measured in this process; bytecode is compiled first all the same (as for the
other start-up cases) so the imports below load .pyc files."""

from __future__ import annotations

from bench.cases.startup import bytecode_note
from bench.data import Dataset, task_binary, taskwarrior
from bench.pty_typing import compile_bytecode
from bench.report import Figure, figure
from bench.timing import load_text, measure, run_command


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    code = compile_bytecode()
    load_before = load_text()
    from crm_tui.storage.desk import _stamp, load_desk
    from crm_tui.storage.engine import connect

    clock = ds.clock
    runs = ds.size.runs
    today = clock.today()
    start = _stamp(clock.day_start_utc(today))
    from datetime import timedelta

    end = _stamp(clock.day_start_utc(today + timedelta(days=1)))
    conn = connect(ds.path, readonly=True)

    def plain_due() -> tuple[int, int]:
        due = conn.execute(
            "SELECT count(*) FROM activity WHERE done_at IS NULL AND deleted = 0 "
            "AND due_at >= ? AND due_at < ?",
            (start, end),
        ).fetchone()[0]
        overdue = conn.execute(
            "SELECT count(*) FROM activity WHERE done_at IS NULL AND deleted = 0 AND due_at < ?",
            (start,),
        ).fetchone()[0]
        return due, overdue

    def desk_query() -> object:
        return load_desk(ds.path, clock)

    due, overdue = plain_due()
    plain = measure(plain_due, runs, warmup=1)
    desk = measure(desk_query, runs, warmup=1)
    activities = ds.count("activity")
    rows = [
        figure(
            "desk",
            f"plain SQL: due-today + overdue counts ({activities:,} follow-ups)",
            plain,
            p95=True,
            note=f"{due:,} due today, {overdue:,} overdue",
        ),
        figure(
            "desk",
            "load_desk: every desk query (sqlite3, no ORM)",
            desk,
            baseline="plain SQL counts",
            base=plain,
            p95=True,
            note=bytecode_note(code),
        ),
    ]
    notes = []
    env = taskwarrior(ds, log)
    if env is not None:
        binary = task_binary() or "task"
        slow = ds.size.slow_runs
        task = measure(lambda: run_command([binary, "due:today", "count"], env=env), slow)
        rows.append(figure("desk", "task due:today count", task, p95=True))
        rows.append(
            figure(
                "desk",
                "load_desk vs task due:today count",
                desk,
                baseline="task due:today count",
                base=task,
            )
        )
    else:
        notes.append("Taskwarrior is not installed: its baseline was skipped.")
    conn.close()
    notes.append(f"{load_before} before, {load_text()} after")
    return rows, {"notes": notes}
