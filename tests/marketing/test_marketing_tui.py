"""Pilot: the campaigns list with its `/` query, invite from a query on a campaign's page,
the registration desk (a known person by phone digits or a CJK name piece; a walk-in who
becomes a lead), and the campaign report in the Reports screen."""

from __future__ import annotations

import pytest

from crm_tui.screens.campaign_detail import CampaignDetailScreen
from crm_tui.screens.campaigns import CampaignsScreen
from crm_tui.screens.check_in_desk import CheckInDeskScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import campaign_members, campaigns
from crm_tui.services.book import Book
from tests.tui.pilot import row_at, settle, wait_for
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio
SIZE = (110, 34)


@pytest.fixture
def expo(db):
    book = Book(db)
    sh = db.repos.customers.create({"name": "上海机电", "city": "上海", "grade": "A"})
    db.repos.contacts.create({"customer_id": sh.id, "name": "李娜", "mobile": "13900001111"})
    db.repos.contacts.create({"customer_id": sh.id, "name": "王强", "mobile": "13900002222"})
    bj = db.repos.customers.create({"name": "北京机电", "city": "北京", "grade": "A"})
    db.repos.contacts.create({"customer_id": bj.id, "name": "赵六", "mobile": "13700003333"})
    campaigns.add_campaign(
        book, {"name": "旧展会", "kind": "exhibition", "starts_on": "2026-01-10", "status": "done"}
    )
    return campaigns.add_campaign(
        book,
        {
            "name": "上海工业博览会",
            "kind": "exhibition",
            "starts_on": "2026-11-25",
            "status": "open",
        },
    )


async def test_campaign_list_query_then_invite_from_a_query(db, expo) -> None:
    app = Host(db, CampaignsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.table.row_count == 2
        await pilot.press("slash", *"status:open start:+0d..+30d", "enter")
        await wait_for(pilot, lambda: screen.table.row_count == 1)
        assert row_at(screen.table, 0)["name"] == "上海工业博览会"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignDetailScreen))
        detail = app.screen
        await settle(pilot)
        assert detail.table.row_count == 0
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"grde:A", "enter")  # refused in the dialog, nothing written
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("#prompt-input").value = ""
        await pilot.press(*"city:上海 grade:A", "enter")
        await wait_for(pilot, lambda: detail.table.row_count == 2)
        names = sorted(row_at(detail.table, i)["name"] for i in range(2))
        assert names == ["李娜", "王强"]
        head = str(detail.query_one("#campaign-head").render())
        assert "invited 2" in head
        # `s` steps the status view: invited shows both, registered none.
        await pilot.press("s", "s")
        await wait_for(pilot, lambda: detail.table.row_count == 0)


async def test_registration_desk_known_person_and_walk_in(db, expo, monkeypatch) -> None:
    from crm_tui.storage.repos_marketing import CampaignMemberRepo

    reads: list[str] = []
    desk_rows = CampaignMemberRepo.desk_rows

    def counted(repo, campaign_id):  # noqa: ANN001, ANN202
        reads.append(campaign_id)
        return desk_rows(repo, campaign_id)

    monkeypatch.setattr(CampaignMemberRepo, "desk_rows", counted)
    book = Book(db)
    campaign_members.invite(book, expo.id, "city:上海")
    li = campaign_members.find_member(book, expo.id, "李娜")
    reads.clear()
    app = Host(db, lambda d: CheckInDeskScreen(Book(d), expo.id))
    async with app.run_test(size=SIZE) as pilot:
        desk = app.screen
        await wait_for(pilot, lambda: desk.loaded)
        assert "上海工业博览会" in str(desk.query_one("#desk-title").render())
        # A few phone digits find her; enter checks her in.
        await pilot.press(*"1111")
        await pilot.pause()
        assert [r.name for r in desk.matches] == ["李娜"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: "checked in" in str(desk.query_one("#desk-last").render()))
        assert db.repos.marketing.members.get(li.id).status == "attended"
        # A CJK name piece; enter again on someone already in says so, writes nothing.
        await pilot.press(*"李")
        await pilot.pause()
        assert [r.name for r in desk.matches] == ["李娜"]
        await pilot.press("enter")
        await pilot.pause()
        assert "already checked in" in str(desk.query_one("#desk-last").render())
        assert reads == [expo.id]  # the list was read once; every key answered from memory
        # Someone not on the list: enter with no match opens the walk-in form.
        desk.query_one("#desk-input").value = ""
        await pilot.press(*"13612345678")
        await pilot.pause()
        assert desk.matches == []
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-name").value = "陈静"
        form.query_one("#f-company").value = "杭州新材料"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is desk)
    walked = campaign_members.find_member(book, expo.id, "陈静")
    assert walked.status == "attended" and walked.source == "walk_in"
    assert walked.phone == "13612345678"
    lead = db.repos.customers.get(walked.customer_id)
    assert lead.name == "杭州新材料" and lead.source == "上海工业博览会"
    follow = db.repos.activities.page(limit=5)
    assert [f.customer_id for f in follow] == [lead.id]


