"""Through a real `crm server`: a rep submits a daily report to her manager; the manager
reads it (the read receipt reaches the rep) and comments (the comment reaches the rep, her
reply reaches him); a rep who is not a recipient never receives the report nor its
comments; a peer named as recipient does; contact logs travel like follow-ups."""

from __future__ import annotations

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import contact_log, work_reports
from crm_tui.services.book import Book
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

server = sqlite_server("office")


def test_report_read_and_commented_reaches_only_its_people(laptop) -> None:  # noqa: F811
    rep, boss, other, peer = laptop(), laptop("manager"), laptop(), laptop()
    for lap in (boss, other, peer, rep):
        lap.sync()  # everyone knows the team
    rep_book, boss_book = Book(rep.db), Book(boss.db)
    acme = rep.db.repos.customers.create({"name": "北京钢管"})
    visit = rep.db.repos.activities.create(
        {"customer_id": acme.id, "subject": "拜访", "kind": "visit", "due_at": "today"}
    )
    rep.db.repos.activities.done(visit.id, outcome="谈了报价")
    report = work_reports.draft(rep_book, "daily", done="拜访北京钢管", to=[boss.name, peer.name])
    report = work_reports.submit(rep_book, report.id)
    assert not rep.sync().rejected

    boss.sync()
    seen = work_reports.read(boss_book, report.id)
    assert seen.frozen and "Visits: 1" in seen.figures
    note = work_reports.comment(boss_book, report.id, "报价要快")
    assert not boss.sync().rejected

    rep.sync()
    mine = work_reports.view(rep_book, report.id)
    assert [name for name, _ in mine.read_by] == [boss.name]
    assert [(c.author, c.body) for c in mine.comments] == [(boss.name, "报价要快")]
    reply = work_reports.comment(rep_book, report.id, "明天发", reply_to=note.id)
    assert not rep.sync().rejected
    boss.sync()
    thread = work_reports.view(boss_book, report.id).comments
    assert [(c.body, c.depth) for c in thread] == [("报价要快", 0), ("明天发", 1)]

    # A rep who is not a recipient never receives the report nor what hangs on it.
    other.sync()
    assert other.row("work_report", report.id) is None
    assert other.row("report_comment", note.id) is None
    assert other.row("report_comment", reply.id) is None
    # A peer named as a recipient does, and may not rewrite it.
    peer.sync()
    assert peer.row("work_report", report.id)["done"] == "拜访北京钢管"
    assert peer.row("report_comment", note.id)["body"] == "报价要快"
    with pytest.raises(ValidationErrors, match="only its author"):
        peer.db.repos.office.reports.update(report.id, {"done": "改了"})

    # The team view: the manager sees who has submitted and that he has read it.
    team = {r.name: r for r in work_reports.team_view(boss_book, "daily")}
    assert team[rep.name].status == "submitted" and team[rep.name].read
    assert team[other.name].status == "missing"


def test_server_refuses_a_recipient_editing_the_report(laptop) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    rep, boss = laptop(), laptop("manager")
    boss.sync()
    rep.sync()
    report = work_reports.draft(Book(rep.db), "weekly", done="本周", to=[boss.name])
    rep.sync()
    (edit,) = raw_push(
        boss,
        {
            "entity": "work_report",
            "row_id": report.id,
            "kind": "patch",
            "payload": {"done": "经理改写"},
        },
    )
    assert edit.status == "rejected" and "only its author" in (edit.reason or "")


def test_contact_logs_are_the_owners_and_managers(laptop) -> None:  # noqa: F811
    alice, bob, boss = laptop(), laptop(), laptop("manager")
    acme = alice.db.repos.customers.create({"name": "深圳电子"})
    entry = contact_log.log(Book(alice.db), acme.id, channel="wechat", summary="发了样品图")
    alice.sync()
    bob.sync()
    boss.sync()
    assert bob.row("contact_log", entry.id) is None
    assert boss.row("contact_log", entry.id)["summary"] == "发了样品图"


