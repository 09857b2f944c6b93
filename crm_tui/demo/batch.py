"""Provides one batch of demo rows built in Python: customers with their contacts, deals
(with lines) and claims, and the search documents for them.

A batch is built in a worker process from its own seeded generator, so the data does not
depend on how batches are scheduled. The order of the random draws is the data: helpers
here draw in exactly the order the rows need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from crm_tui.demo.gen import Gen, ts
from crm_tui.demo.words import (
    CN_CITIES,
    DISTRICTS,
    EXPENSE_STATUS_WEIGHTS,
    PRODUCTS,
    SOURCES,
    STAGE_WEIGHTS,
    STREETS,
    TAGS,
    TITLES,
)
from crm_tui.domain import rules
from crm_tui.storage.search import index_text, searchable_parts

# The sync columns every demo row starts with after its id and timestamps: no owner yet,
# not deleted, no field clocks, never on a server, no extra fields.
_LOCAL = (0, "{}", 0, "{}")


@dataclass
class Batch:
    customers: list[tuple] = field(default_factory=list)
    contacts: list[tuple] = field(default_factory=list)
    opportunities: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)
    expenses: list[tuple] = field(default_factory=list)
    docs: list[tuple[str, str, str]] = field(default_factory=list)


def build_job(job: tuple) -> Batch:
    """Build one batch in a worker process: its own generator, seeded from the seed and
    the batch's first customer, so the data does not depend on how batches are scheduled."""
    seed, clock, start, n, competitor_ids = job
    g = Gen(seed * 1_000_003 + start, clock)
    g._id_time += start * 20  # ids stay time-ordered across batches
    return build_batch(g, start, n, competitor_ids)


def build_batch(g: Gen, start: int, n: int, competitor_ids: list[str]) -> Batch:
    rng = g.rng
    b = Batch()
    for i in range(start, start + n):
        # Spread evenly over the year: a rep gains a handful of customers a day, not dozens.
        created = g.now - timedelta(days=rng.uniform(0, 365))
        cid = g.uid()
        person, name = _customer(g, b, i, cid, created)
        _contacts(g, b, i, cid, created, name, 0 if person else rng.choice([1, 2, 2, 3]))
        # Opportunities: about one in two customers has a deal.
        opp_ids = _opportunities(g, b, cid, created, competitor_ids)
        if rng.random() < 0.3:
            _expense(g, b, cid, created, opp_ids[0] if opp_ids else None)
    return b


def _customer(g: Gen, b: Batch, i: int, cid: str, created: datetime) -> tuple[bool, str]:
    """Add customer number `i` (a company, or one time in seven a person); (person, name)."""
    rng = g.rng
    person = rng.random() < 0.15
    if person:
        name, key = g.person_name()
        city = g.pick(CN_CITIES)
        industry = None
    else:
        name, key, city, industry = g.company()
    status = g.weighted([("potential", 30), ("contacted", 40), ("closed", 20), ("lost", 10)])
    grade = g.weighted([("A", 15), ("B", 35), ("C", 50)])
    tags = ",".join(sorted(rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2]))))
    phone = g.phone()
    email = f"info{i}@example.com" if not person else f"user{i}@example.com"
    address = f"{city}市{g.pick(DISTRICTS)}{g.pick(STREETS)}{rng.randint(1, 999)}号"
    notes = rng.choice([None, None, "年底有采购计划", "Prefers WeChat", "老客户介绍"])
    birthday = g.birthday(i < 3) if person else None
    kind = "person" if person else "company"
    source = g.pick(SOURCES)
    b.customers.append(
        (cid, None, ts(created), ts(created), *_LOCAL, name, kind, status, grade, industry,
         source, phone, email, address, city, None, tags or None, notes, birthday, key)
    )  # fmt: skip
    record = {
        "name": name,
        "phone": phone,
        "email": email,
        "city": city,
        "address": address,
        "industry": industry,
        "website": None,
        "notes": notes,
        "tags": tags,
    }
    b.docs.append(("customer", cid, index_text(searchable_parts("customer", record))))
    return person, name


def _contacts(
    g: Gen, b: Batch, i: int, cid: str, created: datetime, company: str, count: int
) -> None:
    """Add `count` contacts at customer `i` (the first few customers' first contacts have a
    birthday this week, so the desk shows some)."""
    rng = g.rng
    for j in range(count):
        kid = g.uid()
        name, key = g.person_name()
        soon = i < 8 and j == 0
        birthday = g.birthday(soon) if (soon or rng.random() < 0.6) else None
        phone = g.phone()
        email = f"c{i}_{j}@example.com"
        title = g.pick(TITLES)
        b.contacts.append(
            (kid, None, ts(created), ts(created), *_LOCAL, cid, name, title, None, phone,
             email, birthday, None, key)
        )  # fmt: skip
        b.docs.append(("contact", kid, index_text([name, phone, email, company])))


