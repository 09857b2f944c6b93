"""A reminder N days before an instalment (issue 19): the app's watcher shows it once, `crm
remind` prints it on both paths (quick sqlite3 and full), `crm plan --remind` and the plan
form set N; settled or cancelled instalments are not reminded of."""

from __future__ import annotations

import contextlib
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from crm_tui import launch
from crm_tui.app import make_app
from crm_tui.domain.fields import ValidationErrors
from crm_tui.screens.contracts import ContractScreen
from crm_tui.screens.pickers import PromptScreen
from crm_tui.screens.reminder import ReminderWatcher
from crm_tui.services import payment_text, payments, reminders
from crm_tui.services.book import Book
from crm_tui.storage.database import open_database
from tests.tui.pilot import settle
from tests.tui.support_b import Host

NOW = "2026-11-23T10:00:00+08:00"  # tests/conftest.py's fixed now: Monday 23 November


def _contract(db, amount: str = "15万"):
    acme = db.repos.customers.create({"name": "北京钢管有限公司"})
    deal = db.repos.opportunities.create({"customer_id": acme.id, "title": "无缝钢管 2027"})
    return payments.new_contract(Book(db), deal_ref=deal.id, amount=amount, signed_on="2026-11-01")


def _lines(book: Book) -> list[str]:
    return [r.title for r in reminders.instalments_due(book)]


def test_reminded_from_remind_days_before_until_settled(db) -> None:
    book = Book(db)
    contract = _contract(db)
    # Due Thu 26 Nov (in 3 days), 26 Dec, 26 Jan; reminded 7 days before by default.
    plan = payments.make_plan(book, contract.id, instalments=3, first="2026-11-26")
    number = contract.number
    assert _lines(book) == [f"instalment 1 of {number} (北京钢管有限公司) ¥50,000.00 due in 3 days"]
    # Remind the second one 35 days before: it is reminded of now too.
    payments.set_remind_days(book, plan[1].id, 35)
    assert len(_lines(book)) == 2
    # A part paid: what is left, of how much.
    payments.record_payment(book, plan[0].id, "2万")
    assert _lines(book)[0].endswith("¥30,000.00 (of ¥50,000.00) due in 3 days")
    # Settled: no longer reminded of.
    payments.record_payment(book, plan[0].id, "3万")
    assert [line.split(" of ")[0] for line in _lines(book)] == ["instalment 2"]
    # Overdue ones are still reminded of (and stay on the desk panel).
    db.clock.advance(timedelta(days=40))  # Sat 2 January
    assert _lines(book)[0].endswith("¥50,000.00 7 days overdue")


def test_cancelled_contract_and_remind_zero(db) -> None:
    book = Book(db)
    contract = _contract(db)
    plan = payments.make_plan(book, contract.id, instalments=1, first="2026-11-24", remind_days=0)
    assert plan[0].remind_days == 0
    assert _lines(book) == []  # due tomorrow, reminded on the day
    db.clock.advance(timedelta(days=1))
    assert _lines(book)[0].endswith("due today")
    payments.set_contract_status(book, contract.id, "cancelled")
    assert _lines(book) == []


def test_remind_days_out_of_range_is_refused(db) -> None:
    book = Book(db)
    contract = _contract(db)
    with pytest.raises(ValidationErrors, match="between 0 and 366"):
        payments.make_plan(book, contract.id, instalments=2, remind_days=400)
    assert payments.plan(book, contract.id) == []
    with pytest.raises(ValidationErrors, match="remind N"):
        payment_text.plan_from_text(book, contract.id, "2 2026-12-01 1m remind soon")
    made = payment_text.plan_from_text(book, contract.id, "2 2026-12-01 1m remind 10")
    assert [r.remind_days for r in made] == [10, 10]