async def test_campaign_report_in_the_reports_screen(db, expo) -> None:
    from crm_tui.screens.reports import ReportsScreen

    book = Book(db)
    campaign_members.invite(book, expo.id, "city:上海")
    campaign_members.attend(book, expo.id, "李娜")
    app = Host(db, ReportsScreen)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        screen = app.screen
        period = screen.period.label
        await wait_for(pilot, lambda: ("campaigns", period, False) in screen._cache)
        report = screen._cache[("campaigns", period, False)]
        funnel = report.section("funnel").rows
        assert [(r[0], r[2], r[4]) for r in funnel] == [("上海工业博览会", 2, 1)]  # 2 in, 1 came
        # Drawn as charts with their numbers: a section per table.
        assert len(screen.query("#body-campaigns .report-section")) == 3


async def test_desk_shows_campaigns_this_week_and_enter_opens_one(db, expo) -> None:
    from crm_tui.app import make_app
    from crm_tui.screens.desk import DeskScreen

    campaign_members.register(Book(db), expo.id, {"name": "张伟", "phone": "13800138000"})
    campaign_members.attend(Book(db), expo.id, "张伟")
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#campaigns")))
        panel = app.screen.query_one("#campaigns")
        lines = [str(o.prompt) for o in panel.options]
        assert lines == ["Wed 11-25   上海工业博览会  1/1 in"]  # the done one (January) is not
        panel.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignDetailScreen))
        assert app.screen.campaign_id == expo.id
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))


async def test_customer_page_lists_its_peoples_campaigns(db, expo) -> None:
    from crm_tui.screens.customer_detail import CustomerDetailScreen

    book = Book(db)
    campaign_members.invite(book, expo.id, "city:上海")
    sh = db.repos.customers.search("上海机电")[0]
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), sh.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        page = app.screen
        table = page.query_one("#table-campaigns")
        await wait_for(
            pilot, lambda: table.row_count == 2 and bool(page.query_one("#campaigns").names)
        )
        assert table.columns[0].cell(row_at(table, 0)) == "上海工业博览会"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignDetailScreen))


async def test_campaign_page_links_a_partner_and_imports_a_list(db, expo, tmp_path) -> None:
    from crm_tui.services import partners

    book = Book(db)
    venue = partners.add_partner(book, {"name": "国家会展中心", "kind": "venue"})
    signups = tmp_path / "报名表.csv"
    signups.write_bytes(
        "姓名,手机,公司\n张伟,13800138000,北京科技\n王五,abc,广州\n".encode("gb18030")
    )
    app = Host(db, lambda d: CampaignDetailScreen(Book(d), expo.id))
    async with app.run_test(size=SIZE) as pilot:
        detail = app.screen
        await settle(pilot)
        await pilot.press("p", *"无此伙伴", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)  # refused in the dialog
        app.screen.query_one("#prompt-input").value = ""
        await pilot.press(*"国家会展中心", "enter")
        await wait_for(
            pilot, lambda: "国家会展中心" in str(detail.query_one("#campaign-head").render())
        )
        assert campaigns.get(book, expo.id).partner_ids == venue.id
        await pilot.press("I")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(signups)
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail.table.row_count == 1)
    assert [m.name for m in campaign_members.members(book, expo.id)] == ["张伟"]
    assert (tmp_path / "报名表.rejected.csv").exists()
