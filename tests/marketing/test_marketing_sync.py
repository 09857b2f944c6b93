"""Through a real `crm server`: two check-in desks at one door, offline. Both add the same
walk-up registrant and both check the same person in; after syncing there is one member
each, attended at the earliest time, on both laptops and for a teammate."""

from __future__ import annotations

from datetime import UTC, datetime

from crm_tui.services import campaign_members, campaigns
from crm_tui.services.book import Book
from tests.sync.conftest import laptop, server  # noqa: F401  (fixtures)

TEN = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TEN_FIVE = datetime(2026, 11, 24, 2, 5, tzinfo=UTC)


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
