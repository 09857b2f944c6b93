"""The service statistics report: its figures equal plain SQL over the same rows (by kind,
engineer and customer; hours, costs, ratings, days to close), repeat faults within 90 days,
a rep's own scope, and the md / csv / html outputs."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from crm_tui.reports.period import Period
from crm_tui.services import service_orders as orders
from crm_tui.services import service_stats
from crm_tui.services.book import Book


def _user(db, name: str, role: str) -> str:
    row_id = str(uuid.uuid4())
    with db.transaction() as s:
        db.repos.users.apply_remote(s, row_id, {"fields": {"name": name, "role": role}}, version=1)
    return row_id


def _as(db, user_id: str, role: str = "rep") -> None:
    db.set_state("user_id", user_id)
    db.set_state("role", role)


@pytest.fixture
def data(db):
    book = Book(db)
    team = {
        n: _user(db, n, r) for n, r in (("王工", "rep"), ("赵工", "rep"), ("李经理", "manager"))
    }
    rep = _user(db, "张敏", "rep")
    _as(db, rep)
    a = db.repos.customers.create({"name": "南京化工"}).id
    b = db.repos.customers.create({"name": "合肥家电"}).id
    plan = [  # customer, kind, planned, engineer, report (None: left open)
        (a, "repair", "11-02 09:00", "王工", {"minutes": 120, "parts_cost": 300_00, "rating": 5}),
        (a, "repair", "11-20 09:00", "王工", {"minutes": 60, "travel_cost": 50_00, "rating": 3}),
        (b, "install", "11-05 09:00", "赵工", {"minutes": 300, "other_cost": 10_00, "rating": 4}),
        (b, "repair", "11-25 09:00", "赵工", None),
        (b, "repair", "07-01 09:00", "赵工", {"minutes": 30}),  # before the period
    ]  # fmt: skip
    for customer, kind, planned, engineer, report in plan:
        _as(db, rep)
        rec = orders.create(
            book,
            {
                "customer_id": customer,
                "subject": f"{kind} {planned}",
                "kind": kind,
                "planned_start": f"2026-{planned}",
                "engineer_id": team[engineer],
            },
        )
        if report is None:
            continue
        orders.step(book, rec.id, "request")
        _as(db, team["李经理"], "manager")
        orders.step(book, rec.id, "approve")
        _as(db, team[engineer])
        orders.step(book, rec.id, "start")
        orders.finish(book, rec.id, report)
    _as(db, team["李经理"], "manager")
    return book, team, rep


NOVEMBER = Period.month(2026, 11)


def _plain(db_path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_figures_equal_plain_sql(data, db) -> None:
    book, team, _ = data
    built = service_stats.build(book, NOVEMBER, team=True)
    # Plain SQL over the same file: November by planned start (local 2026-11-01 is
    # 2026-10-31 16:00 UTC).
    window = (
        "deleted = 0 AND planned_start >= '2026-10-31 16:00:00' "
        "AND planned_start < '2026-11-30 16:00:00'"
    )
    by_engineer = _plain(
        db.path,
        "SELECT u.name, COUNT(*), SUM(parts_cost + travel_cost + other_cost), SUM(minutes) "
        "FROM service s JOIN user u ON u.id = s.engineer_id "
        f"WHERE s.{window.replace(' AND ', ' AND s.')} "
        "GROUP BY u.name ORDER BY u.name",
    )
    shown = {r[0]: (r[1], r[4].minor, round(r[3] * 60)) for r in built.section("by_engineer").rows}
    assert {name: (n, cost, minutes or 0) for name, n, cost, minutes in by_engineer} == shown
    assert shown == {"王工": (2, 35_000, 180), "赵工": (2, 1_000, 300)}
    kinds = dict(
        _plain(db.path, f"SELECT kind, COUNT(*) FROM service WHERE {window} GROUP BY kind")
    )
    assert (
        {r[0]: r[1] for r in built.section("by_kind").rows} == kinds == {"repair": 3, "install": 1}
    )
    overview = {r[0]: r[1] for r in built.section("overview").rows}
    ((count, avg_rating),) = _plain(
        db.path, f"SELECT COUNT(*), AVG(rating) FROM service WHERE {window}"
    )
    assert overview["Orders"] == count == 4 and overview["Rating (average)"] == f"{avg_rating:.1f}"
    assert overview["Done or closed"] == 3 and overview["Cost"].minor == 36_000
    ratings = {r[0]: r[1] for r in built.section("ratings").rows}
    assert ratings == {"★★★★★": 1, "★★★★": 1, "★★★": 1, "★★": 0, "★": 0}
    # a's second repair came 18 days after its first: a repeat fault; b's November repair is
    # 147 days after July's: not one.
    repeats = built.section("repeats").rows
    assert [(r[0], r[2], r[3], r[4]) for r in repeats] == [
        ("南京化工", "2026-11-02", "2026-11-20", 18)
    ]


def test_a_reps_scope_and_the_outputs(data) -> None:
    book, team, rep = data
    book.db.set_state("user_id", team["王工"])
    book.db.set_state("role", "rep")
    mine = service_stats.build(book, NOVEMBER)
    assert {r[0]: r[1] for r in mine.section("by_engineer").rows} == {"王工": 2}
    with pytest.raises(PermissionError):
        service_stats.build(book, NOVEMBER, team=True)
    md = service_stats.render(mine, "md")
    assert "Service statistics" in md and "王工" in md
    assert "by_kind" in service_stats.render(mine, "csv")
    assert "<table" in service_stats.render(mine, "html")


def test_days_to_close_count_from_the_request_and_are_never_negative(data, db) -> None:
    book, _, _ = data
    # Rows written after their history (an import, the demo, a laptop's clock) carry a
    # created_at later than the close: the average must still count from the request.
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE service SET created_at = '2027-06-01 00:00:00'")
    overview = {r[0]: r[1] for r in service_stats.build(book, NOVEMBER, team=True).section(
        "overview").rows}  # fmt: skip
    ((expected,),) = _plain(
        db.path,
        "SELECT AVG(julianday(finished_at) - julianday(requested_at)) FROM service "
        "WHERE status = 'done' AND planned_start >= '2026-10-31 16:00:00' "
        "AND planned_start < '2026-11-30 16:00:00'",
    )
    days = overview["Days to close (average)"].value
    assert days is not None and days >= 0 and days == pytest.approx(expected)
