"""`crm checkin` / `crm checkout` / `crm visits` and `crm targets`: a visit checked in and out
with its distance flag, the visits report, and monthly targets with the pace needed; bad
input is one `error:` line, exit 1, nothing written."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from crm_tui.storage import outbox
from tests.pool.conftest import ALICE, BOSS, NOW, crm, open_book, sign_in


def _rows(out) -> list[dict[str, str]]:
    assert out.exit_code == 0, out.output
    return list(csv.DictReader(io.StringIO(out.stdout)))


def _visit(path: Path) -> tuple[str, str]:
    db = open_book(path)
    try:
        cust = db.repos.customers.create(
            {
                "name": "外滩公司",
                "address": "上海市中山东一路1号",
                "coordinates": "31.2400,121.4900",
            }
        )
        visit = db.repos.activities.create(
            {"customer_id": cust.id, "kind": "visit", "subject": "拜访外滩公司"}
        )
        call = db.repos.activities.create(
            {"customer_id": cust.id, "kind": "call", "subject": "电话"}
        )
        return visit.id, call.id
    finally:
        db.close()


def _outbox(path: Path) -> int:
    db = open_book(path)
    try:
        return len(outbox.rows(db.engine))
    finally:
        db.close()


def test_check_in_and_out_of_a_visit_with_the_distance_flag(book_path: Path) -> None:
    visit, call = _visit(book_path)
    before = _outbox(book_path)
    for args, words in (
        (("checkin", visit, "--at", "north"), "not LAT,LNG"),
        (("checkin", visit, "--at", "95,10"), "off the map"),
        (("checkin", call, "--at", "31.24,121.49"), "check in on a visit"),
        (("checkout", visit), "no check-in to check out of"),
        (("checkin", "no-such-visit"), "no follow-up matches"),
    ):
        bad = crm(book_path, *args)
        assert bad.exit_code == 1 and bad.stderr.startswith("error:"), bad.output
        assert words in bad.stderr, bad.stderr
    assert _outbox(book_path) == before
    # Next door to the customer: no flag; the place defaults to the customer's address.
    came = crm(book_path, "checkin", visit, "--at", "31.2401,121.4901")
    assert came.exit_code == 0, came.output
    assert "上海市中山东一路1号" in came.stdout and "flagged" not in came.stderr
    again = crm(book_path, "checkin", visit)
    assert again.exit_code == 1 and "already checked in" in again.stderr
    left = crm(book_path, "checkout", visit, now=NOW + timedelta(minutes=45))
    assert left.exit_code == 0 and "after 45 min" in left.stdout, left.output
    # A second visit checked in 1.5 km away is flagged, not refused.
    far = crm(book_path, "checkin", visit, "--at", "31.2304,121.4737", now=NOW + timedelta(hours=2))
    assert far.exit_code == 0, far.output
    assert "m from the customer's coordinates (flagged)" in far.stderr
    rows = _rows(crm(book_path, "visits", "--format", "csv", now=NOW + timedelta(hours=3)))
    assert rows == [
        {
            "day": "2026-12-04",
            "rep": "alice",
            "visits": "2",
            "minutes": "45",
            "open": "1",
            "flagged": "1",
        }
    ]
    team = crm(book_path, "visits", "--team")
    assert team.exit_code == 1 and "only a manager" in team.stderr


def test_targets_set_by_a_manager_and_shown_with_the_pace(book_path: Path) -> None:
    refused = crm(book_path, "targets", "set", "alice", "--month", "2026-12", "--won", "500k")
    assert refused.exit_code == 1 and "only a manager" in refused.stderr
    db = open_book(book_path)
    sign_in(db, BOSS, "manager")
    db.close()
    before = _outbox(book_path)
    for args, words in (
        (("alice", "--month", "2026-13", "--won", "1"), "not a month"),
        (("alice", "--month", "2026-12", "--won", "lots"), "--won"),
        (("nobody", "--month", "2026-12", "--visits", "3"), "no team member 'nobody'"),
        (("alice", "--month", "2026-12"), "give at least one"),
        (("alice", "--month", "2026-12", "--visits", "-2"), "cannot be negative"),
    ):
        bad = crm(book_path, "targets", "set", *args)
        assert bad.exit_code == 1 and words in bad.stderr, (args, bad.output)
    assert _outbox(book_path) == before
    ok = crm(
        book_path,
        "targets",
        "set",
        "alice",
        "--month",
        "2026-12",
        "--won",
        "50万",
        "--visits",
        "40",
    )
    assert ok.exit_code == 0, ok.output
    assert (
        crm(book_path, "targets", "set", "team", "--month", "2026-12", "--won", "2m").exit_code == 1
    )
    assert (
        crm(book_path, "targets", "set", "team", "--month", "2026-12", "--won", "200万").exit_code
        == 0
    )
    # Alice's month so far: one visit done, a deal won for 10万.
    db = open_book(book_path)
    sign_in(db, "u-alice")
    cust = db.repos.customers.resolve("自己的客户")
    db.repos.activities.create(
        {
            "customer_id": cust.id,
            "kind": "visit",
            "subject": "拜访",
            "done_at": NOW - timedelta(hours=1),
        }
    )
    db.repos.opportunities.create(
        {
            "customer_id": cust.id,
            "title": "机床",
            "stage": "won",
            "amount": "10万",
            "closed_on": date(2026, 12, 2),
        }
    )
    db.close()
    rows = _rows(crm(book_path, "targets", "--format", "csv"))
    mine = {r["figure"]: r for r in rows if r["who"] == "alice"}
    assert mine["visits"]["done"] == "1" and mine["visits"]["target"] == "40"
    assert mine["visits"]["pace_per_day"] == "2"  # 39 more in the 28 days left (4-31 Dec)
    assert mine["won"]["progress"] == "20" and mine["won"]["done"] == "10000000"
    team = {r["figure"]: r for r in rows if r["who"] == "team"}
    assert team["won"]["target"] == "200000000"
    table = crm(book_path, "targets")
    assert "██░░░░░░░░ 20%" in table.stdout and "¥500,000.00" in table.stdout
    bad_month = crm(book_path, "targets", "--month", "December")
    assert bad_month.exit_code == 1 and "not a month" in bad_month.stderr


def test_field_report_lists_visits_and_targets(book_path: Path) -> None:
    visit, _ = _visit(book_path)
    crm(book_path, "checkin", visit, "--at", "31.2304,121.4737")
    crm(book_path, "checkout", visit, now=NOW + timedelta(minutes=50))
    db = open_book(book_path)
    sign_in(db, BOSS, "manager")
    db.close()
    crm(book_path, "targets", "set", "alice", "--month", "2026-12", "--visits", "20")
    team = crm(book_path, "report", "field", "--team", "--period", "2026-12")
    assert team.exit_code == 0, team.output
    assert "| 2026-12-04 | alice | 1 | 50 | 0 | 1 |" in team.stdout
    assert "| 2026-12 | alice | Visits | 0 | 20 |" in team.stdout
    db = open_book(book_path)
    sign_in(db, "u-alice")
    db.close()
    refused = crm(book_path, "report", "field", "--team")
    assert refused.exit_code == 1 and "only a manager" in refused.stderr
    bad = crm(book_path, "report", "field", "--period", "someday")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: --period")


def test_check_in_with_photos_attaches_them(book_path: Path, tmp_path: Path) -> None:
    visit, _ = _visit(book_path)
    photo = tmp_path / "门头.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 fake jpeg")
    before = _outbox(book_path)
    missing = crm(book_path, "checkin", visit, "--photo", str(tmp_path / "none.jpg"))
    assert missing.exit_code == 1 and "photo: no file at" in missing.stderr
    assert _outbox(book_path) == before  # no check-in without its photos
    done = crm(book_path, "checkin", visit, "--photo", str(photo))
    assert done.exit_code == 0 and "1 photo attached" in done.stdout, done.output
    db = open_book(book_path)
    try:
        from crm_tui.services import files
        from crm_tui.services.book import Book

        made = db.repos.pool.checkins.of_activity(visit)
        attached = files.files_of(Book(db), "checkin", made.id)
        assert [a.name for a in attached] == ["门头.jpg"]
    finally:
        db.close()


def test_a_rep_cannot_edit_a_target_or_a_role_even_with_crm_edit(book_path: Path) -> None:
    """Review s15 H4: `crm edit TARGET --won 1` and `crm edit USER --role manager` were taken
    locally (and shown) until the next sync refused them; now refused at once."""
    db = open_book(book_path)
    sign_in(db, BOSS, "manager")
    db.close()
    made = crm(book_path, "targets", "set", "alice", "--month", "2026-12", "--won", "50万")
    assert made.exit_code == 0, made.output
    db = open_book(book_path)
    target = _first_target(book_path)
    sign_in(db, ALICE)
    db.close()
    before = _outbox(book_path)
    refused = crm(book_path, "edit", target, "--won", "1")
    assert refused.exit_code == 1 and "only a manager" in refused.stderr, refused.output
    role = crm(book_path, "edit", ALICE, "--role", "manager")
    assert role.exit_code == 1 and "role" in role.stderr
    assert _outbox(book_path) == before


def _first_target(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id FROM target WHERE deleted = 0 LIMIT 1").fetchone()[0]
