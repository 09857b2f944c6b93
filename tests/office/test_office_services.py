"""Work reports and the contact log through the services, on a real SQLite file: the
figures equal plain SQL counts, submitting freezes them, a done follow-up logs its contact,
the team's rule says when today's report is missing, quiet customers by grade."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from crm_tui.domain import work_report_specs as office
from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import contact_log, followups, work_reports
from crm_tui.services.book import Book


@pytest.fixture
def book(db) -> Book:
    db.set_state("user_id", "rep-1")
    return Book(db)


def _busy_day(db, clock) -> None:
    """A rep's Monday: two customers, follow-ups done, a deal won, a claim, a payment."""
    acme = db.repos.customers.create({"name": "北京钢管", "grade": "A"})
    other = db.repos.customers.create({"name": "上海机电", "grade": "C"})
    for kind in ("call", "visit", "visit", "task"):
        act = db.repos.activities.create(
            {"customer_id": acme.id, "subject": f"{kind} 钢管", "kind": kind, "due_at": "today"}
        )
        db.repos.activities.done(act.id, outcome="ok")
    db.repos.activities.create({"customer_id": other.id, "subject": "not done", "due_at": "today"})
    db.repos.opportunities.create({"customer_id": acme.id, "title": "新单", "amount": "5000"})
    db.repos.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "赢单",
            "amount": "2万",
            "stage": "won",
            "closed_on": clock.today().isoformat(),
        }
    )
    db.repos.expenses.create({"spent_on": "today", "amount": "88", "category": "travel"})


def test_period_of_each_kind() -> None:
    wed = date(2026, 11, 25)
    assert office.period_of("daily", wed).label == "2026-11-25"
    week = office.period_of("weekly", wed)
    assert (week.label, week.start, week.end) == (
        "2026-W48",
        date(2026, 11, 23),
        date(2026, 11, 30),
    )
    month = office.period_of("monthly", wed)
    assert (month.label, month.start, month.end) == (
        "2026-11",
        date(2026, 11, 1),
        date(2026, 12, 1),
    )
    assert office.parse_period("weekly", "last", wed).label == "2026-W47"
    assert office.parse_period("monthly", "2026-02", wed).end == date(2026, 3, 1)
    with pytest.raises(office.OfficeError):
        office.parse_period("daily", "someday", wed)


def test_weekdays_and_due_rule() -> None:
    assert office.parse_weekdays("mon-fri") == frozenset(range(5))
    assert office.parse_weekdays("fri,sat") == frozenset({4, 5})
    assert office.format_weekdays(frozenset(range(5))) == "mon-fri"
    with pytest.raises(office.OfficeError):
        office.parse_weekdays("funday")


def test_template_round_trip_and_empty_aborts() -> None:
    text = office.template("Daily report 2026-11-23", {"done": "拜访客户"}, ["Visits: 2"])
    assert "#   Visits: 2" in text
    edited = text.replace("[plan]  # Plan for next period\n", "[plan]  # Plan\n明天报价\n")
    parts = office.parse_template(edited)
    assert parts == {"done": "拜访客户", "plan": "明天报价", "problems": ""}
    assert not any(office.parse_template(office.template("x", {}, [])).values())


def test_figures_equal_plain_sql(book, db, clock) -> None:
    _busy_day(db, clock)
    p = work_reports.period(book, "daily")
    figures = work_reports.figures_for(book, "rep-1", p)
    conn = sqlite3.connect(db.path)
    start = clock.day_start_utc(p.start).strftime("%Y-%m-%d %H:%M:%S")
    end = clock.day_start_utc(p.end).strftime("%Y-%m-%d %H:%M:%S")

    def count(sql: str, *args: object) -> int:
        return conn.execute(sql, args).fetchone()[0]

    done_sql = "FROM activity WHERE deleted = 0 AND done_at >= ? AND done_at < ?"
    assert figures["followups_done"] == count(f"SELECT count(*) {done_sql}", start, end) == 4
    assert figures["visits"] == count(f"SELECT count(*) {done_sql} AND kind = 'visit'", start, end)
    assert figures["new_customers"] == count("SELECT count(*) FROM customer") == 2
    assert figures["deals_created"] == 2
    assert figures["deals_created_amount"] == count("SELECT sum(amount) FROM opportunity")
    assert (figures["deals_won"], figures["deals_won_amount"]) == (1, 2_000_000)
    # A draft claim is not claimed yet: only submitted ones count.
    assert figures["claims"] == count("SELECT count(*) FROM expense WHERE status != 'draft'")
    assert figures["payments"] == 0
    # Another rep's records are not mine.
    assert work_reports.figures_for(book, "rep-2", p)["followups_done"] == 0


