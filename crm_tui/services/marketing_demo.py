"""Provides demo data for marketing (issue 16): partners, campaigns through the year (done,
running this week, open for registration, planned), members invited from the book's
contacts — some registered, attended, declined or no-show, a few walk-ins who became leads
— claims linked to the campaigns (their cost), and deals that name a campaign, some won.
Called by the demo after the customers and deals are written.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from crm_tui.services import campaign_members, campaigns, partners

if TYPE_CHECKING:
    from crm_tui.services.book import Book

PARTNERS = (
    ("国家会展中心（上海）", "venue", "刘经理", "021-6700 8888"),
    ("中国机械工业联合会", "co_organiser", "周主任", "010-6859 4321"),
    ("华东管道协会", "co_organiser", "孙秘书长", "025-8432 1100"),
    ("宏达物流", "sponsor", "吴总", "0571-8765 4321"),
    ("恒信阀门经销", "reseller", "郑经理", "0755-2233 4455"),
)
# name, kind, days from today to its start, length in days, status, budget, partner indexes
CAMPAIGNS = (
    ("2026 华东工业博览会", "exhibition", -120, 3, "done", "8万", (0, 1)),
    ("管道技术研讨会·南京", "seminar", -60, 1, "done", "2万", (2,)),
    ("新品线上发布会", "webinar", -25, 1, "done", "5000", ()),
    ("客户开放日", "visit_day", 0, 2, "running", "1.5万", (3,)),
    ("2027 春季展", "exhibition", 40, 3, "open", "10万", (0, 1, 4)),
    ("经销商大会", "seminar", 75, 1, "planned", "3万", (4,)),
)
WALK_INS = (
    ("赵磊", "13512340001", "常州精密机械"),
    ("钱芳", "13612340002", "无锡新能源科技"),
    ("孙浩", "13712340003", ""),
    ("李静", "13812340004", "苏州智能装备"),
    ("周洋", "13912340005", "嘉兴包装材料"),
)


def _at(day: date, hour: int, book: Book) -> datetime:
    return book.clock.at_local(day, time(hour, 0))


def add_marketing(book: Book, *, seed: int = 16) -> dict[str, int]:
    """Write the marketing demo; returns counts."""
    rng = random.Random(seed)
    db = book.db
    today = book.clock.today()
    counts = dict.fromkeys(("partners", "campaigns", "members", "claims", "deals"), 0)
    partner_ids = []
    for name, kind, person, phone in PARTNERS:
        made = partners.add_partner(
            book, {"name": name, "kind": kind, "contact_person": person, "phone": phone}
        )
        partner_ids.append(made.id)
        counts["partners"] += 1
    contacts = db.repos.contacts.page(limit=600)
    companies = {c.id: c.name for c in db.repos.customers.page(limit=600)}
    walk_ins = list(WALK_INS)
    for name, kind, offset, length, status, budget, linked in CAMPAIGNS:
        start = today + timedelta(days=offset)
        campaign = campaigns.add_campaign(
            book,
            {
                "name": name,
                "kind": kind,
                "starts_on": start,
                "ends_on": start + timedelta(days=length - 1),
                "status": status,
                "budget": budget,
                "place": "上海" if kind != "webinar" else "线上",
                "partner_ids": ",".join(partner_ids[i] for i in linked) or None,
            },
        )
        counts["campaigns"] += 1
        added = []
        with db.transaction():  # one commit for the list, not one per person
            batch = campaign_members.MemberBatch(book, campaign)
            for c in rng.sample(contacts, min(len(contacts), rng.randint(25, 45))):
                person = {
                    "name": c.name,
                    "company": companies.get(c.customer_id),
                    "phone": c.mobile or c.phone,
                    "email": c.email,
                    "contact_id": c.id,
                    "customer_id": c.customer_id,
                    "source": "invitation",
                }
                fate, times = _fate(book, rng, start, status)
                member, new = batch.add(person | times, fate)  # one write per person
                if new:
                    added.append(member)
        counts["members"] += len(added)
        if status in ("done", "running") and walk_ins:
            for _ in range(rng.randint(1, 2)):
                if not walk_ins:
                    break
                who, phone, _company = walk_ins.pop()
                counts["members"] += _walk_in(book, rng, campaign, who, phone)
        counts["claims"] += _claims(book, rng, campaign.id, start, status)
        counts["deals"] += _deals(book, rng, campaign.id, added, status)
    return counts


def _walk_in(book: Book, rng: random.Random, campaign: Any, who: str, phone: str) -> int:
    """A walk-in who became a lead. `crm demo --customers N` writes N customers, so the
    lead is one of the book's customers, with the campaign as its source (the desk's walk-in
    makes a new one: services.campaign_members.walk_in)."""
    customers = book.db.repos.customers.page(where=[], limit=50, offset=rng.randint(0, 40))
    if not customers:
        return 0
    lead = rng.choice(customers)
    book.db.repos.customers.update(lead.id, {"source": campaign.name})
    person = {
        "name": who,
        "phone": phone,
        "company": lead.name,
        "customer_id": lead.id,
        "source": "walk_in",
    }
    at = _at(campaign.starts_on, 11, book)
    times = {"registered_at": at, "attended_at": at}
    added = campaign_members.add_people(book, campaign.id, [person | times], "attended").added
    return len(added)


def _fate(book: Book, rng: random.Random, start: date, status: str) -> tuple[str, dict]:
    """Where an invitee ended up (and when), by how far along the campaign is."""
    times: dict[str, Any] = {"invited_at": _at(start - timedelta(days=14), 10, book)}
    roll = rng.random()
    if status == "planned" or roll < 0.15:
        if status != "planned":
            times["declined_at"] = _at(start - timedelta(days=3), 9, book)
            return "declined", times
        return "invited", times
    if roll < 0.3:
        return "invited", times  # never answered
    times["registered_at"] = _at(start - timedelta(days=5), 8, book)
    if status == "open":
        return "registered", times
    if rng.random() < 0.75:
        times["attended_at"] = _at(start, 9, book) + timedelta(minutes=rng.randint(0, 90))
        return "attended", times
    return ("no_show" if status == "done" else "registered"), times


def _claims(book: Book, rng: random.Random, campaign_id: str, start: date, status: str) -> int:
    from crm_tui.services import expenses

    items = [("lodging", "展位及场地"), ("travel", "差旅"), ("gifts", "资料与礼品")]
    made = 0
    for category, text in items[: 1 if status == "open" else 3]:
        claim = expenses.create(
            book,
            {
                "spent_on": min(start, book.clock.today()),
                "category": category,
                "amount": str(rng.randint(8, 120) * 100),
                "description": text,
                "campaign_id": campaign_id,
            },
        )
        if status == "done":
            expenses.submit(book, claim.id)
        made += 1
    return made


def _deals(book: Book, rng: random.Random, campaign_id: str, added: list[Any], status: str) -> int:
    if status not in ("done", "running"):
        return 0
    made = 0
    for member in rng.sample(added, min(len(added), 3)):
        if not member.customer_id:
            continue
        won = status == "done" and rng.random() < 0.5
        book.db.repos.opportunities.create(
            {
                "customer_id": member.customer_id,
                "title": f"展会线索 · {member.company or member.name}",
                "amount": str(rng.randint(2, 30) * 10_000),
                "campaign_id": campaign_id,
            }
            | ({"stage": "won", "closed_on": book.clock.today()} if won else {})
        )
        made += 1
    return made
