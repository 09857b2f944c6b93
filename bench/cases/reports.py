"""Provides the reports case: each of the four reports (the screen's and `crm report`'s path:
ReportSource -> build_report on a read-only sqlite3 connection), mine and team, against the
0.5 s target; CPU time beside wall time, since the machine is shared."""

from __future__ import annotations

import time

from bench.data import Dataset
from bench.report import Figure, figure
from bench.timing import Stats


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    from crm_tui.reports.build import ReportSource, build_report
    from crm_tui.reports.model import REPORT_NAMES
    from crm_tui.reports.period import Period
    from crm_tui.storage.engine import connect
    from crm_tui.storage.migrate import migrate_file

    applied = migrate_file(ds.path)  # a cached database made before the report indexes
    if applied:
        log(f"  applied migrations {applied}")
    clock = ds.clock
    period = Period.containing(clock.today())
    conn = connect(ds.path, readonly=True)
    rows: list[Figure] = []
    try:
        for team in (False, True):
            for name in REPORT_NAMES:

                def build(name: str = name, team: bool = team) -> None:
                    source = ReportSource.open(
                        conn, period=period, clock=clock, currency="CNY", owner_id=None, team=team
                    )
                    build_report(name, source)

                build()  # warm-up: the first run reads the pages from disk
                walls, cpus = [], []
                for _ in range(max(3, ds.size.runs // 2)):
                    wall, cpu = time.perf_counter(), time.process_time()
                    build()
                    walls.append(time.perf_counter() - wall)
                    cpus.append(time.process_time() - cpu)
                cpu_ms = sorted(cpus)[len(cpus) // 2] * 1000
                rows.append(
                    figure(
                        "reports",
                        f"{name} report, {'team' if team else 'mine'} ({period.label})",
                        Stats(tuple(walls)),
                        target="≤ 500 ms",
                        limit=500.0,
                        note=f"CPU {cpu_ms:.0f} ms",
                    )
                )
    finally:
        conn.close()
    return rows, {}
