"""Pilot tests for the simple record lists on screens/simple_list.py: partners, products,
competitors and campaigns keep their keys (ids users' keymaps name), `n` adds, `e`/`enter`
edits (campaigns: `enter` opens the members), `escape` leaves the bar then the list."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from crm_tui.screens.campaign_detail import CampaignDetailScreen
from crm_tui.screens.campaigns import CampaignsScreen
from crm_tui.screens.competitors import CompetitorsScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.partners import PartnersScreen
from crm_tui.screens.products import ProductsScreen
from crm_tui.services import campaigns, partners, products
from crm_tui.services.book import Book
from crm_tui.widgets.query_bar import QueryBar

from .pilot import row_at, settle, wait_for
from .support_b import Host

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


def _names(table) -> list[str]:  # noqa: ANN001
    return [row_at(table, i)["name"] for i in range(table.row_count)]


@pytest.mark.parametrize(
    ("screen", "noun", "entity", "keys"),
    [
        (PartnersScreen, "partners", "partner", ["n", "e", "slash", "escape"]),
        (ProductsScreen, "products", "product", ["n", "e", "slash", "escape"]),
        (CompetitorsScreen, "competitors", "competitor", ["n", "e", "slash", "escape"]),
        (CampaignsScreen, "campaigns", "campaign", ["n", "e", "d", "slash", "escape"]),
    ],
)
def test_each_list_keeps_its_keys_ids_and_undo(screen, noun, entity, keys) -> None:  # noqa: ANN001
    own = [b for b in screen.BINDINGS if b.id and b.id.startswith(f"{noun}.")]
    assert [b.key for b in own] == keys  # the footer's order too
    by_key = {b.key: b for b in own}
    assert by_key["n"].id == f"{noun}.new" and by_key["n"].tooltip == f"Add a {entity}"
    assert by_key["e"].tooltip == f"Edit this {entity}"
    assert by_key["escape"].tooltip == "Close this list"
    merged = {b.id for bs in screen._merged_bindings.key_to_bindings.values() for b in bs}
    assert {"list.views", "list.why", f"{noun}.new", f"{noun}.back"} <= merged
    assert screen.undo_entity == entity  # `u` there undoes a change to its own kind


async def test_partners_add_then_enter_edits_in_name_order(db) -> None:
    book = Book(db)
    zeta = partners.add_partner(book, {"name": "Zeta Hall", "kind": "venue"})
    app = Host(db, PartnersScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#query", QueryBar).placeholder.startswith(
            "/ filter: kind:venue or a name"
        )
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm))
        assert app.screen.form_title == "New partner"
        await pilot.press(*"Alpha Expo")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.table.row_count == 2)
        assert _names(screen.table) == ["Alpha Expo", "Zeta Hall"]  # by name
        assert any(n.message == "Saved Alpha Expo." for n in app._notifications)
        screen.table.cursor_row = 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm))
        form = app.screen
        assert form.form_title == "Partner: Zeta Hall"
        form.query_one("#f-phone", Input).value = "010-8888 1234"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
    assert partners.get(book, zeta.id).phone == "010-8888 1234"


async def test_products_edit_the_price_with_e_and_escape_leaves_the_bar_then_the_list(db) -> None:
    book = Book(db)
    reducer = products.add_product(book, {"code": "M-1", "name": "减速机", "list_price": "5000"})
    app = Host(db, ProductsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm))
        form = app.screen
        assert form.form_title == "Product: 减速机"
        assert form.query_one("#f-code", Input).value == "M-1"
        form.query_one("#f-list_price", Input).value = "5200"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert products.find_product(book, reducer.id).list_price == 520000  # minor units
        await pilot.press("slash")
        assert screen.focused is screen.query_one("#query", QueryBar)
        await pilot.press("escape")  # off the bar, onto the rows
        assert screen.focused is screen.table and app.screen is screen
        await pilot.press("escape")  # the list closes
        await wait_for(pilot, lambda: app.screen is not screen)


async def test_campaigns_warn_on_a_namesake_and_enter_opens_the_members(db) -> None:
    book = Book(db)
    expo = campaigns.add_campaign(book, {"name": "博览会", "starts_on": "2026-11-25"})
    app = Host(db, CampaignsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm))
        app.screen.query_one("#f-name", Input).value = "博览会"
        app.screen.query_one("#f-starts_on", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.table.row_count == 2)
        messages = [n.message for n in app._notifications]
        assert "Saved 博览会." in messages
        assert any(m.startswith("Another campaign is also called 博览会") for m in messages)
        screen.table.cursor_row = 0  # by start date: the first one
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm))
        assert app.screen.form_title == "Campaign: 博览会"
        assert app.screen.query_one("#f-starts_on", Input).value == "2026-11-25"
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignDetailScreen))
        assert app.screen.campaign_id == expo.id
