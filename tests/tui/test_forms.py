"""Pilot tests for RecordForm and the small dialogs (screens/forms.py, screens/pickers.py)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Static

from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import ChoiceScreen, ConfirmScreen, DatePromptScreen, PromptScreen

from .support_b import Host, make_db

pytestmark = pytest.mark.anyio
SIZE = (80, 24)


def customer_form(db: Any, saved: list[dict[str, str]]) -> RecordForm:
    def save(values: dict[str, str]) -> Any:
        saved.append(values)
        return db.repos.customers.create(values)

    return RecordForm(
        "customer", title="New customer", fields=["name", "grade", "email", "birthday"], save=save
    )


async def test_inline_errors_keep_what_was_typed(tmp_path):
    db = make_db(tmp_path, data=False)
    saved: list[dict[str, str]] = []
    app = Host(db, lambda d: customer_form(d, saved))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab")  # name -> grade -> email
        await pilot.press(*"not-an-email")
        await pilot.press("ctrl+s")
        form = app.screen
        assert isinstance(form, RecordForm)
        assert "is required" in str(form.query_one("#note-name", Static).render())
        assert "e-mail" in str(form.query_one("#note-email", Static).render())
        assert form.query_one("#f-email", Input).value == "not-an-email"
        assert db.repos.customers.count() == 0
        form.query_one("#f-name", Input).value = "Acme"
        form.query_one("#f-email", Input).value = "a@acme.cn"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert db.repos.customers.count() == 1
    assert app.results[0].name == "Acme"
    assert saved[-1]["email"] == "a@acme.cn"


async def test_escape_cancels_without_saving(tmp_path):
    db = make_db(tmp_path, data=False)
    saved: list[dict[str, str]] = []
    app = Host(db, lambda d: customer_form(d, saved))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Acme")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # a changed form asks first (issue 13)
        await pilot.press("y")
        await pilot.pause()
    assert app.results == [None]
    assert saved == []
    assert db.repos.customers.count() == 0


async def test_date_field_shows_the_date_meant(tmp_path):
    db = make_db(tmp_path, data=False)
    app = Host(db, lambda d: customer_form(d, []))
    async with app.run_test(size=SIZE) as pilot:
        form = app.screen
        form.query_one("#f-birthday", Input).focus()
        await pilot.press(*"fri")
        await pilot.pause()
        assert "Fri 2026-11-27" in str(form.query_one("#note-birthday", Static).render())


async def test_ref_picker_stores_the_id_and_shows_the_name(tmp_path):
    db = make_db(tmp_path)
    acme = db.repos.customers.resolve("Acme Steel")

    def save(values: dict[str, str]) -> Any:
        return db.repos.opportunities.create(values)

    app = Host(
        db,
        lambda d: RecordForm(
            "opportunity", title="New deal", fields=["customer_id", "title", "amount"], save=save
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"acm")
        await app.workers.wait_for_complete()  # the picker searches in a worker
        await pilot.pause()
        await pilot.press("enter")
        picker_input = app.screen.query_one("#f-customer_id Input", Input)
        assert picker_input.value == "Acme Steel"
        await pilot.press("tab", *"Bolts", "tab", *"1.5万", "ctrl+s")
        await pilot.pause()
    deal = app.results[0]
    assert deal.customer_id == acme.id
    assert deal.amount == 1_500_000


async def test_ref_picker_searches_off_the_ui_thread(tmp_path, monkeypatch):
    import threading

    from crm_tui.services import lookups

    db = make_db(tmp_path)
    threads: list[str] = []
    real = lookups.candidates

    def spy(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(lookups, "candidates", spy)
    app = Host(
        db,
        lambda d: RecordForm(
            "opportunity", title="New deal", fields=["customer_id", "title"], save=lambda v: v
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        ui_thread = threading.current_thread().name
        await pilot.press(*"北京")
        await app.workers.wait_for_complete()
        await pilot.pause()
        options = app.screen.query_one("#f-customer_id OptionList")
        assert [str(o.prompt) for o in options.options] == ["北京钢管有限公司"]
    assert threads and ui_thread not in threads


async def test_enter_before_the_search_answers_still_picks_the_first_match(tmp_path, monkeypatch):
    import threading
    import time

    from crm_tui.services import lookups

    db = make_db(tmp_path)
    acme = db.repos.customers.resolve("Acme Steel")
    real = lookups.candidates
    ui_thread = threading.current_thread()

    def slow_in_workers(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        if threading.current_thread() is not ui_thread:
            time.sleep(0.5)  # a slow disk: the worker answers after the rep pressed enter
        return real(*args, **kwargs)

    monkeypatch.setattr(lookups, "candidates", slow_in_workers)
    app = Host(
        db,
        lambda d: RecordForm(
            "opportunity",
            title="New deal",
            fields=["customer_id", "title"],
            save=d.repos.opportunities.create,
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"acm", "enter")
        assert app.screen.query_one("#f-customer_id Input", Input).value == "Acme Steel"
        await app.workers.wait_for_complete()  # the late answer changes nothing
        await pilot.pause()
        assert app.screen.query_one("#f-customer_id Input", Input).value == "Acme Steel"
        await pilot.press("tab", *"Bolts", "ctrl+s")
        await pilot.pause()
    assert app.results[0].customer_id == acme.id


async def test_ref_picker_refuses_an_unknown_name(tmp_path):
    db = make_db(tmp_path)
    app = Host(
        db,
        lambda d: RecordForm(
            "opportunity",
            title="New deal",
            fields=["customer_id", "title"],
            save=d.repos.opportunities.create,
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Nobody Ltd", "tab", *"X", "ctrl+s")
        await pilot.pause()
        note = str(app.screen.query_one("#note-customer_id", Static).render())
        assert "pick one from the list" in note
        assert app.screen.query_one("#f-customer_id Input", Input).value == "Nobody Ltd"


async def test_edit_form_sends_only_changed_fields(tmp_path):
    db = make_db(tmp_path)
    deal = db.repos.opportunities.resolve("USD export")
    sent: list[dict[str, str]] = []

    def save(values: dict[str, str]) -> Any:
        sent.append(values)
        return db.repos.opportunities.update(deal.id, values)

    app = Host(
        db,
        lambda d: RecordForm(
            "opportunity",
            title="Edit",
            initial=deal.model_dump(),
            fields=["customer_id", "title", "amount", "stage"],
            save=save,
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one("#f-amount", Input).value == "USD 5,000.00"
        await app.workers.wait_for_complete()  # the picker reads the customer's name
        await pilot.pause()
        assert app.screen.query_one("#f-customer_id Input", Input).value == "Acme Steel"
        app.screen.query_one("#f-title", Input).value = "USD export 2"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert sent == [{"title": "USD export 2"}]
    assert db.repos.opportunities.get(deal.id).currency == "USD"


async def test_confirm_prompt_and_choice_dialogs(tmp_path):
    db = make_db(tmp_path, data=False)
    app = Host(db, lambda d: ConfirmScreen("Submit?"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await pilot.pause()
    assert app.results == [True]

    app = Host(db, lambda d: PromptScreen("Name", validate=lambda t: None if t else "say it"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert "say it" in str(app.screen.query_one("#prompt-error", Static).render())
        await pilot.press(*"ok", "enter")
        await pilot.pause()
    assert app.results == ["ok"]

    app = Host(db, lambda d: DatePromptScreen("Won on", d.clock.today()))
    async with app.run_test(size=SIZE) as pilot:
        assert "Mon 2026-11-23" in str(app.screen.query_one("#prompt-hint", Static).render())
        await pilot.press("ctrl+a", "ctrl+k", *"zz", "enter")
        assert app.results == []
        await pilot.press("ctrl+a", "ctrl+k", *"+1d", "enter")
        await pilot.pause()
    assert app.results == ["+1d"]

    app = Host(db, lambda d: ChoiceScreen("Why lost?", ["price", "timing"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter", *"too late", "enter")
        await pilot.pause()
    assert app.results == [("timing", "too late")]

    app = Host(db, lambda d: ChoiceScreen("Why lost?", ["price"]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter", *"budget cut", "enter", "enter")
        await pilot.pause()
    assert app.results == [("budget cut", "")]
