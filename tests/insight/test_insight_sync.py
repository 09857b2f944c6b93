"""Through a real `crm server`: a rep's survey (and the call-back a low score makes) reach the
manager; another rep never sees them; the derived figures are made on each laptop from what
it holds, never synced."""

from __future__ import annotations

from crm_tui.services import insight, surveys
from crm_tui.services.book import Book
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

server = sqlite_server("insight")


def test_a_reps_low_score_reaches_the_manager_not_another_rep(laptop) -> None:  # noqa: F811
    rep, boss, other = laptop(), laptop("manager"), laptop()
    rep_book = Book(rep.db)
    acme = rep.db.repos.customers.create({"name": "苏州精工"})
    rep.db.repos.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "first order",
            "stage": "won",
            "amount": "5万",
            "closed_on": "2026-06-01",
        }
    )
    taken = surveys.take(rep_book, acme.id, 1, comment="安装拖了两周", source="visit")
    assert taken.follow_up is not None
    report = rep.sync()
    assert not report.rejected, report

    boss.sync()
    seen = boss.row("survey", taken.survey.id)
    assert seen is not None
    assert (seen["score"], seen["comment"], seen["source"]) == (1, "安装拖了两周", "visit")
    assert seen["owner_id"] == rep.db.user_id
    call_back = boss.row("activity", taken.follow_up.id)
    assert call_back is not None and call_back["subject"].startswith("Satisfaction 1/5")
    # The manager's laptop makes the same figures from the same rows.
    boss_book = Book(boss.db)
    insight.refresh(boss_book)
    insight.refresh(rep_book)
    mine, theirs = insight.why(rep_book, acme.id), insight.why(boss_book, acme.id)
    assert mine is not None and theirs is not None
    assert mine.risk == theirs.risk > 0
    assert [t.detail for t in theirs.terms if t.name == "satisfaction"] == [
        "latest satisfaction 1/5"
    ]

    other.sync()
    assert other.row("survey", taken.survey.id) is None  # a teammate's survey stays private
    assert other.row("customer", acme.id) is not None  # the customer itself is shared


def test_server_refuses_a_score_outside_one_to_five(laptop) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    rep = laptop()
    acme = rep.db.repos.customers.create({"name": "杭州数控"})
    rep.sync()
    forged, fine = raw_push(
        rep,
        {
            "entity": "survey",
            "row_id": "forged-survey-1",
            "kind": "create",
            "payload": {"customer_id": acme.id, "score": 9, "source": "call"},
        },
        {
            "entity": "survey",
            "row_id": "fine-survey-1",
            "kind": "create",
            "payload": {"customer_id": acme.id, "score": 4, "source": "call"},
        },
    )
    assert forged.status == "rejected" and "from 1 to 5" in (forged.reason or "")
    assert fine.status == "applied"


def test_a_managers_low_score_gives_the_call_back_to_the_customers_owner(laptop) -> None:  # noqa: F811
    rep, boss = laptop(), laptop("manager")
    acme = rep.db.repos.customers.create({"name": "无锡轴承"})
    rep.sync()
    boss.sync()
    taken = surveys.take(Book(boss.db), acme.id, 2, comment="报价太慢")
    assert taken.follow_up is not None
    report = boss.sync()
    assert not report.rejected, report
    rep.sync()
    call_back = rep.row("activity", taken.follow_up.id)
    assert call_back is not None and call_back["owner_id"] == rep.db.user_id
    assert rep.row("survey", taken.survey.id) is None  # the survey stays the manager's
