"""Property tests: a compiled query returns exactly what a plain Python filter returns.

One seeded book (Chinese and Latin names, cities, tags, deals, follow-ups) is built once;
Hypothesis then writes queries from the grammar and both sides are compared.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_tui.domain.dates import Clock, parse_date
from crm_tui.domain.money import parse_money
from crm_tui.services import lists
from crm_tui.storage import filter_sql, search
from crm_tui.storage.database import open_database

# The same fixed moment as conftest.py: Monday 2026-11-23 10:00 in Shanghai.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
# Overdue means due before the start of today in the rep's zone (issue 13 item 8).
DAY_START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
PIECES = ["华为", "钢铁", "科技", "贸易", "Acme", "Steel", "Nova"]
CITIES = ["北京市", "北京", "上海", "上海浦东", "Shenzhen", None]
TAGS = ["vip", "cold", "steel", "大客户"]
GRADES = ["A", "B", "C"]
STATUSES = ["potential", "contacted", "closed", "lost"]
STAGES = ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
DATE_WORDS = [
    "today",
    "tomorrow",
    "yesterday",
    "sow",
    "eow",
    "som",
    "eom",
    "+3d",
    "-2d",
    "+1w",
    "2026-12-01",
]


def compile_filter(entity_name: str, text: str, *, db) -> list:
    """The SQL clauses of a query's Filter (services.lists.compile -> storage.filter_sql)."""
    return filter_sql.where(lists.compile(db, entity_name, text))


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    clock = Clock(fixed=NOW, zone=ZONE)
    db = open_database(tmp_path_factory.mktemp("props") / "crm.db", clock)
    db.set_state("user_id", "u-me")
    rnd = random.Random(4)
    r = db.repos
    for i in range(40):
        values = {
            "name": f"{rnd.choice(PIECES)} {rnd.choice(PIECES)}{i}",
            "city": rnd.choice(CITIES),
            "grade": rnd.choice(GRADES + [None]),
            "status": rnd.choice(STATUSES),
            "tags": ",".join(rnd.sample(TAGS, rnd.randint(0, 2))) or None,
        }
        customer = r.customers.create({k: v for k, v in values.items() if v is not None})
        for _ in range(rnd.randint(0, 2)):
            stage = rnd.choice(STAGES)
            deal = {
                "customer_id": customer.id,
                "title": f"deal {i}",
                "stage": stage,
                "amount": rnd.choice([0, 500_00, 1000_00, 50_000_00, 80_000_00]),
                "expected_close": NOW.date() + timedelta(days=rnd.randint(-20, 40)),
            }
            if stage in ("won", "lost"):
                deal |= {"closed_on": NOW.date(), "lost_reason": "price"}
            r.opportunities.create(deal)
        for _ in range(rnd.randint(0, 3)):
            due = NOW + timedelta(hours=rnd.randint(-24 * 9, 24 * 9))
            act = r.activities.create(
                {"customer_id": customer.id, "subject": f"call {i}", "due_at": due}
            )
            if rnd.random() < 0.3:
                r.activities.done(act.id)
    rows = {
        "customer": r.customers.page(limit=10_000),
        "opportunity": r.opportunities.page(limit=10_000),
        "activity": r.activities.page(limit=10_000),
    }
    yield Book(db, rows)
    db.close()


class Book(tuple):
    """(db, rows by entity), with a short repr for Hypothesis's failure report."""

    def __new__(cls, db, rows):
        return super().__new__(cls, (db, rows))

    def __repr__(self) -> str:
        return "<seeded book>"


def _contains(value, needle):
    return needle.lower() in (value or "").lower()


def _tags(value):
    return [t.lower() for t in (value or "").split(",") if t]


