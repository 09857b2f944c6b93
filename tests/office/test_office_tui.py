"""Pilot: a rep writes and submits her daily report (its figures shown and frozen) by
keys; it syncs through a real server; her manager reads it (the receipt) and comments by
keys, and the comment reaches her screen after she syncs; the manager's team view puts the
unread first; the contact log and the customer page's quick log `l`."""

from __future__ import annotations

import pytest

from crm_tui.domain.work_report_specs import load_figures
from crm_tui.screens.contact_log import ContactLogScreen, QuickLogScreen
from crm_tui.screens.pickers import PromptScreen
from crm_tui.screens.work_report_form import ReportFormScreen, ReportReadScreen
from crm_tui.screens.work_reports import TeamReportsScreen, WorkReportsScreen
from crm_tui.services import contact_log, work_reports
from crm_tui.services.book import Book
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio
SIZE = (110, 34)

server = sqlite_server("office-tui")


async def _until(pilot, check, tries: int = 50) -> None:
    """Wait on a condition (workers finishing), never on a fixed sleep."""
    for _ in range(tries):
        await settle(pilot)
        if check():
            return
    raise AssertionError("condition never became true")


async def test_report_written_read_and_commented_across_laptops(laptop) -> None:  # noqa: F811
    rep, boss = laptop(), laptop("manager")
    boss.sync()
    rep.sync()
    acme = rep.db.repos.customers.create({"name": "北京钢管"})
    visit = rep.db.repos.activities.create(
        {"customer_id": acme.id, "subject": "拜访", "kind": "visit", "due_at": "today"}
    )
    rep.db.repos.activities.done(visit.id, outcome="谈了报价")

    app = Host(rep.db, WorkReportsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await _until(pilot, lambda: isinstance(app.screen, ReportFormScreen))
        form = app.screen
        figures = form.query_one("#report-figures")
        await _until(pilot, lambda: "Visits: 1" in str(figures.render()))
        await pilot.press(*"拜访北京钢管")
        await pilot.press("ctrl+t")
        await _until(pilot, lambda: isinstance(app.screen, WorkReportsScreen))
        await _until(pilot, lambda: app.screen.table.row_count == 1)
    book = Book(rep.db)
    (rec,) = work_reports.mine(book)
    assert rec.status == "submitted" and rec.done == "拜访北京钢管"
    assert load_figures(rec.figures)["visits"] == 1
    assert not rep.sync().rejected

    boss.sync()
    app = Host(boss.db, WorkReportsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.screen.table.row_count == 1)
        screen = app.screen
        row = {"id": rec.id, "owner_id": rep.db.user_id, "status": "submitted"}
        assert screen._status(row) == "unread"
        await pilot.press("t")
        await _until(pilot, lambda: isinstance(app.screen, TeamReportsScreen) and app.screen.rows)
        team = app.screen.rows
        assert team[0].name == rep.name and team[0].status == "submitted" and not team[0].read
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ReportReadScreen) and app.screen.view)
        assert "拜访北京钢管" in str(app.screen.query_one("#report-text").render())
        await pilot.press("c")
        await _until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"报价要快", "enter")
        await _until(pilot, lambda: isinstance(app.screen, ReportReadScreen))
        await _until(pilot, lambda: len(app.screen.view.comments) == 1)
    assert not boss.sync().rejected

    rep.sync()
    app = Host(rep.db, lambda d: ReportReadScreen(Book(d), rec.id))
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.screen.view is not None)
        text = str(app.screen.query_one("#report-text").render())
        assert "报价要快" in text and f"Read by {boss.name}" in text


async def test_form_refuses_an_empty_report_inline(db) -> None:
    db.set_state("user_id", "rep-1")
    app = Host(db, WorkReportsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await _until(pilot, lambda: isinstance(app.screen, ReportFormScreen))
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, ReportFormScreen)
        assert "write what was done" in str(app.screen.query_one("#report-error").render())


