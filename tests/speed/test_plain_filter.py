"""storage/plain_filter.py writes a `Filter` as SQL text for plain sqlite3 (the CLI's quick
read path, issue 20); it selects exactly the rows storage/filter_sql.py (SQLAlchemy) does:
on the query tests' table of queries and on generated queries over a demo book."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import entity
from crm_tui.services import lists
from crm_tui.storage import plain_filter, plain_rows
from crm_tui.storage.database import open_database
from tests.query.test_filter import TABLE, _seed

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("plain") / "crm.db", Clock(fixed=NOW, zone=ZONE))
    db.set_state("user_id", "u-me")
    _seed(db)
    yield db
    db.close()


def _orm_ids(db, filter_) -> list[str]:
    repo = db.repos.by_entity[filter_.entity]
    return [r.id for r in repo.page(where=lists._where(filter_.entity, filter_), limit=10_000)]


def _plain_ids(path, filter_) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        if filter_.entity in plain_rows.DEFAULT_ORDER:
            rows = plain_rows.select_rows(conn, filter_, limit=10_000)
            return [r["id"] for batch in rows for r in batch]
        sql, params = plain_filter.where(filter_)
        table = filter_.entity
        got = conn.execute(
            f'SELECT id FROM "{table}" WHERE {sql} AND {plain_filter.live(table)} ORDER BY id',
            params,
        )
        return [r[0] for r in got]
    finally:
        conn.close()


@pytest.mark.parametrize(("entity_name", "query", "titles"), TABLE)
def test_the_query_tables_rows_are_the_same_on_plain_sqlite(seeded, entity_name, query, titles):
    filter_ = lists.compile(seeded, entity_name, query)
    orm = _orm_ids(seeded, filter_)
    plain = _plain_ids(seeded.path, filter_)
    if filter_.entity not in plain_rows.DEFAULT_ORDER:
        orm = sorted(orm)
    assert plain == orm
    spec = entity(entity_name)
    repo = seeded.repos.by_entity[spec.name]
    names = {r.id: getattr(r, spec.title_field) for r in repo.page(limit=100)}
    assert sorted(names[i] or "" for i in plain) == titles


# Terms of each kind the query language has, combined two at a time (negated too).
GENERATED = {
    "customers": [
        "科技",
        "北京",
        "张",
        "grade:A,B",
        "city:上海",
        "-city:",
        "+vip",
        "tags:new",
        "has:overdue",
        "has:open-deal",
        "-has:contact",
        "contacted<-30d",
        "status:-lost",
        "owner:me",
        "created>=-90d",
        "industry!=steel",
        "name:公司",
    ],
    "followups": [
        "due<today",
        "due:today..+7d",
        "status:open",
        "status:done",
        "kind:visit,call",
        "customer.grade:A",
        "deal.stage:proposal",
        "-call",
        "北京",
        "due:none",
        "done>=-30d",
    ],
    "deals": [
        "stage:open",
        "amount>50k",
        "weighted>=10000",
        "close<=eom",
        "prob>=50",
        "customer.city:北京",
        "customer:科技",
        "is:open",
        "-stage:won",
        "科技",
    ],
    "contacts": ["张", "company:科技", "customer.grade:A", "mobile:13", "title:", "-张"],
    "expenses": ["amount>=100", "status:draft,submitted", "spent>=-30d", "customer:", "taxi"],
}


def _pairs(words: list[str]) -> list[str]:
    singles = [*words, *(f"-{w}" for w in words if ":" in w and not w.startswith("-"))]
    return singles + [" ".join(p) for p in itertools.combinations(words, 2)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from zoneinfo import ZoneInfo

    from crm_tui.demo import generate

    path = tmp_path_factory.mktemp("plain-demo") / "demo.db"
    clock = Clock(fixed=datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    generate(path, customers=80, clock=clock)
    db = open_database(path, clock)
    yield db
    db.close()


@pytest.mark.parametrize("entity_name", sorted(GENERATED))
def test_generated_queries_select_the_same_rows_in_the_same_order(demo, entity_name):
    checked = nonempty = 0
    queries = _pairs(GENERATED[entity_name])
    for query in queries:
        try:
            filter_ = lists.compile(demo, entity_name, query)
        except lists.QueryError:
            continue
        orm = _orm_ids(demo, filter_)
        assert _plain_ids(demo.path, filter_) == orm, query
        checked += 1
        nonempty += bool(orm)
    assert checked >= 0.8 * len(queries) and nonempty >= 5


def test_values_bind_as_sqlalchemy_binds_them():
    from datetime import date

    moment = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert plain_filter.bind("datetime", moment) == "2026-01-02 03:04:05.000006"
    assert plain_filter.bind("date", moment) == "2026-01-02"
    shanghai = datetime(2026, 1, 2, 11, 4, 5, 6, tzinfo=ZONE)
    assert plain_filter.bind("datetime", shanghai) == "2026-01-02 03:04:05.000006"
    with pytest.raises(plain_filter.Unsupported):
        plain_filter.bind("datetime", date(2026, 1, 2))  # SQLAlchemy refuses it too
    assert plain_filter.bind("bool", True) == 1
    assert plain_filter.bind("text", "50%_/x") == "50%_/x"


def test_default_orders_are_the_repositories(seeded):
    for name, order in plain_rows.DEFAULT_ORDER.items():
        assert tuple(seeded.repos.by_entity[name].default_order) == order, name
        assert order[-1] == "id"


def test_a_moment_in_another_zone_selects_the_same_rows(demo):
    from crm_tui.domain import filter as f

    for hour in (0, 7, 8, 9, 23):
        moment = datetime(2026, 11, 20, hour, 30, tzinfo=ZONE)
        for clause in (
            f.Range("due_at", start=moment),
            f.Compare("done_at", "<", moment),
            f.Not(f.Range("created_at", end=moment)),
        ):
            filter_ = f.Filter("activity", (clause,))
            assert _plain_ids(demo.path, filter_) == _orm_ids(demo, filter_), clause