def _opportunities(
    g: Gen, b: Batch, cid: str, created: datetime, competitor_ids: list[str]
) -> list[str]:
    """Add none, one or two deals (each with one to three lines); their ids."""
    rng = g.rng
    ids = []
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        oid = g.uid()
        stage = g.weighted(STAGE_WEIGHTS)
        amount = rng.randrange(5_000, 2_000_000) // 100 * 100 * 100
        close = g.today + timedelta(days=rng.randint(-60, 120))
        closed_on = lost = None
        if stage in ("won", "lost"):
            close = g.today - timedelta(days=rng.randint(0, 300))
            closed_on = close.isoformat()
            lost = g.pick(list(rules.DEFAULT_LOST_REASONS)) if stage == "lost" else None
        # Opened before it was expected to close (or closed): a deal is never made after
        # the day it stands for, and never today (today's report counts today's deals).
        ago = rng.randint(20, 200)
        before_close = g.local_midnight + timedelta(days=(close - g.today).days - 7 - ago // 10)
        made = ts(min(created, g.now - timedelta(days=ago), before_close))
        title = f"{g.pick(PRODUCTS)[0]} {rng.randint(2, 500)} units"
        probability = rules.STAGE_PROBABILITY[rules.Stage(stage)]
        next_step = rng.choice([None, "发送报价", "Demo next week", "等待预算审批"])
        competitor = rng.choice(competitor_ids) if rng.random() < 0.3 else None
        b.opportunities.append(
            (oid, None, made, made, *_LOCAL, cid, title, stage, amount, "CNY", probability,
             close.isoformat(), next_step, closed_on, lost, competitor, None, made)
        )  # fmt: skip
        _lines(g, b, oid, made)
        ids.append(oid)
    return ids


def _lines(g: Gen, b: Batch, oid: str, made: str) -> None:
    rng = g.rng
    for _ in range(rng.randint(1, 3)):
        product, model = g.pick(PRODUCTS)
        line_id = g.uid()
        price = rng.randrange(100, 50_000) * 100
        quantity = rng.randint(1, 200)
        b.lines.append(
            (line_id, None, made, made, *_LOCAL, oid, product, model, price, "CNY", quantity)
        )


# What a claim of each category is for (issue 13 item 22: a "meals" claim is not a train).
EXPENSE_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "travel": ("高铁票", "机票", "Flight to Shanghai", "Train ticket", "出差补贴"),
    "lodging": ("酒店住宿", "Hotel, 2 nights", "快捷酒店", "Hotel near the plant"),
    "meals": ("工作餐", "Lunch with the buyer", "出差餐费", "Team dinner on site"),
    "entertainment": ("客户招待", "Dinner with the client", "KTV 招待", "宴请客户"),
    "transport": ("Taxi", "出租车", "滴滴打车", "Parking and tolls", "地铁"),
    "gifts": ("中秋月饼礼盒", "Gift basket", "茶叶礼品", "Client gift"),
    "samples": ("Samples", "样品快递", "Sample parts", "样品寄送"),
    "other": ("办公用品", "Printing brochures", "快递费", "Trade fair badge"),
}


def _expense(g: Gen, b: Batch, cid: str, created: datetime, opportunity_id: str | None) -> None:
    """Add one claim in a weighted status, with its submitted and decided times."""
    rng = g.rng
    status = g.weighted(EXPENSE_STATUS_WEIGHTS)
    spent = g.today - timedelta(days=rng.randint(0, 120))
    submitted = ts(g.clock.at_local(spent, time(18))) if status != "draft" else None
    decided = (
        ts(g.clock.at_local(spent + timedelta(days=3), time(10)))
        if status in ("approved", "rejected", "reimbursed")
        else None
    )
    # Recorded on the day of the spending at the latest (the morning, before it is submitted).
    made = min(created, g.local_midnight + timedelta(days=(spent - g.today).days, hours=8))
    row_id = g.uid()
    category = g.pick(list(rules.EXPENSE_CATEGORIES))
    amount = rng.randrange(20, 3000) * 100
    # One draw of five, as before (same seed, same rest of the book); the text fits the category.
    described = EXPENSE_DESCRIPTIONS[category]
    description = described[rng.choice(range(5)) % len(described)]
    note = "超出标准" if status == "rejected" else None
    b.expenses.append(
        (row_id, None, ts(made), ts(made), *_LOCAL, spent.isoformat(), category, amount,
         "CNY", cid, opportunity_id, description, None, status, None, note, submitted, decided)
    )  # fmt: skip
