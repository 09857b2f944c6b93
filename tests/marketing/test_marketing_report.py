"""Return on spend on the demo data: every figure of the campaign report equals a plain SQL
query written independently here (joins and GROUP BY instead of the report's subqueries),
and `crm report campaigns` writes it as md, csv and html."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from crm_tui.reports.period import Period
from crm_tui.services import campaign_roi
from crm_tui.services.book import Book


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from crm_tui.cli import app

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    args = ["--db", str(path), "--now", "2026-11-23T10:00:00+08:00", "demo", "--no-open"]
    result = CliRunner().invoke(app, [*args, "--customers", "120"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


def _plain(conn: sqlite3.Connection, campaign_id: str) -> dict[str, int]:
    """The figures of one campaign, the long way round."""
    by_status = dict(
        conn.execute(
            "SELECT status, COUNT(*) FROM campaign_member WHERE campaign_id = ? AND deleted = 0 "
            "GROUP BY status",
            (campaign_id,),
        ).fetchall()
    )
    starts, ends, currency = conn.execute(
        "SELECT starts_on, COALESCE(ends_on, starts_on), currency FROM campaign WHERE id = ?",
        (campaign_id,),
    ).fetchone()
    leads = {
        r[0]
        for r in conn.execute(
            "SELECT cu.id FROM campaign_member m JOIN customer cu ON cu.id = m.customer_id "
            "WHERE m.campaign_id = ? AND m.deleted = 0 AND m.source = 'walk_in'",
            (campaign_id,),
        )
    }
    cost = sum(
        amount
        for amount, status, cur in conn.execute(
            "SELECT amount, status, currency FROM expense WHERE campaign_id = ? AND deleted = 0",
            (campaign_id,),
        )
        if status != "rejected" and cur == currency
    )
    customers = {
        r[0]
        for r in conn.execute(
            "SELECT customer_id, status FROM campaign_member WHERE campaign_id = ? AND deleted = 0",
            (campaign_id,),
        )
        if r[0] and r[1] == "attended"
    }
    last = (date.fromisoformat(ends) + timedelta(days=90)).isoformat()
    deals = [
        (stage, amount, cur)
        for cid, customer, created, stage, amount, cur in conn.execute(
            "SELECT campaign_id, customer_id, created_at, stage, amount, currency "
            "FROM opportunity WHERE deleted = 0"
        )
        if cid == campaign_id or (customer in customers and starts <= created[:10] <= last)
    ]
    return {
        "invited": sum(by_status.values()),
        "registered": sum(by_status.get(s, 0) for s in ("registered", "attended", "no_show")),
        "attended": by_status.get("attended", 0),
        "leads": len(leads),
        "deals": len(deals),
        "won": sum(a for stage, a, cur in deals if stage == "won" and cur == currency),
        "cost": cost,
    }


def test_figures_equal_plain_sql_on_the_demo(demo: Path) -> None:
    book = Book.open(demo)
    try:
        everything = Period("year", date(2000, 1, 1), date(2100, 1, 1))
        rows = campaign_roi.figures(book, everything)
    finally:
        book.close()
    assert len(rows) == 6
    # The demo makes the report worth reading: people came, money was spent and won.
    assert sum(f.attended for f in rows) > 0 and sum(f.cost for f in rows) > 0
    assert sum(f.won for f in rows) > 0 and sum(f.leads for f in rows) > 0
    conn = sqlite3.connect(demo)
    try:
        for fig in rows:
            got = {k: getattr(fig, k) for k in _plain(conn, fig.id)}
            assert got == _plain(conn, fig.id), fig.name
            if fig.attended and fig.cost:
                assert fig.per_attendee == round(fig.cost / fig.attended)
    finally:
        conn.close()


def test_crm_report_campaigns_writes_md_csv_html(demo: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crm_tui.cli import app

    runner = CliRunner()
    base = ["--db", str(demo), "--now", "2026-11-23T10:00:00+08:00", "report", "campaigns"]
    md = runner.invoke(app, [*base, "--period", "2026"], catch_exceptions=False)
    assert md.exit_code == 0 and "## Return on spend" in md.stdout and "管道技术研讨会" in md.stdout
    out = tmp_path / "campaigns.html"
    html = runner.invoke(app, [*base, "-o", str(out)], catch_exceptions=False)
    assert html.exit_code == 0 and "<table" in out.read_text(encoding="utf-8")
    csv = runner.invoke(app, [*base, "-f", "csv"], catch_exceptions=False)
    assert csv.stdout.startswith("section,row,column,value")
    bad = runner.invoke(app, [*base, "--period", "someday"], catch_exceptions=False)
    assert bad.exit_code == 1 and bad.stderr.startswith("error: --period")