def test_submit_freezes_the_figures_and_the_text(book, db, clock) -> None:
    _busy_day(db, clock)
    rec = work_reports.draft(book, "daily", done="拜访北京钢管", plan="报价")
    done = work_reports.submit(book, rec.id)
    frozen = office.load_figures(done.figures)
    assert frozen["followups_done"] == 4 and done.submitted_at is not None
    # Later work does not change a submitted report's figures.
    acme = db.repos.customers.resolve("北京钢管")
    late = db.repos.activities.create({"customer_id": acme.id, "subject": "late", "kind": "call"})
    db.repos.activities.done(late.id)
    view = work_reports.view(book, rec.id)
    assert "Follow-ups done: 4" in view.figures
    assert "Deals won: 1 (¥20,000.00)" in view.figures
    with pytest.raises(ValidationErrors, match="submitted"):
        work_reports.draft(book, "daily", done="改写")
    with pytest.raises(ValidationErrors, match="already submitted"):
        work_reports.submit(book, rec.id)


def test_empty_report_cannot_be_submitted(book) -> None:
    rec = work_reports.draft(book, "daily", problems="")
    with pytest.raises(ValidationErrors, match="write what was done"):
        work_reports.submit(book, rec.id)


def test_recipients_default_to_the_managers(book, db) -> None:
    boss = db.repos.users.create({"name": "王经理", "role": "manager"})
    db.repos.users.create({"name": "李四", "role": "rep"})
    rec = work_reports.draft(book, "weekly", done="本周")
    assert rec.recipients == boss.id
    with pytest.raises(ValidationErrors, match="no team member"):
        work_reports.draft(book, "monthly", done="x", to=["nobody"])


def test_not_written_after_the_rules_time(book, db, clock) -> None:
    # Monday 10:00: the default rule (weekdays by 18:00) is not due yet.
    assert work_reports.not_written(book) == []
    clock.advance(timedelta(hours=9))  # 19:00
    assert work_reports.not_written(book) == ["today's daily report not written (2026-11-23)"]
    rec = work_reports.draft(book, "daily", done="今天")
    work_reports.submit(book, rec.id)
    assert work_reports.not_written(book) == []


def test_only_a_manager_sets_the_rule(book, db, clock) -> None:
    with pytest.raises(ValidationErrors, match="only a manager"):
        work_reports.set_rule(book, "weekly", "fri", "17:00")
    db.set_state("role", "manager")
    work_reports.set_rule(book, "weekly", "fri", "17:00")
    work_reports.set_rule(book, "daily", "mon-sat", "20:00")
    kinds = {r.kind: r for r in work_reports.rules(book)}
    assert kinds["daily"].weekdays == frozenset(range(6))
    with pytest.raises(ValidationErrors, match="weekday"):
        work_reports.set_rule(book, "daily", "someday", "18:00")


def test_done_follow_up_logs_its_contact_in_the_same_step(book, db) -> None:
    acme = db.repos.customers.create({"name": "广州物流"})
    act = db.repos.activities.create({"customer_id": acme.id, "subject": "回访", "kind": "visit"})
    followups.complete(book, act.id, "谈妥了")
    logged = contact_log.of_customer(book, acme.id)
    assert [(e.channel, e.activity_id) for e in logged] == [("visit", act.id)]
    assert "谈妥了" in logged[0].summary
    task = db.repos.activities.create({"customer_id": acme.id, "subject": "备料", "kind": "task"})
    followups.complete(book, task.id, "done")
    assert len(contact_log.of_customer(book, acme.id)) == 1


def test_log_and_mail(book, db) -> None:
    acme = db.repos.customers.create({"name": "深圳电子"})
    zhang = db.repos.contacts.create(
        {"customer_id": acme.id, "name": "张伟", "email": "zhang@example.cn"}
    )
    entry = contact_log.log(book, "深圳电子", channel="call", minutes=12, summary="询价")
    assert (entry.minutes, entry.direction) == (12, "out")
    opened: list[str] = []
    url, mail = contact_log.compose_mail(book, "张伟", "报价单", opener=opened.append)
    assert opened == [url] and url.startswith("mailto:zhang@example.cn?subject=")
    assert (mail.channel, mail.contact_id) == ("email", zhang.id)
    with pytest.raises(ValidationErrors, match="channel"):
        contact_log.log(book, "深圳电子", channel="pigeon")


