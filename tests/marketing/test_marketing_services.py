"""Campaigns, members and partners through the services, on a real SQLite file: a person is
on a campaign once, status steps stamp when and by whom, a walk-in becomes a lead, the
desk's index finds people by phone digits or a CJK name piece."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm_tui.domain import marketing_specs as rules
from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import campaign_members, campaigns, partners
from crm_tui.services.book import Book
from crm_tui.services.check_in import CheckInIndex
from crm_tui.services.lists import QueryError


@pytest.fixture
def book(db) -> Book:
    return Book(db)


@pytest.fixture
def expo(book: Book):
    return campaigns.add_campaign(
        book,
        {
            "name": "上海工业博览会",
            "kind": "exhibition",
            "starts_on": "2026-11-24",
            "ends_on": "2026-11-26",
            "budget": "5万",
        },
    )


def test_campaign_fields_and_dates(book: Book, expo) -> None:
    assert (expo.kind, expo.status, expo.budget) == ("exhibition", "planned", 5_000_000)
    with pytest.raises(ValidationErrors, match="end is before the start"):
        campaigns.add_campaign(
            book, {"name": "X", "starts_on": "2026-12-05", "ends_on": "2026-12-01"}
        )
    with pytest.raises(ValidationErrors, match="not one of"):
        campaigns.add_campaign(book, {"name": "X", "kind": "party"})
    assert campaigns.find(book, "上海工业博览会").id == expo.id
    from crm_tui.domain.dates import Clock
    from crm_tui.services import campaign_desk

    week = campaign_desk.this_week(book.path, book.clock)  # Monday 2026-11-23
    assert [(c.id, c.starts_on) for c in week] == [(expo.id, date(2026, 11, 24))]
    later = Clock(fixed=datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    assert campaign_desk.this_week(book.path, later) == []


def test_a_person_is_on_a_campaign_once(book: Book, expo) -> None:
    first = campaign_members.register(
        book, expo.id, {"name": "张伟", "phone": "138 0013 8000", "company": "北京科技"}
    )
    assert first.status == "registered" and first.registered_at is not None
    # The same phone written differently, an e-mail match, and name+company: one member.
    again = campaign_members.add_people(
        book, expo.id, [{"name": "张伟 (销售)", "phone": "+86 13800138000"}]
    )
    assert again.added == [] and [m.id for m in again.already] == [first.id]
    # The id comes from the campaign and the person's key: the same on every laptop.
    assert first.id == rules.member_id(expo.id, {"phone": "13800138000"})
    assert len(campaign_members.members(book, expo.id)) == 1


def test_invite_from_a_query_then_register_moves_them_on(book: Book, db, expo) -> None:
    sh = db.repos.customers.create({"name": "上海机电", "city": "上海", "grade": "A"})
    db.repos.contacts.create({"customer_id": sh.id, "name": "李娜", "mobile": "13900001111"})
    db.repos.contacts.create({"customer_id": sh.id, "name": "王强", "email": "wq@sh.cn"})
    lone = db.repos.customers.create(
        {"name": "上海个体", "city": "上海", "grade": "A", "phone": "021-5555 1234"}
    )
    db.repos.customers.create({"name": "北京机电", "city": "北京", "grade": "A"})
    result = campaign_members.invite(book, expo.id, "grade:A city:上海")
    names = sorted(m.name for m in result.added)
    assert names == ["上海个体", "李娜", "王强"]
    assert all(m.status == "invited" and m.invited_at for m in result.added)
    assert {m.customer_id for m in result.added} == {sh.id, lone.id}
    # Inviting again adds no one; registering an invitee moves them on.
    assert campaign_members.invite(book, expo.id, "grade:A city:上海").added == []
    moved = campaign_members.register(book, expo.id, {"name": "李娜", "phone": "139-0000-1111"})
    assert moved.status == "registered" and moved.contact_id is not None
    with pytest.raises(QueryError):
        campaign_members.invite(book, expo.id, "grde:A")


def test_attend_by_phone_digits_or_name_and_steps(book: Book, expo) -> None:
    a = campaign_members.register(book, expo.id, {"name": "张伟", "phone": "13800138000"})
    campaign_members.register(book, expo.id, {"name": "张伟华", "phone": "13700001234"})
    with pytest.raises(ValidationErrors, match="matches 2 people"):
        campaign_members.attend(book, expo.id, "张")
    done = campaign_members.attend(book, expo.id, "8000")
    assert done.id == a.id and done.status == "attended" and done.attended_at is not None
    with pytest.raises(ValidationErrors, match="already checked in at 10:00"):
        campaign_members.attend(book, expo.id, "张伟")
    with pytest.raises(ValidationErrors, match="no one on"):
        campaign_members.attend(book, expo.id, "赵六")
    with pytest.raises(ValidationErrors, match="cannot become registered"):
        campaign_members.step(book, a.id, "registered")


def test_walk_in_becomes_a_lead(book: Book, db, expo) -> None:
    member = campaign_members.walk_in(
        book, expo.id, {"name": "陈静", "phone": "13612345678", "company": "杭州新材料"}
    )
    assert member.status == "attended" and member.source == "walk_in"
    customer = db.repos.customers.get(member.customer_id)
    assert customer.name == "杭州新材料" and customer.source == "上海工业博览会"
    contact = db.repos.contacts.get(member.contact_id)
    assert contact.name == "陈静" and contact.mobile == "13612345678"
    follow = db.repos.activities.page(where=[], limit=10)
    assert [f.subject for f in follow] == ["Follow up walk-in 陈静 (上海工业博览会)"]
    assert follow[0].due_at is not None and follow[0].customer_id == customer.id
    # The same person coming back is checked in, not made a second lead.
    again = campaign_members.walk_in(book, expo.id, {"name": "陈静", "phone": "136 1234 5678"})
    assert again.id == member.id and db.repos.customers.count() == 1


def test_partners_link_to_campaigns(book: Book, expo) -> None:
    venue = partners.add_partner(
        book, {"name": "国家会展中心", "kind": "venue", "contact_person": "刘经理"}
    )
    with pytest.raises(ValidationErrors, match="not one of"):
        partners.add_partner(book, {"name": "X", "kind": "friend"})
    partners.link_partner(book, expo.id, "国家会展中心")
    partners.link_partner(book, expo.id, venue.id)  # twice: still once
    linked = campaigns.find(book, expo.id)
    assert [p.name for p in campaigns.partners_of(book, linked)] == ["国家会展中心"]
    assert [c.id for c in partners.campaigns_of(book, venue.id)] == [expo.id]
    partners.unlink_partner(book, expo.id, venue.id)
    assert partners.campaigns_of(book, venue.id) == []


def test_check_in_index_answers_from_memory() -> None:
    rows = [
        (f"id{i:05d}", f"客户{i}", f"公司{i % 7}", f"138{i:08d}", f"p{i}@x.cn", "registered", None)
        for i in range(10_000)
    ]
    rows.append(("idzw", "张伟", "北京科技", "139 0000 1111", "zw@bj.cn", "attended", None))
    rows.append(("idzw2", "张伟华", "", "", "", "registered", None))
    index = CheckInIndex(rows)
    assert {r.id for r in index.search("0000 1111")} == {"id01111", "idzw"}
    assert {r.id for r in index.search("张伟")} == {"idzw", "idzw2"}
    # Who is not yet checked in comes first.
    assert [r.id for r in index.search("张伟")] == ["idzw2", "idzw"]
    assert [r.id for r in index.search("ＺＷ@bj")] == ["idzw"]
    index.update("idzw2", status="attended")
    assert index.by_id["idzw2"].status == "attended"


def test_a_walk_in_at_a_teammates_campaign_names_its_owner(book: Book, db) -> None:
    # The team is pulled from the server; here, written directly.
    from crm_tui.domain.models import User

    with db.transaction() as s:
        now = db.clock.now()
        s.add(User(id="u-wang", name="王芳", created_at=now, updated_at=now))
    db.set_state("user_id", "u-wang")
    fair = campaigns.add_campaign(book, {"name": "杭州展"})
    db.set_state("user_id", "u-li")  # 李 staffs the desk
    campaign_members.walk_in(book, fair.id, {"name": "陈静", "phone": "13612345678"})
    follow = db.repos.activities.page(limit=5)
    assert [f.subject for f in follow] == ["Follow up walk-in 陈静 (杭州展) for 王芳"]


def test_reminders_name_my_campaigns_starting_today_or_tomorrow(book: Book, db) -> None:
    from crm_tui.services import reminders

    campaigns.add_campaign(book, {"name": "明天的研讨会", "starts_on": "2026-11-24"})
    campaigns.add_campaign(book, {"name": "下周的展会", "starts_on": "2026-11-30"})
    db.set_state("user_id", "u-other")
    campaigns.add_campaign(book, {"name": "别人的活动", "starts_on": "2026-11-23"})
    db.set_state("user_id", None)
    found = [r for r in reminders.due_now(book) if r.kind == "campaign"]
    assert [(r.title, r.when.isoformat()) for r in found] == [("明天的研讨会", "2026-11-24")]
