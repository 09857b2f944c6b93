"""Pilot tests for issue 13's form items: escape asks before discarding a changed form, every
field error shows in one round with the cursor on the first, no hidden tab stop, date
examples that fit the field (item 17), and a new customer like an existing one asks (item 7)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Static

from crm_tui.screens.expenses import CLAIM_FIELDS, checked_claim
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.look_alikes import LookAlikeScreen
from crm_tui.screens.pickers import ConfirmScreen
from crm_tui.services import expenses
from crm_tui.services.book import Book

from .support_b import Host, make_db

pytestmark = pytest.mark.anyio
SIZE = (80, 24)


def claim_form(db: Any, sent: list[dict[str, str]]) -> RecordForm:
    book = Book(db)

    def save(values: dict[str, str]) -> Any:
        sent.append(values)
        return expenses.create(book, values)

    return RecordForm(
        "expense", title="New claim", fields=CLAIM_FIELDS, save=checked_claim(book, save), book=book
    )


def customer_form(db: Any) -> RecordForm:
    return RecordForm(
        "customer",
        title="New customer",
        fields=["name", "phone", "email", "birthday"],
        save=db.repos.customers.create,
    )


def note(form: RecordForm, name: str) -> str:
    return str(form.query_one(f"#note-{name}", Static).render())


async def test_escape_on_an_untouched_form_closes_and_on_a_changed_one_asks(tmp_path):
    db = make_db(tmp_path, data=False)
    app = Host(db, lambda d: customer_form(d))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Acme", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing: the text is still there
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert app.screen.query_one("#f-name", Input).value == "Acme"
        await pilot.press("ctrl+a", "ctrl+k", "escape")  # back to as opened: no question
        await pilot.pause()
    assert app.results == [None]
    assert db.repos.customers.count() == 0


async def test_every_field_error_shows_at_once_and_the_cursor_goes_to_the_first(tmp_path):
    db = make_db(tmp_path)
    sent: list[dict[str, str]] = []
    app = Host(db, lambda d: claim_form(d, sent))
    async with app.run_test(size=SIZE) as pilot:
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-amount", Input).value = "abc"
        form.query_one("#f-receipt", Input).value = "/no/such/receipt.jpg"
        form.query_one("#f-receipt", Input).focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        # One round: the receipt, the amount and the missing date together.
        assert "no file at" in note(form, "receipt")
        assert "not an amount" in note(form, "amount")
        assert "is required" in note(form, "spent_on")
        assert app.focused is form.query_one("#f-spent_on", Input)
    assert sent == []


async def test_tab_after_the_last_field_goes_back_to_the_first(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, lambda d: claim_form(d, []))
    async with app.run_test(size=SIZE) as pilot:
        form = app.screen
        form.query_one("#f-receipt", Input).focus()
        await pilot.press("tab")
        assert app.focused is form.query_one("#f-spent_on", Input)
        await pilot.press("shift+tab", *"x")  # typed text lands in Receipt, not in a hidden stop
        assert form.query_one("#f-receipt", Input).value == "x"


async def test_date_examples_fit_the_field(tmp_path):
    db = make_db(tmp_path, data=False)
    app = Host(db, lambda d: customer_form(d))
    async with app.run_test(size=SIZE):
        placeholder = app.screen.query_one("#f-birthday", Input).placeholder
        assert "fri" not in placeholder and "eom" not in placeholder
        assert "5月17日" in placeholder
    app = Host(db, lambda d: claim_form(d, []))
    async with app.run_test(size=SIZE):
        assert "eom" not in app.screen.query_one("#f-spent_on", Input).placeholder


async def test_a_new_customer_like_an_existing_one_asks_open_or_create(tmp_path):
    db = make_db(tmp_path)  # has "Acme Steel"
    before = db.repos.customers.count()
    app = Host(db, lambda d: customer_form(d))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"acme  steel", "ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LookAlikeScreen)
        assert "Acme Steel" in str(dialog.query_one("#look-alikes").get_option_at_index(0).prompt)
        await pilot.press("escape")  # back to the form, nothing written
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")  # open the existing one
        await pilot.pause()
    acme = db.repos.customers.resolve("Acme Steel")
    assert app.opened == [("customer", acme.id)]
    assert app.results == [None]
    assert db.repos.customers.count() == before

    app = Host(db, lambda d: customer_form(d))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Acme Steel", "ctrl+s")
        await pilot.pause()
        await pilot.press("c")  # create anyway
        await pilot.pause()
    assert app.results[0].name == "Acme Steel"
    assert app.opened == []


async def test_a_customer_unlike_any_other_is_created_without_a_question(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, lambda d: customer_form(d))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Brand New Ltd", "ctrl+s")
        await pilot.pause()
    assert app.results[0].name == "Brand New Ltd"


async def test_a_claim_form_says_deal_not_opportunity(tmp_path):
    from textual.widgets import Label

    db = make_db(tmp_path)
    app = Host(db, lambda d: claim_form(d, []))
    async with app.run_test(size=SIZE):
        labels = [str(label.render()) for label in app.screen.query(Label)]
        assert "Deal" in labels
        assert not any("Opportunity" in label for label in labels)
