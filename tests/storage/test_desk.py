"""The desk's light read path: right sections, right windows, and no ORM import."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.storage.database import open_database
from crm_tui.storage.desk import birthday_days, load_desk

# Monday 2026-12-28, 09:00 UTC: the birthday window wraps into January.
NOW = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


@pytest.fixture
def desk_db(tmp_path):
    clock = Clock(fixed=NOW, zone=UTC)
    db = open_database(tmp_path / "desk.db", clock)
    r = db.repos
    acme = r.customers.create({"name": "Acme 北京", "city": "北京", "birthday": "1980-01-02"})
    r.customers.create({"name": "Far Birthday", "birthday": "1975-02-10"})
    r.contacts.create({"customer_id": acme.id, "name": "张伟", "birthday": "1990-12-31"})
    r.activities.create({"customer_id": acme.id, "subject": "Old call", "due_at": "2026-12-20"})
    r.activities.create(
        {"customer_id": acme.id, "subject": "Late call", "due_at": "2026-12-27 15:00"}
    )
    r.activities.create(
        {
            "customer_id": acme.id,
            "subject": "Visit today",
            "kind": "visit",
            "due_at": "2026-12-28 14:00",
        }
    )
    r.activities.create({"customer_id": acme.id, "subject": "Next week", "due_at": "2027-01-04"})
    r.activities.create({"customer_id": acme.id, "subject": "Too far", "due_at": "2027-01-06"})
    done = r.activities.create(
        {"customer_id": acme.id, "subject": "Done visit", "kind": "visit", "due_at": "2026-12-01"}
    )
    r.activities.done(done.id, outcome="ok")
    r.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "Pipes",
            "amount": "50000",
            "expected_close": "2027-01-05",
        }
    )
    r.opportunities.create(
        {"customer_id": acme.id, "title": "Later", "amount": "1", "expected_close": "2027-02-05"}
    )
    r.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "Won deal",
            "amount": "1200",
            "stage": "won",
            "closed_on": "2026-12-03",
        }
    )
    r.announcements.create({"title": "Q1 targets", "published_at": "2026-12-27 08:00"})
    yield db, clock
    db.close()


def test_birthday_window_wraps_the_year():
    assert birthday_days(date(2026, 12, 28), 7) == [
        "12-28",
        "12-29",
        "12-30",
        "12-31",
        "01-01",
        "01-02",
        "01-03",
        "01-04",
    ]


def test_desk_sections(desk_db):
    db, clock = desk_db
    desk = load_desk(db.path, clock)
    assert [i.text for i in desk.overdue] == ["call: Late call", "call: Old call"]
    assert desk.overdue_total == 2
    assert [i.text for i in desk.schedule] == ["visit: Visit today", "call: Next week"]
    assert desk.schedule[0].when == "today 14:00"
    assert [(i.entity, i.text, i.when) for i in desk.birthdays] == [
        ("contact", "张伟", "Thu 12-31"),
        ("customer", "Acme 北京", "Sat 01-02"),
    ]
    # amount and customer first (a 120-column panel cut the customer off), the title after
    assert [i.text for i in desk.closing] == ["¥50,000.00 Acme 北京"]
    assert desk.closing[0].detail == "Pipes"
    assert {i.text for i in desk.recent} == {"Acme 北京", "Far Birthday", "张伟"}
    assert [i.text for i in desk.announcements] == ["Q1 targets"]
    figures = {f.label: f for f in desk.numbers}
    assert figures["Follow-ups done"].this_month == "1"
    assert figures["Visits"].this_month == "1"
    assert figures["New customers"].this_month == "2"
    assert figures["New customers"].last_month == "0"
    assert figures["New customers"].up is True
    assert figures["Amount won"].this_month == "¥1,200.00"


def test_every_item_names_its_record(desk_db):
    db, clock = desk_db
    desk = load_desk(db.path, clock)
    for item in [*desk.overdue, *desk.schedule, *desk.birthdays, *desk.closing, *desk.recent]:
        assert item.id and item.customer_id
        assert db.repos.by_entity[item.entity].get(item.id) is not None


def test_desk_module_does_not_import_the_orm(desk_db):
    db, _ = desk_db
    code = (
        "import sys; from crm_tui.domain.dates import Clock; "
        "from crm_tui.storage.desk import load_desk; "
        f"load_desk({str(db.path)!r}, Clock()); "
        "assert 'sqlalchemy' not in sys.modules and 'sqlmodel' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith('sql'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_overdue_is_before_the_start_of_today_in_the_local_zone(tmp_path):
    """Issue 13 item 8: a call due earlier today is "today", not overdue (due:overdue used to
    count it); the desk's total is domain.followup_rules.overdue_before's."""
    from zoneinfo import ZoneInfo

    from crm_tui.domain.followup_rules import overdue_before

    # 10:00 in Shanghai on Friday 4 December = 02:00 UTC
    clock = Clock(fixed=datetime(2026, 12, 4, 2, 0, tzinfo=UTC), zone=ZoneInfo("Asia/Shanghai"))
    assert overdue_before(clock) == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    db = open_database(tmp_path / "o.db", clock)
    r = db.repos
    acme = r.customers.create({"name": "Acme"})
    r.activities.create({"customer_id": acme.id, "subject": "Early", "due_at": "2026-12-04 08:00"})
    r.activities.create({"customer_id": acme.id, "subject": "Late", "due_at": "2026-12-03 23:30"})
    desk = load_desk(db.path, clock)
    db.close()
    assert [i.text for i in desk.overdue] == ["call: Late"]
    assert desk.overdue_total == 1
    assert [i.text for i in desk.schedule] == ["call: Early"]


def test_numbers_compare_month_to_date_with_the_same_days_of_last_month(tmp_path):
    """Issue 13 item 10: on 4 December, 1-4 December against 1-4 November (not all of
    November), with thousands separators."""
    import sqlite3

    from crm_tui.storage.desk import month_to_date

    clock = Clock(fixed=datetime(2026, 12, 4, 9, 0, tzinfo=UTC), zone=UTC)
    db = open_database(tmp_path / "n.db", clock)
    r = db.repos
    acme = r.customers.create({"name": "Acme"})
    for due in ("2026-11-02", "2026-11-20", "2026-12-01", "2026-12-03"):
        a = r.activities.create({"customer_id": acme.id, "subject": due, "due_at": due})
        r.activities.update(a.id, {"done_at": f"{due} 10:00"})
    db.close()
    figures = {f.label: f for f in load_desk(tmp_path / "n.db", clock).numbers}
    done = figures["Follow-ups done"]
    assert (done.this_month, done.last_month, done.up) == ("2", "1", True)
    # 1,200 done follow-ups this month: the figure has a thousands separator
    conn = sqlite3.connect(tmp_path / "n.db")
    cols = [c[1] for c in conn.execute("PRAGMA table_info(activity)")]
    picked = ", ".join("?" if c == "id" else c for c in cols)
    row = conn.execute("SELECT id FROM activity WHERE subject = '2026-12-01'").fetchone()
    conn.executemany(
        f"INSERT INTO activity ({', '.join(cols)}) SELECT {picked} FROM activity WHERE id = ?",
        [(f"copy-{i:04d}", row[0]) for i in range(1198)],
    )
    conn.commit()
    conn.close()
    figures = {f.label: f for f in load_desk(tmp_path / "n.db", clock).numbers}
    assert figures["Follow-ups done"].this_month == "1,200"
    assert month_to_date(date(2026, 12, 4)) == ("1–4 Dec", "1–4 Nov")
    assert month_to_date(date(2026, 3, 31)) == ("1–31 Mar", "1–28 Feb")


def test_a_date_a_year_away_shows_its_year_on_the_desk(tmp_path):
    """Issue 13 item 9: 'overdue since 12-11' for 2025-12-11 reads as next week; a day more
    than ~6 months away or in another year carries its year, a near one does not."""
    clock = Clock(fixed=datetime(2026, 12, 4, 2, 0, tzinfo=UTC), zone=UTC)
    db = open_database(tmp_path / "y.db", clock)
    acme = db.repos.customers.create({"name": "Acme"})
    for subject, due in (("Last year", "2025-12-11"), ("Last week", "2026-11-27")):
        db.repos.activities.create({"customer_id": acme.id, "subject": subject, "due_at": due})
    desk = load_desk(db.path, clock)
    db.close()
    assert {i.text: i.when for i in desk.overdue} == {
        "call: Last year": "2025-12-11",
        "call: Last week": "11-27",
    }