def test_the_team_rule_is_a_managers_and_reaches_every_laptop(laptop) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    rep, boss = laptop(), laptop("manager")
    work_reports.set_rule(Book(boss.db), "weekly", "fri", "17:00")
    assert not boss.sync().rejected
    rep.sync()
    assert {r.kind for r in work_reports.rules(Book(rep.db))} == {"weekly"}
    (forged,) = raw_push(
        rep,
        {
            "entity": "report_rule",
            "row_id": "01a24400-0000-7000-8000-000000000001",
            "kind": "create",
            "payload": {"kind": "daily", "weekdays": "sun", "due_by": "06:00"},
        },
    )
    assert forged.status == "rejected" and "only a manager" in (forged.reason or "")


def test_server_keeps_submit_a_command_and_a_submitted_report_final(laptop) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    rep, boss = laptop(), laptop("manager")
    boss.sync()
    rep.sync()
    book = Book(rep.db)
    draft = work_reports.draft(book, "daily", done="草稿", to=[boss.name])
    rep.sync()
    (forged,) = raw_push(
        rep,
        {
            "entity": "work_report",
            "row_id": draft.id,
            "kind": "patch",
            "payload": {"status": "submitted"},
        },
    )
    assert forged.status == "rejected" and "submit command" in (forged.reason or "")
    boss.sync()
    (theirs,) = raw_push(
        boss,
        {
            "entity": "work_report",
            "row_id": draft.id,
            "kind": "command",
            "payload": {"command": "submit", "fields": {}},
        },
    )
    assert theirs.status == "rejected"
    work_reports.submit(book, draft.id)
    assert not rep.sync().rejected
    stamped = rep.row("work_report", draft.id)
    assert stamped["status"] == "submitted" and stamped["submitted_at"] is not None
    (late,) = raw_push(
        rep,
        {"entity": "work_report", "row_id": draft.id, "kind": "patch", "payload": {"done": "改"}},
    )
    assert late.status == "rejected" and "final" in (late.reason or "")


def test_the_server_refuses_a_contact_of_absurd_minutes(laptop) -> None:  # noqa: F811
    """The minutes rule lives in the registry's check_record, which the server runs too:
    a laptop that skipped it (an old version) gets that entry rejected with the reason."""
    import httpx

    from crm_tui.sync.client import load_login
    from crm_tui.sync.protocol import version_headers
    from tests.sync.test_api_errors import mutation

    login = load_login(laptop().path)
    headers = version_headers() | {"Authorization": f"Bearer {login.token}"}
    cid = "cust-minutes-1"
    entry = {"customer_id": cid, "channel": "call", "at": "2026-11-23T02:00:00+00:00"}
    batch = [
        mutation(1, row_id=cid, payload={"name": "上海机电"}),
        mutation(2, entity="contact_log", row_id="log-1", payload=entry | {"minutes": 100000000}),
        mutation(3, entity="contact_log", row_id="log-2", payload=entry | {"minutes": 1440}),
    ]
    with httpx.Client(base_url=login.server_url, headers=headers, timeout=30) as client:
        response = client.post("/sync/push", json={"mutations": batch})
    assert response.status_code == 200, response.text
    created, absurd, a_day = response.json()["results"]
    assert created["status"] != "rejected" and a_day["status"] != "rejected", a_day
    assert absurd["status"] == "rejected" and "minutes" in absurd["reason"]


def test_a_manager_who_is_not_a_recipient_does_not_receive_the_report(laptop) -> None:  # noqa: F811
    rep, boss, other_boss = laptop(), laptop("manager"), laptop("manager")
    for lap in (boss, other_boss, rep):
        lap.sync()
    report = work_reports.draft(Book(rep.db), "daily", done="拜访客户", to=[boss.name])
    work_reports.submit(Book(rep.db), report.id)
    assert not rep.sync().rejected
    boss.sync()
    other_boss.sync()
    assert boss.row("work_report", report.id)["done"] == "拜访客户"
    assert other_boss.row("work_report", report.id) is None
