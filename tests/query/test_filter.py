"""The query compiles to a `Filter` of plain data, and storage's SQL for it selects the same
rows the compiler that wrote SQL itself did (the expected names below were read with it,
before the split, from the same book)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from crm_tui.domain import filter as f
from crm_tui.domain.fields import entity
from crm_tui.services import lists
from crm_tui.storage import filter_sql

PLAIN = (str, int, float, bool, date, datetime, type(None))


def _seed(db):
    r = db.repos
    acme = r.customers.create(
        {
            "name": "Acme 北京钢管",
            "city": "北京市",
            "grade": "A",
            "status": "contacted",
            "tags": "vip,steel",
            "industry": "steel",
        }
    )
    zeta = r.customers.create(
        {
            "name": "Zeta Trading",
            "city": "上海",
            "grade": "B",
            "status": "potential",
            "tags": "cold",
        }
    )
    r.customers.create({"name": "无名公司", "grade": "C", "status": "lost"})
    r.customers.create(
        {
            "name": "Nova 科技",
            "city": "Shenzhen",
            "grade": "A",
            "status": "closed",
            "tags": "大客户",
        }
    )
    r.contacts.create({"customer_id": zeta.id, "name": "张伟", "mobile": "13800138000"})
    r.contacts.create({"customer_id": acme.id, "name": "Li Pipe", "title": "buyer"})
    big = r.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "pipes",
            "amount": "60k",
            "stage": "proposal",
            "probability": 50,
            "expected_close": "2026-11-28",
        }
    )
    r.opportunities.create(
        {
            "customer_id": zeta.id,
            "title": "valves",
            "amount": "5万",
            "stage": "qualified",
            "expected_close": "2026-12-20",
        }
    )
    r.opportunities.create(
        {
            "customer_id": zeta.id,
            "title": "old deal",
            "amount": "900",
            "stage": "won",
            "closed_on": "2026-10-01",
        }
    )
    r.activities.create(
        {
            "customer_id": acme.id,
            "subject": "call back",
            "due_at": "yesterday",
            "opportunity_id": big.id,
        }
    )
    r.activities.create({"customer_id": acme.id, "subject": "visit plant", "due_at": "today 15:00"})
    r.activities.create({"customer_id": zeta.id, "subject": "send quote", "due_at": "+3d"})
    done = r.activities.create({"customer_id": zeta.id, "subject": "intro call", "due_at": "-7d"})
    r.activities.done(done.id, outcome="fine")
    r.expenses.create(
        {
            "spent_on": "today",
            "amount": "320",
            "category": "meals",
            "customer_id": acme.id,
            "description": "lunch with Acme",
        }
    )
    r.expenses.create(
        {"spent_on": "-3d", "amount": "80", "category": "travel", "description": "taxi"}
    )


@pytest.fixture
def book(db):
    _seed(db)
    return db


# (record type, query, the titles the pre-Filter compiler selected)
TABLE = [
    ("customers", "city:北京", ["Acme 北京钢管"]),
    ("customers", "city=北京市", ["Acme 北京钢管"]),
    ("customers", "grade:A,B", ["Acme 北京钢管", "Nova 科技", "Zeta Trading"]),
    ("customers", "grade:a status:-lost", ["Acme 北京钢管", "Nova 科技"]),
    ("customers", "-city:北京", ["Nova 科技", "Zeta Trading", "无名公司"]),
    ("customers", "city:", ["无名公司"]),
    ("customers", "-city:", ["Acme 北京钢管", "Nova 科技", "Zeta Trading"]),
    ("customers", "+vip", ["Acme 北京钢管"]),
    ("customers", "-cold", ["Acme 北京钢管", "Nova 科技", "无名公司"]),
    ("customers", "tags:vip,大客户", ["Acme 北京钢管", "Nova 科技"]),
    ("customers", "钢管", ["Acme 北京钢管"]),
    ("customers", "张伟", ["Zeta Trading"]),
    ("customers", '"zeta trading"', ["Zeta Trading"]),
    ("customers", "-钢管", ["Acme 北京钢管", "Nova 科技", "Zeta Trading", "无名公司"]),
    ("customers", "acme city:北京", ["Acme 北京钢管"]),
    ("customers", "has:overdue", ["Acme 北京钢管"]),
    ("customers", "has:open-deal", ["Acme 北京钢管", "Zeta Trading"]),
    ("customers", "has:contact", ["Acme 北京钢管", "Zeta Trading"]),
    ("customers", "-has:open-followup", ["Nova 科技", "无名公司"]),
    ("customers", "is:overdue", ["Acme 北京钢管"]),
    ("customers", "owner:me", ["Acme 北京钢管", "Nova 科技", "Zeta Trading", "无名公司"]),
    ("customers", "owner:none", []),
    ("customers", "contacted<-3d", []),
    ("customers", "contacted>=today", ["Acme 北京钢管", "Nova 科技", "Zeta Trading", "无名公司"]),
    ("customers", "created:today", ["Acme 北京钢管", "Nova 科技", "Zeta Trading", "无名公司"]),
    ("customers", "created<today", []),
    ("customers", "industry!=steel", ["Nova 科技", "Zeta Trading", "无名公司"]),
    ("contacts", "张", ["张伟"]),
    ("contacts", "company:zeta", ["张伟"]),
    ("contacts", "customer.grade:A", ["Li Pipe"]),
    ("contacts", "mobile:138", ["张伟"]),
    ("deals", "amount>50000", ["pipes"]),
    ("deals", "amount:1000..60000", ["pipes", "valves"]),
    ("deals", "amount:..900", ["old deal"]),
    ("deals", "stage:open", ["pipes", "valves"]),
    ("deals", "stage:closed", ["old deal"]),
    ("deals", "stage:-won,-lost", ["pipes", "valves"]),
    ("deals", "weighted>=30000", ["pipes"]),
    ("deals", "close<=eom", ["pipes"]),
    ("deals", "close:today..+30d", ["pipes", "valves"]),
    ("deals", "prob>=50", ["old deal", "pipes"]),
    ("deals", "customer.city:上海", ["old deal", "valves"]),
    ("deals", "pipes", ["pipes"]),
    ("deals", "customer:acme", ["pipes"]),
    ("deals", "is:open", ["pipes", "valves"]),
    ("deals", "closed:2026-10-01", ["old deal"]),
    ("followups", "due:today", ["visit plant"]),
    ("followups", "due:overdue", ["call back"]),
    ("followups", "due<today", ["call back", "intro call"]),
    ("followups", "due>today", ["send quote"]),
    ("followups", "due:+3d", ["send quote"]),
    ("followups", "status:open", ["call back", "send quote", "visit plant"]),
    ("followups", "status:done", ["intro call"]),
    ("followups", "status:overdue,done", ["call back", "intro call"]),
    ("followups", "is:open", ["call back", "send quote", "visit plant"]),
    ("followups", "call", ["call back", "intro call"]),
    ("followups", "acme", ["call back", "visit plant"]),
    ("followups", "-call", ["send quote", "visit plant"]),
    ("followups", "deal.stage:proposal", ["call back"]),
    ("followups", "customer.grade:B", ["intro call", "send quote"]),
    ("followups", "due:none", []),
    ("followups", "due=2026-11-23T15:00", ["visit plant"]),
    ("followups", "due:now", []),
    ("expenses", "amount>=100", ["lunch with Acme"]),
    ("expenses", "spent:today", ["lunch with Acme"]),
    ("expenses", "spent>=-7d", ["lunch with Acme", "taxi"]),
    ("expenses", "status:draft", ["lunch with Acme", "taxi"]),
    ("expenses", "taxi", ["taxi"]),
    ("expenses", "customer:acme", ["lunch with Acme"]),
    ("expenses", "is:draft category:meals", ["lunch with Acme"]),
    ("expenses", "currency:cny", ["lunch with Acme", "taxi"]),
    ("expenses", "customer:", ["taxi"]),
]


def _plain(value: object, path: str = "filter") -> None:
    """Every node is a domain.filter dataclass, a tuple of them or a plain value."""
    if dataclasses.is_dataclass(value):
        assert type(value).__module__ == "crm_tui.domain.filter", path
        for field in dataclasses.fields(value):
            _plain(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            _plain(item, f"{path}[{i}]")
    else:
        assert isinstance(value, PLAIN), f"{path}: {type(value)!r}"
        assert "sqlalchemy" not in type(value).__module__, path


@pytest.mark.parametrize(("entity_name", "query", "titles"), TABLE)
def test_filter_is_plain_data_and_selects_the_same_rows(book, entity_name, query, titles):
    filter_ = lists.compile(book, entity_name, query)
    assert isinstance(filter_, f.Filter) and filter_
    _plain(filter_)
    spec = entity(entity_name)
    repo = book.repos.by_entity[spec.name]
    rows = repo.page(where=filter_sql.where(filter_), limit=1000)
    assert sorted(getattr(r, spec.title_field) or "" for r in rows) == titles


def test_relative_dates_and_me_are_resolved_in_the_filter(book):
    filter_ = lists.compile(book, "followups", "due:today owner:me")
    due, owner = filter_.terms
    assert isinstance(due, f.Range) and due.start.tzinfo is not None
    assert (due.end - due.start).days == 1
    assert owner == f.OwnerIs("u-me")


def test_unquoted_words_are_the_filters_free_text(book):
    filter_ = lists.compile(book, "customers", 'grade:A 钢管 "steel pipe" acme')
    assert filter_.text is not None and filter_.text.words == "钢管 acme"
    assert any(isinstance(t, f.FreeText) and t.words == "steel pipe" for t in filter_.terms)
    assert lists.compile(book, "customers", "  ") == f.Filter("customer")
    assert not lists.compile(book, "customers", "")


def test_a_screens_base_filter_merges_with_the_bars(book):
    base = f.Filter("activity", (f.IsEmpty("done_at"),))
    typed = lists.compile(book, "followups", "call")
    merged = base.merged(typed)
    assert merged.terms == (f.IsEmpty("done_at"),) and merged.text == typed.text
    rows = lists.source(book, "activity", merged).rows(0, 50)
    assert [r["subject"] for r in rows] == ["call back"]


def test_query_layer_imports_no_sql():
    import subprocess
    import sys

    code = (
        "import sys, crm_tui.query, crm_tui.query.compiler, crm_tui.domain.filter;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')"
        " or m.startswith('crm_tui.storage')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
