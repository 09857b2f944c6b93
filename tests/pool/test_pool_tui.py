"""Pilot: the pool screen (lazy list, `/` query incl. `released:`, `c` claims), the desk's
"Going to the pool" panel and its targets, and the targets screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_tui.screens.pool import PoolScreen
from crm_tui.screens.targets import TargetsScreen
from crm_tui.services import pool, targets
from crm_tui.services.book import Book
from tests.pool.conftest import ALICE, BOSS, pulled, sign_in
from tests.tui.pilot import row_at, settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio


def _text(widget) -> str:
    """What a Static shows, as plain text."""
    import io

    from rich.console import Console

    console = Console(width=100, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


@pytest.fixture
def team(db):
    for uid, name, role in (
        (ALICE, "alice", "rep"),
        ("u-bob", "bob", "rep"),
        (BOSS, "boss", "manager"),
    ):
        with db.transaction() as s:
            db.repos.users.apply_remote(
                s, uid, {"fields": {"name": name, "role": role}, "owner_id": uid}, version=1
            )
    sign_in(db, ALICE)
    now = db.clock.now()
    ids = {}
    for name, city, grade, days in (
        ("上海机电", "上海", "A", 3),
        ("上海纺织", "上海", "B", 45),
        ("北京软件", "北京", "A", 10),
    ):
        ids[name] = pulled(
            db,
            "customer",
            {
                "name": name,
                "city": city,
                "grade": grade,
                "pool_since": now - timedelta(days=days),
                "previous_owner_id": "u-bob",
            },
            None,
        )
    return ids


async def test_pool_screen_filters_and_claims(db, team) -> None:
    app = Host(db, PoolScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.table.row_count == 3
        assert row_at(screen.table, 0)["name"] == "上海机电"  # newest in the pool first
        await pilot.press("slash", *"city:上海 released:-30d..", "enter")
        await settle(pilot)
        assert screen.table.row_count == 1
        assert row_at(screen.table, 0)["name"] == "上海机电"
        screen.table.focus()
        await pilot.press("c")
        await settle(pilot)
        assert db.repos.customers.get(team["上海机电"]).owner_id == ALICE
        assert pool.pending(Book(db)) == {team["上海机电"]: "claim"}
        assert screen.table.row_count == 0  # it left the pool
        # A bad query says so and keeps the rows.
        await pilot.press("slash", *" grade:Z", "enter")
        await settle(pilot)
        assert "grade" in (screen.query_one("#query").error or "")


async def test_claim_refused_on_the_laptop_says_why(db, team) -> None:
    boss = Book(db)
    sign_in(db, BOSS, "manager")
    pool.set_rule(boss, "*", {"cap": 1})
    sign_in(db, ALICE)
    db.repos.customers.create({"name": "已有客户"})  # alice owns one: the cap is reached
    app = Host(db, PoolScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert any("cap is 1" in str(n.message) for n in app._notifications)
        assert app.screen.table.row_count == 3


async def test_desk_warns_what_goes_to_the_pool_and_shows_targets(db, team) -> None:
    from crm_tui.app import make_app
    from crm_tui.screens.desk import DeskList, DeskScreen

    now = db.clock.now()
    leaving = db.repos.customers.create(
        {"name": "快到期客户", "claimed_at": now - timedelta(days=27)}
    )
    db.repos.customers.create({"name": "刚认领", "claimed_at": now - timedelta(days=2)})
    sign_in(db, BOSS, "manager")
    targets.set_target(Book(db), "alice", f"{now:%Y-%m}", visits=20)
    sign_in(db, ALICE)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        panel = screen.query_one("#going-to-pool", DeskList)
        assert panel.option_count == 1 and "3 days" in str(panel.get_option_at_index(0).prompt)
        assert screen.query_one("#numbers").border_title == "This month against targets"
        panel.focus()
        panel.highlighted = 0
        assert panel.current_item == ("customer", leaving.id)


async def test_targets_screen_shows_progress_and_steps_months(db, team) -> None:
    sign_in(db, BOSS, "manager")
    month = f"{db.clock.today():%Y-%m}"
    targets.set_target(Book(db), "alice", month, won="10万", visits=10)
    app = Host(db, TargetsScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = _text(app.screen.query_one("#targets"))
        assert "alice" in text and "Visits" in text and "0%" in text
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "no targets set" in _text(app.screen.query_one("#targets"))


async def test_new_customer_form_offers_to_claim_the_pooled_match(db, team) -> None:
    from crm_tui.screens.forms import RecordForm
    from crm_tui.screens.pool_match import CollisionScreen
    from crm_tui.services import records

    book = Book(db)
    app = Host(
        db,
        lambda d: RecordForm(
            "customer",
            title="New customer",
            fields=["name", "city"],
            save=lambda values: records.create(book, "customer", values),
            book=book,
        ),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*"上海机电")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CollisionScreen)
        await pilot.press("enter")  # the first choice: claim it from the pool
        await settle(pilot)
        assert db.repos.customers.get(team["上海机电"]).owner_id == ALICE
        assert db.repos.customers.count() == 3  # no second copy
        assert app.opened == [("customer", team["上海机电"])]


async def test_new_customer_form_on_a_book_never_signed_in_offers_the_pooled_match(db) -> None:
    # Review s12: on the demo book (never signed in) a pooled look-alike only warned.
    from crm_tui.screens.forms import RecordForm
    from crm_tui.screens.pool_match import CollisionScreen
    from crm_tui.services import records

    book = Book(db)
    assert book.user_id is None
    pooled = db.repos.customers.create(
        {"name": "苏州永安化工集团有限公司", "pool_since": db.clock.now() - timedelta(days=16)}
    )
    app = Host(
        db,
        lambda d: RecordForm(
            "customer",
            title="New customer",
            fields=["name", "city"],
            save=lambda values: records.create(book, "customer", values),
            book=book,
        ),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*"苏州永安化工集团有限公司")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CollisionScreen)
        await pilot.press("enter")  # the first choice: claim it from the pool
        await settle(pilot)
        assert db.repos.customers.count() == 1  # no second copy
        assert db.repos.customers.get(pooled.id).pool_since is None
        assert app.opened == [("customer", pooled.id)]


async def test_check_in_and_out_of_a_visit_from_the_follow_ups(db, team) -> None:
    from crm_tui.screens.followups import FollowUpsScreen
    from crm_tui.screens.pickers import PromptScreen

    cust = db.repos.customers.create({"name": "外滩公司", "coordinates": "31.2400,121.4900"})
    visit = db.repos.activities.create(
        {"customer_id": cust.id, "kind": "visit", "subject": "拜访外滩公司", "due_at": "today"}
    )
    app = Host(db, FollowUpsScreen)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert row_at(screen.table, 0)["id"] == visit.id
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"95,10", "enter")  # off the map: refused in the dialog
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*("backspace",) * 5, *"31.2304,121.4737 人民广场", "enter")
        await settle(pilot)
        assert app.screen is screen
        made = db.repos.pool.checkins.of_activity(visit.id)
        assert made.place == "人民广场" and made.flagged and made.distance_m > 1000
        assert any("flagged" in str(n.message) for n in app._notifications)
        db.clock.advance(timedelta(minutes=30))
        await pilot.press("i")  # checked in: now out
        await settle(pilot)
        done = db.repos.pool.checkins.of_activity(visit.id)
        assert done.checked_out_at is not None
        assert any("after 30 min" in str(n.message) for n in app._notifications)


async def test_reports_screen_has_the_field_work_tab(db, team) -> None:
    from crm_tui.screens.reports import ReportsScreen

    sign_in(db, BOSS, "manager")
    targets.set_target(Book(db), "team", f"{db.clock.today():%Y-%m}", visits=30)
    app = Host(db, ReportsScreen)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert screen.current == "field"
        built = screen._cache[("field", screen.period.label, False)]
        rows = built.section("targets").rows
        assert rows and rows[0][1] == "team" and rows[0][2] == "Visits" and rows[0][4] == 30


async def test_customer_page_says_it_is_in_the_pool(db, team) -> None:
    from crm_tui.screens.customer_detail import CustomerDetailScreen

    cid = team["上海机电"]
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), cid))
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        card = str(app.screen.query_one("#card").content)
        assert "In the pool (公海) since 2026-11-20" in card


async def test_a_manager_assigns_from_the_pool(db, team) -> None:
    sign_in(db, BOSS, "manager")
    app = Host(db, PoolScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first = row_at(app.screen.table, 0)["id"]
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"nobody", "enter")
        await settle(pilot)
        assert db.repos.customers.get(first).owner_id is None
        assert any("no team member 'nobody'" in str(n.message) for n in app._notifications)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"bob", "enter")
        await settle(pilot)
        assert db.repos.customers.get(first).owner_id == "u-bob"
        assert app.screen.table.row_count == 2
