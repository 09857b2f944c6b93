"""Pilot tests for the deals screen: list and board, stage moves, new and edit."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from crm_tui.domain.rules import Stage
from crm_tui.screens.deal_lost import LostDialog
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.opportunities import OpportunitiesScreen
from crm_tui.screens.pickers import DatePromptScreen
from crm_tui.storage import pipeline
from crm_tui.widgets.board import Board, short_money
from tests.tui.pilot import row_at

from .pilot import settle
from .support_b import Host, make_db

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


async def start(pilot, app) -> OpportunitiesScreen:
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, OpportunitiesScreen)
    return screen


async def show_all(pilot) -> None:
    """Clear the bar's opening `stage:open` so won and lost deals show too."""
    await pilot.press("slash", "ctrl+u", "enter")
    await settle(pilot)


async def select(pilot, screen: OpportunitiesScreen, title: str) -> None:
    """Put the list cursor on the deal called `title`."""
    table = screen.table
    for index in range(table.row_count):
        row = row_at(table, index)
        if row and row["title"] == title:
            table.cursor_row = index
            await pilot.pause()
            return
    raise AssertionError(f"no row {title}")


async def test_brackets_move_a_deal_between_open_stages(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await select(pilot, screen, "Pipe order Q1")
        await pilot.press("right_square_bracket")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert db.repos.opportunities.resolve("Pipe order Q1").stage == "proposal"
        await pilot.press("left_square_bracket")
        await pilot.pause()
    deal = db.repos.opportunities.resolve("Pipe order Q1")
    assert deal.stage == "qualified"
    assert deal.probability == 25


async def test_moving_to_won_asks_the_date_and_escape_leaves_the_deal(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await select(pilot, screen, "Flange supply")
        await pilot.press("right_square_bracket", "escape")
        await pilot.pause()
        assert db.repos.opportunities.resolve("Flange supply").stage == "negotiation"
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert isinstance(app.screen, DatePromptScreen)
        await pilot.press("ctrl+a", "ctrl+k", *"yesterday", "enter")
        await pilot.pause()
    deal = db.repos.opportunities.resolve("Flange supply")
    assert deal.stage == "won"
    assert deal.closed_on.isoformat() == "2026-11-22"


async def test_moving_to_lost_asks_the_reason_and_a_new_reason_joins_the_list(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await show_all(pilot)
        await select(pilot, screen, "Old win")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert isinstance(app.screen, LostDialog)
        assert app.screen.query_one(OptionList).option_count == 8
        await pilot.press("end", "enter")  # other…
        await pilot.press(*"budget frozen", "tab", *"call again in Q3", "enter")
        await pilot.pause()
    deal = db.repos.opportunities.resolve("Old win")
    assert deal.stage == "lost"
    assert deal.lost_reason == "budget frozen"
    assert deal.lost_note == "call again in Q3"
    names = db.repos.lost_reasons.names()
    assert "budget frozen" in names and "price" in names


async def test_board_shows_stages_with_totals_and_moves_the_selected_card(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await select(pilot, screen, "Valve retrofit")
        await pilot.press("b")
        await settle(pilot)
        board = screen.query_one(Board)
        assert board.has_focus
        assert board.selected.title == "Valve retrofit"
        proposal = board.columns[2]
        assert proposal.count == 2
        assert proposal.totals["CNY"].total == 5_300_050
        assert proposal.totals["CNY"].weighted == 2_650_025
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert board.selected.title == "Valve retrofit"
        assert board.columns[3].count == 2
        await pilot.press("left", "up", "down")
        assert board.column == 2
        await pilot.press("b")
        assert screen.table.has_focus
    assert db.repos.opportunities.resolve("Valve retrofit").stage == "negotiation"


async def test_new_deal_names_its_competitor(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        await pilot.press(*"北京", "enter", "tab", *"钢板", "tab")
        form.query_one("#f-amount", Input).value = "2万"
        form.query_one("#f-competitor_id Input", Input).focus()
        await pilot.press(*"Glob")
        await pilot.pause()
        await pilot.press("enter", "ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
    deal = db.repos.opportunities.resolve("钢板")
    assert deal.amount == 2_000_000
    assert db.repos.competitors.get(deal.competitor_id).name == "Globex"
    assert deal.probability == 10


async def test_enter_opens_the_deal_form_and_edits_it(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await show_all(pilot)
        await select(pilot, screen, "Old win")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.query_one("#f-closed_on", Input).value == "2026-11-23"
        form.query_one("#f-next_step", Input).value = "send invoice"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert db.repos.opportunities.resolve("Old win").next_step == "send invoice"


def test_board_reads_a_window_per_stage_with_totals_from_sql(tmp_path):
    db = make_db(tmp_path)
    columns = pipeline.board(db, per_stage=1)
    lead = columns[0]
    assert lead.count == 2 and len(lead.cards) == 1 and lead.more == 1
    assert lead.cards[0].title == "Pipe order Q1"  # earliest expected close first
    assert set(lead.totals) == {"CNY", "USD"}
    assert columns[4].cards[0].title == "Old win"


def test_short_money_fits_narrow_columns():
    assert short_money(12_000_000, "CNY", 20) == "¥120,000.00"
    assert short_money(12_000_000, "CNY", 8) == "¥120,000"
    assert short_money(12_000_000, "CNY", 7) == "¥120.0k"


def test_stage_cards_page_on_past_the_dated_deals(tmp_path):
    db = make_db(tmp_path)
    lead = [card.title for card in pipeline.stage_cards(db, Stage.PROPOSAL, limit=5)]
    assert lead == ["Valve retrofit", "个人采购"]  # undated last
    assert [c.title for c in pipeline.stage_cards(db, Stage.PROPOSAL, offset=1)] == ["个人采购"]
    assert pipeline.stage_cards(db, Stage.PROPOSAL, offset=2) == []


async def test_board_loads_more_cards_at_the_end_of_a_column(tmp_path):
    db = make_db(tmp_path)
    customer = db.repos.customers.resolve("Acme Steel")
    for day in range(1, 8):
        db.repos.opportunities.create(
            {
                "customer_id": customer.id,
                "title": f"Bulk {day}",
                "expected_close": f"2027-02-0{day}",
            }
        )
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await pilot.press("b")
        await settle(pilot)
        board = screen.query_one(Board)
        lead = board.columns[0]
        lead.cards[:] = lead.cards[:3]  # as if the window held three cards
        board.column, board.rows[0] = 0, 0
        await pilot.press("down", "down")
        await settle(pilot)
        assert len(lead.cards) == 9 and lead.more == 0
        await pilot.press("down")
        assert board.selected.title == lead.cards[3].title


async def test_palette_opens_the_deals_board_and_the_competitors(tmp_path):
    from crm_tui.app import make_app
    from crm_tui.screens.competitors import CompetitorsScreen

    db = make_db(tmp_path)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Deals board")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OpportunitiesScreen) and screen.board_mode
        assert screen.query_one(Board).has_focus
        await pilot.press("ctrl+p", *"Competitors")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompetitorsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_the_deals_list_opens_on_open_deals(tmp_path):
    """Issue 13 item 22: the list opens on `stage:open` (said in the bar), not on old won
    and lost deals; clearing the bar shows every deal."""
    db = make_db(tmp_path)
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        assert screen.query_one("#query").value == "stage:open"
        stages = {row_at(screen.table, i)["stage"] for i in range(screen.table.row_count)}
        assert stages and stages <= {"lead", "qualified", "proposal", "negotiation"}
        await show_all(pilot)
        titles = {row_at(screen.table, i)["title"] for i in range(screen.table.row_count)}
        assert "Old win" in titles


async def test_l_marks_lost_from_any_stage_with_the_highlighted_reason(tmp_path):
    """Issue 13 item 16: `l` from an open stage goes straight to the reason (no "Won on
    which day?"); the reason marked is the highlighted one, and the arrows change it until
    confirmed, also from the note; the moved deal stays in the filtered list."""
    db = make_db(tmp_path)
    app = Host(db, OpportunitiesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await select(pilot, screen, "Pipe order Q1")
        await pilot.press("l")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LostDialog)
        reasons = dialog.reasons
        await pilot.press("down")
        await pilot.pause()
        assert dialog.chosen == reasons[1]
        assert "● " + reasons[1] in str(dialog.query_one(OptionList).get_option_at_index(1).prompt)
        await pilot.press("tab", *"too dear")  # on to the note
        await pilot.press("down")  # the arrows still change the reason
        await pilot.pause()
        assert dialog.chosen == reasons[2]
        assert reasons[2] in str(dialog.query_one("#lost-chosen").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OpportunitiesScreen)
        deal = db.repos.opportunities.resolve("Pipe order Q1")
        assert (deal.stage, deal.lost_reason, deal.lost_note) == ("lost", reasons[2], "too dear")
        assert deal.closed_on is not None
        titles = [row_at(screen.table, i)["title"] for i in range(screen.table.row_count)]
        assert "Pipe order Q1" in titles  # still reachable under stage:open
        assert screen.table.current_row["title"] == "Pipe order Q1"


def test_winning_a_lost_deal_clears_why_it_was_lost(tmp_path):
    """Review D1: the board's step back from lost (and `crm won`) reach won; the deal must
    not keep its lost reason, note and the competitor who won it."""
    from crm_tui.services import deals
    from crm_tui.services.book import Book

    db = make_db(tmp_path)
    book = Book(db)
    deal = db.repos.opportunities.resolve("Valve retrofit")
    rival = db.repos.competitors.resolve("Globex")
    deals.mark_lost(book, deal.id, "price", "too dear")
    deals.update(book, deal.id, {"competitor_id": rival.id})
    won = deals.move(book, deal.id, -1, closed_on=None)
    assert won.stage == "won"
    assert (won.lost_reason, won.lost_note, won.competitor_id) == (None, None, None)
    assert won.closed_on == book.clock.today()
