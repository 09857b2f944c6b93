"""Periods are local: a follow-up done at 20:00 UTC on 31 October is 1 November in Beijing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crm_tui.domain.dates import Clock
from crm_tui.reports.build import ReportSource, build_report
from crm_tui.reports.period import Period
from crm_tui.storage.database import open_database
from crm_tui.storage.engine import connect

BEIJING = ZoneInfo("Asia/Shanghai")


def test_months_are_cut_at_local_midnight(tmp_path: Path) -> None:
    edge = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)  # 2026-11-01 04:00 in Beijing
    clock = Clock(fixed=edge, zone=BEIJING)
    db = open_database(tmp_path / "crm.db", clock)
    customer = db.repos.customers.create({"name": "北京钢管"})  # created at the edge too
    db.repos.activities.create({"customer_id": customer.id, "subject": "call", "done_at": edge})
    clock.fixed = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    conn = connect(db.path, readonly=True)
    source = ReportSource.open(
        conn, period=Period.month(2026, 11), clock=clock, currency="CNY", owner_id=None
    )
    summary = {row[0]: row[1:3] for row in build_report("summary", source).section("summary").rows}
    months = dict(build_report("customers", source).section("new_per_month").rows)
    conn.close()
    db.close()
    assert summary["Follow-ups done"] == [1, 0]
    assert summary["New customers"] == [1, 0]
    assert months["2026-11"] == 1 and months["2026-10"] == 0