def _compare(op, left, right):
    if left is None:
        return False
    return {
        ":": left == right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[op]


# Each strategy yields (query term, python predicate over the row, row lookup).
def customer_terms():
    city = st.sampled_from(["北京", "上海", "京", "shen", "SHEN", "浦东"]).flatmap(
        lambda v: st.sampled_from(
            [
                (f"city:{v}", lambda c, x, v=v: _contains(c.city, v)),
                (f"city:-{v}", lambda c, x, v=v: not _contains(c.city, v)),
                (f"-city:{v}", lambda c, x, v=v: not _contains(c.city, v)),
            ]
        )
    )
    grade = st.lists(st.sampled_from(GRADES), min_size=1, max_size=2).map(
        lambda gs: ("grade:" + ",".join(gs), lambda c, x, gs=gs: c.grade in gs)
    )
    status = st.lists(st.sampled_from(STATUSES), min_size=1, max_size=2).map(
        lambda ss: ("status:" + ",".join(ss), lambda c, x, ss=ss: c.status in ss)
    )
    tag = st.tuples(st.sampled_from(TAGS), st.booleans()).map(
        lambda t: (
            ("+" if t[1] else "-") + t[0],
            lambda c, x, t=t: (t[0].lower() in _tags(c.tags)) == t[1],
        )
    )
    words = st.sampled_from(
        ["华为", "钢铁", "为钢", "铁", "科", "acme", "ste", "NOVA", "北京", "大客户"]
    ).map(lambda w: (w, lambda c, x, w=w: _text_hit(c, w)))
    open_deal = st.just(
        (
            "has:open-deal",
            lambda c, x: any(
                o.customer_id == c.id and o.stage in STAGES[:4] for o in x["opportunity"]
            ),
        )
    )
    overdue = st.just(
        (
            "has:overdue",
            lambda c, x: any(
                a.customer_id == c.id and a.done_at is None and a.due_at < DAY_START
                for a in x["activity"]
            ),
        )
    )
    return st.one_of(city, grade, status, tag, words, open_deal, overdue)


def _text_hit(c, word):
    parts = [c.name, c.city, (c.tags or "").replace(",", " ")]
    if search.match_expression(word).endswith("*") and word.isascii():
        tokens = search.index_text(parts).lower().split()
        return any(t.startswith(word.lower()) for t in tokens)
    return any(word in (p or "") for p in parts)


def deal_terms():
    money = st.tuples(
        st.sampled_from([">", ">=", "<", "<=", ":"]),
        st.sampled_from(["0", "500", "1000", "50k", "5万", "80000"]),
    ).map(
        lambda t: (
            f"amount{'' if t[0] == ':' else ''}{t[0]}{t[1]}",
            lambda o, x, t=t: _compare(t[0], o.amount, parse_money(t[1])[0]),
        )
    )
    weighted = st.sampled_from(["100", "5000", "20k"]).map(
        lambda v: (
            f"weighted>{v}",
            lambda o, x, v=v: (o.amount * o.probability + 50) // 100 > parse_money(v)[0],
        )
    )
    stage = st.lists(st.sampled_from(STAGES + ["open", "closed"]), min_size=1, max_size=2).map(
        lambda ss: ("stage:" + ",".join(ss), lambda o, x, ss=ss: _stage_in(o.stage, ss))
    )
    close = st.tuples(
        st.sampled_from([">", ">=", "<", "<=", ":"]), st.sampled_from(DATE_WORDS)
    ).map(
        lambda t: (
            f"close{t[0]}{t[1]}",
            lambda o, x, t=t: _compare(
                t[0], o.expected_close, parse_date(t[1], NOW.astimezone(ZONE).date())
            ),
        )
    )
    related = st.sampled_from(["北京", "上海", "shen"]).map(
        lambda v: (f"customer.city:{v}", lambda o, x, v=v: _contains(_customer(x, o).city, v))
    )
    grade = st.sampled_from(GRADES).map(
        lambda g: (f"customer.grade:{g}", lambda o, x, g=g: _customer(x, o).grade == g)
    )
    return st.one_of(money, weighted, stage, close, related, grade)


def _stage_in(stage, wanted):
    expanded = set()
    for w in wanted:
        expanded |= set(STAGES[:4]) if w == "open" else {"won", "lost"} if w == "closed" else {w}
    return stage in expanded


def _customer(x, rec):
    return next(c for c in x["customer"] if c.id == rec.customer_id)


def _local_day(moment) -> date:
    return moment.astimezone(ZONE).date()


def followup_terms():
    due = st.tuples(st.sampled_from([">", ">=", "<", "<=", ":"]), st.sampled_from(DATE_WORDS)).map(
        lambda t: (
            f"due{t[0]}{t[1]}",
            lambda a, x, t=t: _compare(
                t[0], _local_day(a.due_at), parse_date(t[1], NOW.astimezone(ZONE).date())
            ),
        )
    )
    overdue = st.just(("due:overdue", lambda a, x: a.done_at is None and a.due_at < DAY_START))
    status = st.sampled_from(["open", "done"]).map(
        lambda s: (f"status:{s}", lambda a, x, s=s: (a.done_at is None) == (s == "open"))
    )
    grade = st.sampled_from(GRADES).map(
        lambda g: (f"customer.grade:{g}", lambda a, x, g=g: _customer(x, a).grade == g)
    )
    tags = st.sampled_from(TAGS).map(
        lambda t: (f"customer.tags:{t}", lambda a, x, t=t: t.lower() in _tags(_customer(x, a).tags))
    )
    return st.one_of(due, overdue, status, grade, tags)


def _check(book, entity_name, repo_name, terms):
    db, rows = book
    query = " ".join(t[0] for t in terms)
    repo = db.repos.by_entity[repo_name]
    got = {r.id for r in repo.page(where=compile_filter(entity_name, query, db=db), limit=10_000)}
    want = {r.id for r in rows[repo_name] if all(pred(r, rows) for _, pred in terms)}
    assert got == want, query


@settings(max_examples=60, deadline=None)
@given(terms=st.lists(customer_terms(), min_size=1, max_size=3))
def test_customer_queries_match_a_python_filter(book, terms):
    _check(book, "customers", "customer", terms)


@settings(max_examples=60, deadline=None)
@given(terms=st.lists(deal_terms(), min_size=1, max_size=3))
def test_deal_queries_match_a_python_filter(book, terms):
    _check(book, "deals", "opportunity", terms)


@settings(max_examples=60, deadline=None)
@given(terms=st.lists(followup_terms(), min_size=1, max_size=3))
def test_followup_queries_match_a_python_filter(book, terms):
    _check(book, "followups", "activity", terms)
