"""The insight commands: `crm survey` (a low score makes a call-back), `crm why` with churn
reasons, `crm segments`, `crm report segments|churn`; bad input is one `error:` line with
nothing written."""

from __future__ import annotations

import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

TODAY = date(2026, 11, 23)


def _count(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book below, made once through the CLI (a dozen commands); each test gets a copy."""
    from typer.testing import CliRunner

    from crm_tui.cli import app

    path = tmp_path_factory.mktemp("insight-book") / "cli.db"
    home = tmp_path_factory.mktemp("insight-home")
    runner = CliRunner()

    def crm(*args: str):  # noqa: ANN202 - as the shared `crm` fixture, on this file
        argv = ["--db", str(path), "--now", "2026-11-23T10:00:00+08:00", *args]
        return runner.invoke(app, argv, catch_exceptions=False)

    with pytest.MonkeyPatch.context() as env:  # as tests/conftest.py's _isolated_dirs
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env.setenv(var, str(home / var.lower()))
        env.delenv("CRM_DB", raising=False)
        env.delenv("CRM_NOW", raising=False)
        env.setenv("TZ", "Asia/Shanghai")
        time.tzset()
        _build(crm)
    time.tzset()
    return path


def _build(crm) -> None:  # noqa: ANN001
    crm("add", "customer", "上海机电", "--grade", "A")
    for i in range(8):  # monthly orders that stopped 100 days ago
        day = TODAY - timedelta(days=100 + 30 * i)
        made = crm(
            "add",
            "opportunity",
            f"订单 {i}",
            "--customer",
            "上海机电",
            "--amount",
            "5万",
            "--stage",
            "won",
            "--closed-on",
            day.isoformat(),
        )
        assert made.exit_code == 0, made.stderr
    crm("add", "customer", "Quiet Prospect")
    crm("add", "customer", "New Buyer")
    crm(
        "add",
        "opportunity",
        "first",
        "--customer",
        "New Buyer",
        "--amount",
        "1000",
        "--stage",
        "won",
        "--closed-on",
        "2026-11-20",
    )


@pytest.fixture
def book(built_book: Path, db_path: Path) -> None:
    """A private copy of the book at the `crm` fixture's path (the backup API: whole even
    if a write-ahead log were left beside the file)."""
    with sqlite3.connect(built_book) as source, sqlite3.connect(db_path) as copy:
        source.backup(copy)
    source.close()
    copy.close()


def test_a_low_score_records_the_survey_and_a_call_back(crm, db_path: Path, book) -> None:
    done = crm("survey", "上海机电", "--score", "2", "--comment", "交货慢")
    assert done.exit_code == 0, done.stderr
    assert "2/5" in done.stdout and "Satisfaction 2/5 (unhappy): call back" in done.stdout
    with sqlite3.connect(db_path) as conn:
        ((score, comment, source),) = conn.execute("SELECT score, comment, source FROM survey")
        ((subject, notes),) = conn.execute(
            "SELECT subject, notes FROM activity WHERE subject LIKE 'Satisfaction%'"
        )
    assert (score, comment, source) == (2, "交货慢", "call")
    assert notes == "交货慢"
    happy = crm("survey", "上海机电", "--score", "5")
    assert happy.exit_code == 0 and "follow-up" not in happy.stdout


def test_a_second_low_score_keeps_the_open_call_back(crm, db_path: Path, book) -> None:
    # Review s12: a second 2/5 while the first call-back was open made an identical second.
    first = crm("survey", "上海机电", "--score", "2", "--comment", "交货慢")
    assert first.exit_code == 0, first.stderr
    again = crm("survey", "上海机电", "--score", "1", "--comment", "还是慢")
    assert again.exit_code == 0, again.stderr
    assert "still open: no second call-back made" in again.stdout

    def call_backs() -> list[tuple[str, str | None]]:
        with sqlite3.connect(db_path) as conn:
            return conn.execute(
                "SELECT id, done_at FROM activity WHERE subject LIKE 'Satisfaction%'"
            ).fetchall()

    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM survey").fetchone()[0] == 2  # both scores
    ((call_id, _),) = call_backs()
    assert call_id[:8] in again.stdout
    # Once it is done, the next low score makes a new call-back.
    assert crm("done", call_id).exit_code == 0
    third = crm("survey", "上海机电", "--score", "2")
    assert third.exit_code == 0 and "(due tomorrow)" in third.stdout
    assert len(call_backs()) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("上海机电", "--score", "7"), "error: score: '7' must be a whole number from 1 to 5"),
        (("上海机电", "--score", "good"), "error: score: 'good' must be a whole number"),
        (("Nobody Inc", "--score", "3"), "error: no customer matches 'Nobody Inc'"),
        (("上海机电", "--score", "3", "--source", "fax"), "error: --source: 'fax' is not one"),
    ],
)
def test_bad_survey_input_is_one_error_line_and_writes_nothing(
    crm, db_path: Path, book, args: tuple[str, ...], message: str
) -> None:
    before = _count(db_path, "outbox")
    done = crm("survey", *args)
    assert done.exit_code == 1
    assert done.stderr.startswith(message), done.stderr
    assert "Traceback" not in done.stderr
    assert _count(db_path, "outbox") == before and _count(db_path, "survey") == 0


def test_why_prints_the_churn_reasons(crm, book) -> None:
    shown = crm("why", "上海机电")
    assert shown.exit_code == 0, shown.stderr
    assert "churn risk" in shown.stdout
    assert "no order for 100 days; usual interval is 30 days" in shown.stdout
    assert "order_overdue" in shown.stdout


def test_segments_lists_groups_with_value(crm, book) -> None:
    shown = crm("segments", "--format", "csv")
    assert shown.exit_code == 0, shown.stderr
    lines = shown.stdout.strip().splitlines()
    assert lines[0].startswith("segment,name,customers")
    # Against the new buyer: frequent and big (high F, M) but not recent (low R).
    assert any(line.startswith("important-keep,重要保持 Important to keep,1,") for line in lines)
    assert any(line.startswith("general-develop,") for line in lines)  # the new buyer
    assert any(line.startswith(",(no purchases),1,") for line in lines)


def test_segment_and_churn_reports_write_md_csv_and_html(
    crm, db_path: Path, tmp_path: Path, book
) -> None:
    from crm_tui.storage.database import open_database

    db = open_database(db_path)  # competitors have no `crm add` yet
    db.repos.competitors.create({"name": "华为"})
    db.close()
    crm(
        "add",
        "opportunity",
        "lost one",
        "--customer",
        "上海机电",
        "--amount",
        "2万",
        "--stage",
        "lost",
        "--closed-on",
        "2026-11-10",
        "--lost-reason",
        "price",
        "--competitor",
        "华为",
    )
    md = crm("report", "segments")
    assert md.exit_code == 0, md.stderr
    assert "# Customer segments (RFM)" in md.stdout and "| 重要保持 | 1 |" in md.stdout
    assert "保持 keep: frequent, not recent" in md.stdout
    churn = crm("report", "churn", "--format", "csv")
    assert churn.exit_code == 0, churn.stderr
    assert "lost,上海机电,Competitor,华为" in churn.stdout
    assert "competitors,华为,Amount,20000.00" in churn.stdout
    assert "at_risk,上海机电,Main reason,no order for 100 days" in churn.stdout
    out = tmp_path / "churn.html"
    assert crm("report", "churn", "-o", str(out)).exit_code == 0
    assert "<h2>Customers lost this period</h2>" in out.read_text("utf-8")
    refused = crm("report", "churn", "--team")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: --team: only a manager")


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("segment:重要保持", "segment = 'important-keep'"),
        (
            "segment:important-keep,general-develop",
            "segment IN ('important-keep', 'general-develop')",
        ),
        ("segment:none", "segment IS NULL"),
        ("risk>0.6", "risk > 0.6"),
        ("risk<=50%", "risk <= 0.5"),
        ("clv>100k", "clv > 10000000"),
    ],
)
def test_query_words_match_plain_sql(crm, db_path: Path, book, query: str, where: str) -> None:
    crm("segments")  # makes the stored figures current
    shown = crm("query", "customers", query, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    import json

    names = sorted(row["name"] for row in json.loads(shown.stdout))
    with sqlite3.connect(db_path) as conn:
        plain = sorted(
            r[0] for r in conn.execute(f"SELECT name FROM customer WHERE deleted = 0 AND {where}")
        )
    assert names == plain


def test_bad_query_words_say_what_is_wrong(crm, book) -> None:
    bad = crm("query", "customers", "segment:重要")
    assert bad.exit_code == 1 and "'重要' is not a segment" in bad.stderr
    bad = crm("query", "customers", "risk>high")
    assert bad.exit_code == 1 and "'high' is not a risk from 0 to 1" in bad.stderr


def test_crm_add_survey_is_the_same_verb_and_its_ids_resolve(crm, book) -> None:
    made = crm("add", "survey", "上海机电", "--score", "4", "--comment", "ok")
    assert made.exit_code == 0, made.stderr
    survey_id = made.stdout.split()[1].rstrip(":")
    shown = crm("show", survey_id)
    assert shown.exit_code == 0 and "score        4" in shown.stdout
    listed = crm("list", "surveys", "--format", "csv")
    assert listed.exit_code == 0 and survey_id[:8] in listed.stdout