async def test_n_on_a_submitted_day_shows_the_frozen_report_read_only(db) -> None:
    """`n` on a day already submitted: the frozen figures (not a recount), the text
    read-only, no save/submit offered, and nothing changed by typing (review s12)."""
    from textual.widgets import TextArea

    db.set_state("user_id", "rep-1")
    book = Book(db)
    acme = db.repos.customers.create({"name": "深圳电子"})
    contact_log.log(book, acme.id, channel="call", summary="询价")
    rec = work_reports.draft(book, "daily", done="上午拜访深圳电子")
    work_reports.submit(book, rec.id)
    for _ in range(2):  # logged after the submit: live figures would say 3
        contact_log.log(book, acme.id, channel="visit", summary="又去了")
    app = Host(db, WorkReportsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await _until(pilot, lambda: isinstance(app.screen, ReportFormScreen))
        form = app.screen
        await _until(pilot, lambda: form.submitted)
        figures = str(form.query_one("#report-figures").render())
        assert "frozen" in figures and "Contacts logged: 1" in figures, figures
        assert "submitted, read-only" in str(form.query_one("#report-title").render())
        done = form.query_one("#report-done", TextArea)
        assert done.read_only and done.text == "上午拜访深圳电子"
        keys = str(form.query_one("#report-keys").render())
        assert "save draft" not in keys and "submit" not in keys
        await pilot.press(*"EDITED", "ctrl+s")
        await settle(pilot)
        assert done.text == "上午拜访深圳电子" and app.screen is form
        assert not form.check_action("save", ()) and not form.check_action("submit", ())
    assert work_reports.view(book, rec.id).report.done == "上午拜访深圳电子"


async def test_quick_log_and_the_contact_log_list(db) -> None:
    db.set_state("user_id", "rep-1")
    acme = db.repos.customers.create({"name": "上海机电"})
    app = Host(db, lambda d: QuickLogScreen(Book(d), acme.id, "上海机电"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"visit 30 谈价格")
        await settle(pilot)
        assert "visit, 30 min: 谈价格" in str(app.screen.query_one("#prompt-hint").render())
        await pilot.press("enter")
        await settle(pilot)
    (entry,) = contact_log.of_customer(Book(db), acme.id)
    assert (entry.channel, entry.minutes, entry.summary) == ("visit", 30, "谈价格")

    app = Host(db, ContactLogScreen)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.screen.table.row_count == 1 and app.screen.names)
        await pilot.press("enter")
        await settle(pilot)
        assert app.opened == [("customer", acme.id)]


async def test_l_on_the_customer_page_logs_a_contact_into_its_history(db) -> None:
    from crm_tui.screens.customer_detail import CustomerDetailScreen

    db.set_state("user_id", "rep-1")
    acme = db.repos.customers.create({"name": "深圳电子"})
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        history = app.screen.query_one("#table-history")
        assert history.row_count == 0
        await pilot.press("l")
        await _until(pilot, lambda: isinstance(app.screen, QuickLogScreen))
        await pilot.press(*"wechat 发了样品图", "enter")
        await _until(pilot, lambda: isinstance(app.screen, CustomerDetailScreen))
        await _until(pilot, lambda: history.row_count == 1)
    (entry,) = contact_log.of_customer(Book(db), acme.id)
    assert (entry.channel, entry.summary) == ("wechat", "发了样品图")


async def test_quick_log_reads_chinese_channels_and_refuses_an_unknown_one(db) -> None:
    """`微信 5 客户问价格` is a 5-minute WeChat message; `fax 12 hello` is refused in the
    dialog with the channels it knows, and nothing is saved as a call (review s12)."""
    from textual.widgets import Static

    from crm_tui.screens.customer_detail import CustomerDetailScreen

    db.set_state("user_id", "rep-1")
    acme = db.repos.customers.create({"name": "深圳电子"})
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await _until(pilot, lambda: isinstance(app.screen, QuickLogScreen))
        await pilot.press(*"fax 12 hello", "enter")
        error = app.screen.query_one("#prompt-error", Static)
        await _until(pilot, lambda: "is not a channel" in str(error.render()))
        assert "微信" in str(error.render()) and isinstance(app.screen, QuickLogScreen)
        assert contact_log.of_customer(Book(db), acme.id) == []
        await pilot.press("ctrl+u", *"微信 5 客户问价格", "enter")
        await _until(pilot, lambda: isinstance(app.screen, CustomerDetailScreen))
    (entry,) = contact_log.of_customer(Book(db), acme.id)
    assert (entry.channel, entry.minutes, entry.summary) == ("wechat", 5, "客户问价格")


async def test_reports_screen_has_the_contact_statistics(db) -> None:
    from crm_tui.screens.reports import ReportsScreen

    db.set_state("user_id", "rep-1")
    acme = db.repos.customers.create({"name": "静默客户", "grade": "A"})
    contact_log.log(Book(db), acme.id, channel="call", minutes=9, summary="问候")
    app = Host(db, ReportsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        body = app.screen.query_one("#body-contacts")
        await _until(pilot, lambda: not body.loading and len(body.children) > 0)
        report = app.screen._cache[("contacts", app.screen.period.label, False)]
        channels = report.section("channels")
        assert channels.title == "Contacts by channel (1, 9 min)"
        assert channels.rows == [["call", 1, 9]]


async def test_enter_in_the_contact_log_tab_edits_the_entry(db) -> None:
    from crm_tui.screens.customer_detail import CustomerDetailScreen
    from crm_tui.screens.forms import RecordForm

    db.set_state("user_id", "rep-1")
    acme = db.repos.customers.create({"name": "编辑客户"})
    contact_log.log(Book(db), acme.id, channel="call", minutes=5, summary="询价")
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        history = app.screen.query_one("#table-history")
        await _until(pilot, lambda: history.row_count == 1)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, RecordForm))
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, CustomerDetailScreen))


async def test_a_manager_sets_the_due_rule_from_the_team_view(db) -> None:
    db.set_state("user_id", "mgr-1")
    db.set_state("role", "manager")
    app = Host(db, TeamReportsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await _until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("ctrl+u", *"someday 18:00", "enter")
        await settle(pilot)
        assert "someday" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("ctrl+u", *"mon-sat 19:30", "enter")
        await _until(pilot, lambda: isinstance(app.screen, TeamReportsScreen))
    (rule,) = work_reports.rules(Book(db))
    assert (rule.kind, rule.weekdays, f"{rule.by:%H:%M}") == ("daily", frozenset(range(6)), "19:30")


async def test_M_on_the_customer_page_mails_the_contact_and_logs_it(
    db, tmp_path, monkeypatch
) -> None:
    import os

    from crm_tui.screens.customer_detail import CustomerDetailScreen
    from tests.office.conftest import script

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "opened.txt"
    script(bin_dir / "xdg-open", f'printf "%s" "$1" > {seen}\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    db.set_state("user_id", "rep-1")
    acme = db.repos.customers.create({"name": "邮件客户"})
    db.repos.contacts.create({"customer_id": acme.id, "name": "李雷", "email": "li@example.cn"})
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        table = app.screen.query_one("#table-contacts")
        await _until(pilot, lambda: table.row_count == 1)
        await pilot.press("M")
        await _until(pilot, lambda: seen.exists() and seen.read_text())
    assert seen.read_text() == "mailto:li@example.cn"
    (entry,) = contact_log.of_customer(Book(db), acme.id)
    assert entry.channel == "email" and entry.contact_id is not None
