"""Through a real `crm server`: two check-in desks at one door, offline. Both add the same
walk-up registrant and both check the same person in; after syncing there is one member
each, attended at the earliest time, on both laptops and for a teammate."""

from __future__ import annotations

from datetime import UTC, datetime

from crm_tui.services import campaign_members, campaigns
from crm_tui.services.book import Book
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

TEN = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TEN_FIVE = datetime(2026, 11, 24, 2, 5, tzinfo=UTC)

server = sqlite_server("marketing")


def test_two_desks_at_one_door_offline_converge(laptop) -> None:  # noqa: F811
    desk_a, desk_b, teammate = laptop(), laptop(), laptop()
    a, b = Book(desk_a.db), Book(desk_b.db)
    expo = campaigns.add_campaign(a, {"name": "深圳电子展", "starts_on": "2026-11-24"})
    zhang = campaign_members.register(a, expo.id, {"name": "张伟", "phone": "13800138000"})
    assert not desk_a.sync().rejected
    desk_b.sync()
    assert desk_b.row("campaign_member", zhang.id)["status"] == "registered"

    # Offline: desk A checks 张伟 in at 10:00, desk B (its clock later) at 10:05.
    campaign_members.step(a, zhang.id, "attended", at=TEN)
    campaign_members.step(b, zhang.id, "attended", at=TEN_FIVE)
    # Both desks register the same newcomer, the phone typed differently.
    one = campaign_members.register(a, expo.id, {"name": "王芳", "phone": "139-0000-1111"})
    two = campaign_members.register(b, expo.id, {"name": "王芳", "phone": "+86 139 0000 1111"})
    assert one.id == two.id

    # B (the later check-in, the newer clock) reaches the server first.
    assert not desk_b.sync().rejected
    assert not desk_a.sync().rejected
    desk_b.sync()
    teammate.sync()
    for desk in (desk_a, desk_b, teammate):
        row = desk.row("campaign_member", zhang.id)
        assert row["status"] == "attended"
        assert row["attended_at"].astimezone(UTC) == TEN, desk.name
        assert row["attended_by"] == desk_a.db.user_id, desk.name
        people = campaign_members.members(Book(desk.db), expo.id)
        assert sorted(m.name for m in people) == ["张伟", "王芳"], desk.name


def test_campaigns_and_partners_are_the_teams_claims_stay_the_owners(laptop) -> None:  # noqa: F811
    from crm_tui.services import expenses, partners

    rep, teammate, boss = laptop(), laptop(), laptop("manager")
    book = Book(rep.db)
    venue = partners.add_partner(book, {"name": "国家会展中心", "kind": "venue"})
    expo = campaigns.add_campaign(
        book, {"name": "广州建材展", "starts_on": "2026-12-10", "partner_ids": venue.id}
    )
    claim = expenses.create(
        book, {"spent_on": "2026-12-01", "amount": "3000", "campaign_id": expo.id}
    )
    member = campaign_members.register(book, expo.id, {"name": "周洋", "phone": "13912340005"})
    report = rep.sync()
    assert not report.rejected, report
    teammate.sync()
    boss.sync()
    assert teammate.row("campaign", expo.id)["partner_ids"] == venue.id
    assert teammate.row("partner", venue.id)["name"] == "国家会展中心"
    assert teammate.row("campaign_member", member.id)["status"] == "registered"
    # The claim is the rep's and the managers': its link to the campaign travels with it.
    assert teammate.row("expense", claim.id) is None
    assert boss.row("expense", claim.id)["campaign_id"] == expo.id