@pytest.mark.anyio
async def test_the_watcher_shows_an_instalment_once(tmp_path, clock) -> None:
    db = open_database(tmp_path / "r.db", clock)
    try:
        book = Book(db)
        contract = _contract(db)
        payments.make_plan(book, contract.id, instalments=1, first="2026-12-03")
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            watcher = ReminderWatcher(app, start=False)
            assert [r for r in watcher.check() if r.kind == "instalment"] == []  # 10 days away
            db.clock.advance(timedelta(days=5))  # 5 days before: reminded (7 by default)
            shown = [r for r in watcher.check() if r.kind == "instalment"]
            await settle(pilot)
            assert [r.title.split(" of ")[0] for r in shown] == ["instalment 1"]
            toasts = [(n.title, str(n.message)) for n in app._notifications]
            assert ("Payment due", shown[0].title) in toasts
            assert "¥150,000.00 due in 5 days" in shown[0].title
            db.clock.advance(timedelta(days=1))
            assert [r for r in watcher.check() if r.kind == "instalment"] == []  # once
    finally:
        db.close()


def _quick(db_path: Path) -> tuple[bool, str]:
    options = launch.quick_remind_options(["--db", str(db_path), "--now", NOW, "remind"])
    assert options is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_remind(options)
    return answered, out.getvalue()


def test_crm_remind_and_crm_plan_remind(crm, db_path: Path) -> None:
    crm("add", "customer", "上海机电")
    deal = crm("add", "opportunity", "电机采购", "--customer", "上海机电").stdout.strip()
    made = crm("contract", "--deal", deal, "--amount", "9万", "--signed", "2026-11-01")
    assert made.exit_code == 0, made.stderr
    number = made.stdout.split()[1]
    planned = crm("plan", number, "-n", "3", "--first", "2026-12-03", "--remind", "5")
    assert planned.exit_code == 0, planned.stderr
    assert crm("plan", number, "-f", "json").stdout.count('"remind_days": 5') == 3
    assert crm("remind").stdout == ""  # 10 days away, reminded 5 days before
    changed = crm("plan", number, "--remind", "12")
    assert changed.exit_code == 0, changed.stderr
    full = crm("remind")
    line = f"instalment 1 of {number} (上海机电) ¥30,000.00 due in 10 days"
    assert full.exit_code == 0 and line in full.stdout and full.stdout.startswith("payment ")
    answered, quick_out = _quick(db_path)
    assert answered and quick_out == full.stdout
    # Bad input: one error line, exit 1, nothing changed.
    for bad in (("--remind", "-1"), ("--remind", "400"), ("--remind", "soon")):
        refused = crm("plan", number, *bad)
        assert refused.exit_code == 1 and refused.stderr.startswith("error:"), refused.stderr
        assert refused.stderr.count("\n") == 1
    assert crm("plan", number, "-f", "json").stdout.count('"remind_days": 12') == 3


@pytest.mark.anyio
async def test_plan_form_and_r_set_remind_days(db) -> None:
    book = Book(db)
    contract = _contract(db)
    app = Host(db, lambda d: ContractScreen(Book(d), contract.id))
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"3 2026-12-01 1m remind 3", "enter")
        await settle(pilot)
        rows = payments.plan(book, contract.id)
        assert [r.remind_days for r in rows] == [3, 3, 3]
        assert rows[0].due_on == date(2026, 12, 1)
        await pilot.press("down", "r")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"20", "enter")
        await settle(pilot)
        assert [r.remind_days for r in payments.plan(book, contract.id)] == [3, 20, 3]


def test_the_agenda_lists_instalments_by_due_day(db) -> None:
    book = Book(db)
    contract = _contract(db, "3万")
    payments.make_plan(
        book,
        contract.id,
        amounts=["1万", "1万", "1万"],
        due=[date(2026, 11, 20), date(2026, 11, 26), date(2027, 1, 5)],
    )
    plan = reminders.agenda(book, 7)
    owed = {day: [i.title for i in items if i.kind == "instalment"] for day, items in plan.items()}
    today = date(2026, 11, 23)
    assert owed[today] == [
        f"instalment 1 of {contract.number} (北京钢管有限公司) ¥10,000.00 3 days overdue"
    ]
    assert owed[date(2026, 11, 26)][0].startswith("instalment 2 of")
    assert not any("instalment 3" in t for titles in owed.values() for t in titles)  # January
