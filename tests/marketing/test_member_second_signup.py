"""A person on a list twice (two contacts sharing a phone, a re-imported list) moves on only
by a step that exists: a declined invitee may still register, but never becomes a no-show
(the default demo book failed to build on exactly this)."""

from __future__ import annotations

from crm_tui.services import campaign_members, campaigns
from crm_tui.services.book import Book


def test_a_second_sign_up_moves_on_only_by_a_real_step(db) -> None:
    book = Book(db)
    expo = campaigns.add_campaign(book, {"name": "武汉技术交流会", "starts_on": "2026-11-10"})
    person = {"name": "李娜", "phone": "13900000000"}
    declined = campaign_members.add_people(book, expo.id, [person], "declined").added[0]
    again = campaign_members.add_people(book, expo.id, [person], "no_show")
    assert again.added == [] and campaign_members.members(book, expo.id)[0].status == "declined"
    campaign_members.add_people(book, expo.id, [person], "registered")
    [member] = campaign_members.members(book, expo.id)
    assert (member.id, member.status) == (declined.id, "registered")
