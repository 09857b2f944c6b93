"""A small book of business whose every report figure is worked out by hand in the tests.

The rep (owner NULL, not logged in) has four customers, eight follow-ups, ten deals and six
claims; another rep ('rep-b') has one of each, seen only in team reports. The clock is fixed
at 2026-11-23 09:00 UTC and the local zone is UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.storage.database import Database, open_database

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(db: Database, when: str) -> None:
    db.clock.fixed = datetime.fromisoformat(when).replace(tzinfo=UTC)


def build_book(path: Path) -> tuple[Database, dict[str, str]]:
    db = open_database(path, Clock(fixed=NOW, zone=UTC))
    r = db.repos
    ids: dict[str, str] = {}

    def customer(key: str, when: str, **values: str) -> None:
        at(db, when)
        ids[key] = r.customers.create(values).id

    customer(
        "C1",
        "2026-10-05 10:00",
        name="Acme",
        city="北京",
        industry="steel",
        status="closed",
        grade="A",
    )
    customer(
        "C2",
        "2026-11-02 10:00",
        name="Globex",
        city="上海",
        industry="software",
        status="contacted",
        grade="B",
    )
    customer(
        "C3",
        "2026-11-10 10:00",
        name="Initech",
        city="北京",
        industry="steel",
        status="potential",
        grade="A",
    )
    customer("C4", "2026-06-15 10:00", name="Hooli", status="lost", grade="C")

    def followup(cust: str, kind: str, done: str | None, due: str = "2026-11-25") -> None:
        at(db, "2026-09-01 08:00")
        values = {
            "customer_id": ids[cust],
            "kind": kind,
            "subject": f"{kind} {cust}",
            "due_at": due,
        }
        if done:
            values["done_at"] = datetime.fromisoformat(done).replace(tzinfo=UTC)
        r.activities.create(values)

    followup("C1", "call", "2026-11-03 10:00")
    followup("C1", "visit", "2026-11-05 10:00")
    followup("C2", "visit", "2026-11-06 10:00")
    followup("C2", "visit", "2026-11-20 10:00")
    followup("C1", "call", "2026-10-10 10:00")
    followup("C3", "email", None)
    followup("C4", "call", "2026-09-01 10:00")
    followup("C3", "task", "2026-09-15 10:00")

    def deal(
        key: str, cust: str, created: str, title: str, amount: str, stage: str, **extra: str
    ) -> None:
        at(db, created)
        ids[key] = r.opportunities.create(
            {"customer_id": ids[cust], "title": title, "amount": amount, "stage": stage} | extra
        ).id

    deal("O1", "C1", "2026-10-01 10:00", "Pipes", "100000", "won", closed_on="2026-11-10")
    deal("O2", "C1", "2026-09-20 10:00", "Valves", "20000", "won", closed_on="2026-10-20")
    deal("O3", "C2", "2026-11-05 10:00", "CRM seats", "30000", "won", closed_on="2026-11-15")
    deal(
        "O4",
        "C2",
        "2026-10-12 10:00",
        "Support",
        "5000",
        "lost",
        closed_on="2026-11-12",
        lost_reason="price",
    )
    deal(
        "O5",
        "C3",
        "2026-10-12 10:00",
        "Trial",
        "8000",
        "lost",
        closed_on="2026-11-18",
        lost_reason="price",
    )
    deal(
        "O6",
        "C3",
        "2026-10-12 10:00",
        "Pilot",
        "2000",
        "lost",
        closed_on="2026-11-19",
        lost_reason="competitor",
    )
    deal(
        "O7",
        "C1",
        "2026-10-12 10:00",
        "Expansion",
        "50000",
        "proposal",
        expected_close="2026-12-15",
    )
    deal("O8", "C2", "2026-10-12 10:00", "Upsell", "10000", "lead", expected_close="2026-11-30")
    deal("O9", "C3", "2026-10-12 10:00", "Big", "40000", "negotiation", expected_close="2026-10-31")
    deal("O10", "C4", "2026-10-12 10:00", "Old", "1000", "qualified")

    db.set_state("role", "manager")  # to approve and reject claims

    def claim(
        key: str,
        spent: str,
        category: str,
        amount: str,
        status: str,
        cust: str | None = None,
        opp: str | None = None,
    ) -> None:
        at(db, spent + " 12:00")
        values = {
            "spent_on": spent,
            "category": category,
            "amount": amount,
            "description": f"{category} {key}",
        }
        if cust:
            values["customer_id"] = ids[cust]
        if opp:
            values["opportunity_id"] = ids[opp]
        ids[key] = r.expenses.create(values).id
        if status != "draft":
            r.expenses.submit(ids[key])
        if status == "approved":
            r.expenses.approve(ids[key])
        if status == "rejected":
            r.expenses.reject(ids[key], "no receipt")

    claim("E1", "2026-11-03", "travel", "500", "approved", "C1", "O1")
    claim("E2", "2026-11-05", "meals", "200", "submitted", "C1")
    claim("E3", "2026-11-06", "travel", "300", "submitted", "C2", "O3")
    claim("E4", "2026-11-07", "gifts", "1000", "draft", "C2")
    claim("E5", "2026-11-08", "meals", "100", "rejected")
    claim("E6", "2026-10-10", "lodging", "400", "submitted", "C1")

    # Another rep's book: only in team reports.
    db.set_state("user_id", "rep-b")
    db.set_state("role", "rep")
    customer(
        "C5", "2026-11-03 10:00", name="Stark", city="深圳", industry="software", status="contacted"
    )
    followup("C5", "call", "2026-11-04 10:00")
    deal("O11", "C5", "2026-10-01 10:00", "Armour", "70000", "won", closed_on="2026-11-08")
    claim("E7", "2026-11-04", "travel", "999", "submitted", "C5")
    db.set_state("user_id", None)
    db.set_state("role", None)

    db.clock.fixed = NOW
    return db, ids
