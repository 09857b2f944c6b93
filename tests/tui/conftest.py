"""Fixtures for the app shell tests: a small fixed book of business and the app over it.

The shared `clock` (tests/conftest.py) fixes now at Monday 2026-11-23 10:00 Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_tui.app import CrmApp, make_app
from crm_tui.domain.dates import Clock
from crm_tui.storage.database import Database, open_database


def seed_book(db: Database) -> dict[str, str]:
    """Customers (Chinese and English), contacts, follow-ups in every state, deals, news."""
    r = db.repos
    ids: dict[str, str] = {}
    acme = r.customers.create(
        {
            "name": "Acme Steel",
            "city": "Shanghai",
            "status": "contacted",
            "grade": "A",
            "phone": "021 5555 0101",
            "tags": "vip,export",
            "notes": "Buys steel pipe every quarter",
        }
    )
    bj = r.customers.create(
        {
            "name": "北京钢管有限公司",
            "city": "北京",
            "grade": "B",
            "phone": "010 8888 0202",
            "tags": "vip",
        }
    )
    zw = r.customers.create(
        {"name": "张伟", "kind": "person", "city": "北京", "birthday": "1985-11-25"}
    )
    globex = r.customers.create(
        {"name": "Globex Trading", "city": "Paris", "grade": "C", "status": "potential"}
    )
    ids.update(acme=acme.id, bj=bj.id, zw=zw.id, globex=globex.id)
    r.contacts.create(
        {
            "customer_id": acme.id,
            "name": "Wang Fang",
            "title": "Buyer",
            "mobile": "139 0000 1111",
            "birthday": "1990-11-28",
        }
    )
    r.contacts.create(
        {"customer_id": bj.id, "name": "李娜", "title": "采购经理", "mobile": "138 0000 2222"}
    )
    late = r.activities.create(
        {"customer_id": acme.id, "subject": "Send the quote", "due_at": "2026-11-20 15:00"}
    )
    ids["late"] = late.id
    r.activities.create(
        {"customer_id": bj.id, "subject": "电话回访", "kind": "call", "due_at": "2026-11-18"}
    )
    today = r.activities.create(
        {"customer_id": bj.id, "subject": "上门拜访", "kind": "visit", "due_at": "2026-11-23 14:30"}
    )
    ids["today"] = today.id
    r.activities.create({"customer_id": zw.id, "subject": "Birthday call", "due_at": "2026-11-25"})
    r.activities.create(
        {
            "customer_id": globex.id,
            "subject": "Intro meeting",
            "kind": "meeting",
            "due_at": "2026-12-10 10:00",
        }
    )
    done = r.activities.create(
        {
            "customer_id": acme.id,
            "subject": "Site visit",
            "kind": "visit",
            "due_at": "2026-11-10 10:00",
        }
    )
    r.activities.done(done.id, outcome="Wants 200 t by January")
    r.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "Steel pipe Q1",
            "amount": "250000",
            "stage": "proposal",
            "expected_close": "2026-12-01",
        }
    )
    r.opportunities.create(
        {
            "customer_id": bj.id,
            "title": "阀门 200 套",
            "amount": "80000",
            "stage": "negotiation",
            "expected_close": "2026-11-30",
        }
    )
    r.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "Fittings",
            "amount": "12000",
            "stage": "won",
            "closed_on": "2026-11-05",
        }
    )
    r.announcements.create(
        {
            "title": "Q4 push: double bonus on December deals",
            "body": "Close before **31 December**.",
            "published_at": "2026-11-20 09:00",
        }
    )
    r.expenses.create(
        {
            "spent_on": "2026-11-20",
            "category": "travel",
            "amount": "420",
            "customer_id": acme.id,
            "description": "Train to Shanghai",
        }
    )
    return ids


@pytest.fixture
def book(tmp_path: Path, clock: Clock) -> Iterator[tuple[Database, dict[str, str]]]:
    database = open_database(tmp_path / "book.db", clock)
    ids = seed_book(database)
    # Seeded follow-ups are due: keep reminder dialogs (tests/tui/test_reminders.py) out of
    # these tests, which can outlast the default 30 s interval on a busy machine.
    database.set_state("reminders.interval", "3600")
    yield database, ids
    database.close()


@pytest.fixture
def app(book: tuple[Database, dict[str, str]]) -> CrmApp:
    return make_app(book[0])