def test_quiet_customers_by_grade(book, db, clock) -> None:
    a = db.repos.customers.create({"name": "A客户", "grade": "A"})
    b = db.repos.customers.create({"name": "B客户", "grade": "B"})
    db.repos.customers.create({"name": "无级", "grade": None})
    contact_log.log(book, a.id, channel="call", at=clock.now() - timedelta(days=20))
    contact_log.log(book, b.id, channel="call", at=clock.now() - timedelta(days=20))
    count, rows = contact_log.quiet_customers(book)
    assert count == 1 and [r.name for r in rows] == ["A客户"] and rows[0].days == 20
    count, rows = contact_log.quiet_customers(book, {"A": 30, "B": 10})
    assert [r.name for r in rows] == ["B客户"]


def test_contact_stats_by_channel_and_rep(book, db, clock) -> None:
    acme = db.repos.customers.create({"name": "统计客户"})
    for channel, minutes in (("call", 10), ("call", 5), ("wechat", None)):
        contact_log.log(book, acme.id, channel=channel, minutes=minutes)
    got = contact_log.stats(book, clock.today(), clock.today() + timedelta(days=1))
    assert (got.total, got.minutes) == (3, 15)
    assert got.by_channel[0] == ("call", 2, 15)
    assert got.by_rep == [("rep-1", 3, 15)]
    with pytest.raises(PermissionError):
        contact_log.stats(book, clock.today(), clock.today(), team=True)


def test_show_finds_a_report_read_by_its_manager(book, db) -> None:
    from crm_tui.services import records

    rec = work_reports.submit(book, work_reports.draft(book, "daily", done="今天").id)
    db.repos.office.reads.create({"report_id": rec.id, "read_at": "now", "audience": "rep-1"})
    assert records.find_any(book, rec.id)[0] == "work_report"


def test_a_customer_added_this_week_is_not_quiet_yet(book, db, clock) -> None:
    db.repos.customers.create({"name": "新客户", "grade": "A"})
    assert contact_log.quiet_customers(book) == (0, [])
    clock.advance(timedelta(days=15))
    count, rows = contact_log.quiet_customers(book)
    assert count == 1 and rows[0].name == "新客户" and rows[0].days is None


def test_undo_after_submit_says_the_report_is_final(book) -> None:
    from crm_tui.services import records

    work_reports.submit(book, work_reports.draft(book, "daily", done="今天").id)
    with pytest.raises(ValidationErrors, match="submitted report cannot be undone"):
        records.undo_last(book)


def test_editing_an_entry_refuses_a_future_time_and_a_day_of_minutes(book) -> None:
    """The app's edit form saves through contact_log.update: the same rules as `crm log`."""
    acme = book.db.repos.customers.create({"name": "深圳电子"})
    entry = contact_log.log(book, acme.id, channel="电话", summary="询价", minutes=10)
    assert entry.channel == "call"
    with pytest.raises(ValidationErrors, match="in the future"):
        contact_log.update(book, entry.id, {"at": "+2d"})
    with pytest.raises(ValidationErrors, match="minutes"):
        contact_log.update(book, entry.id, {"minutes": "2000"})
    assert contact_log.get(book, entry.id).minutes == 10


def test_quick_log_channel_words() -> None:
    """The quick log reads Chinese and English channel words; a first word before the
    minutes that is no channel is refused with the way to log it as a call."""
    from crm_tui.domain.contact_log_specs import parse_quick_log

    assert parse_quick_log("微信 5 客户问价格") == ("wechat", 5, "客户问价格")
    assert parse_quick_log("拜访 90m 现场看设备") == ("visit", 90, "现场看设备")
    assert parse_quick_log("mail 发了报价单") == ("email", None, "发了报价单")
    assert parse_quick_log("客户问价格") == ("call", None, "客户问价格")
    for bad in ("fax 12 hello", "传真 发了合同", "报价 3 台"):
        with pytest.raises(office.OfficeError, match="is not a channel"):
            parse_quick_log(bad)
    with pytest.raises(office.OfficeError, match="电话 报价 3 台"):
        parse_quick_log("报价 3 台")
    assert parse_quick_log("电话 报价 3 台") == ("call", None, "报价 3 台")
