"""Provides the after-sales demo (issue 15): three engineers, an install after each won
deal, quarterly maintenance plans with their past visits, repairs (some repeated within 90
days), requests waiting for a manager, visits today and a few overdue — so the Service
screen, the desk and the service report look alive. Called by services/demo.py after the
customers, deals and sales documents are written.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from crm_tui.domain import service_rules as rules
from crm_tui.services import service_plans

if TYPE_CHECKING:
    from crm_tui.services.book import Book

ENGINEERS = ("王建国", "刘海", "陈立")
_NS = uuid.UUID("0f6e1b4a-2d1c-4b8e-a7e2-5c1d9e3f4a11")
REPAIRS = ("主轴异响", "液压系统漏油", "控制柜报警", "电机过热", "传感器失灵", "皮带断裂")
FEEDBACK = ("师傅很专业", "响应及时", "问题已解决", "希望下次提前电话联系", "满意", "")


def add_service(book: Book, *, seed: int = 15, installs: int = 30) -> dict[str, int]:
    """Write the after-sales demo; returns counts (orders, plans, engineers). One
    transaction: the demo's build time is measured."""
    with book.db.transaction():
        return _add(book, seed, installs)


def _add(book: Book, seed: int, installs: int) -> dict[str, int]:
    rng = random.Random(seed)
    db = book.db
    today = book.clock.today()
    engineers = [_engineer(book, name) for name in ENGINEERS]
    repo = db.repos.service.services
    made = {"orders": 0, "plans": 0, "engineers": len(engineers)}

    def order(customer_id: str, kind: str, subject: str, day: date, **extra: Any) -> Any:
        when = book.clock.at_local(day, time(rng.choice((9, 10, 14, 15)), 0))
        row_id = extra.pop("row_id", None)
        rec = repo.create(
            {
                "customer_id": customer_id,
                "kind": kind,
                "subject": subject,
                "planned_start": when,
                "engineer_id": extra.pop("engineer", rng.choice(engineers)),
                "priority": extra.pop("priority", "normal"),
                **extra,
            },
            row_id=row_id,
            record_undo=False,
        )
        made["orders"] += 1
        _history(repo, rec, today, rng, when)
        return rec

    won = [d for d in db.repos.opportunities.page(limit=2000) if d.stage == "won"][:installs]
    for n, deal in enumerate(won):
        closed = deal.closed_on or today - timedelta(days=30)
        order(deal.customer_id, "install", f"安装调试：{deal.title}", closed + timedelta(days=7),
              opportunity_id=deal.id)  # fmt: skip
        if n % 3 == 0:  # a maintenance contract: a visit every quarter
            plan = service_plans.create(
                book,
                {
                    "customer_id": deal.customer_id,
                    "opportunity_id": deal.id,
                    "kind": "maintenance",
                    "subject": "季度保养",
                    "every": "3m",
                    "starts_on": closed + timedelta(days=90),
                    "engineer_id": engineers[n % len(engineers)],
                    "lead_days": 21,
                },
            )
            made["plans"] += 1
            for i in range(8):  # the plan's past visits, each with the plan's own id
                day = rules.nth_visit(plan.starts_on, plan.every, i)
                if day >= today:
                    break
                order(deal.customer_id, "maintenance", "季度保养", day, plan_id=plan.id,
                      engineer=plan.engineer_id, row_id=rules.visit_id(plan.id, day))  # fmt: skip
        if n % 4 == 1:  # a repair, and for some a repeat within 90 days
            first = closed + timedelta(days=rng.randint(40, 160))
            order(deal.customer_id, "repair", rng.choice(REPAIRS), first, priority="high")
            if n % 8 == 1:
                again = first + timedelta(days=rng.randint(15, 80))
                order(deal.customer_id, "repair", rng.choice(REPAIRS), again, priority="urgent")
    customers = db.repos.customers.page(limit=12)
    for i, customer in enumerate(customers):  # the coming days: today's visits, requests
        day = today + timedelta(days=i % 4 - (1 if i % 5 == 0 else 0))
        kind = ("inspection", "training", "repair", "complaint")[i % 4]
        order(customer.id, kind, f"{kind} · {customer.name}", day)
    made["orders"] += len(service_plans.generate(book, today))
    return made


def _engineer(book: Book, name: str) -> str:
    """A team member as the server would send one (the demo book is never signed in)."""
    users = book.db.repos.users
    found = users.member_id(name)
    if found:
        return found
    row_id = str(uuid.uuid5(_NS, name))
    with book.db.transaction() as s:
        users.apply_remote(s, row_id, {"fields": {"name": name, "role": "rep"}}, version=0)
    return row_id


def _history(repo: Any, rec: Any, today: date, rng: random.Random, when: datetime) -> None:
    """Move a demo order along as far as its day says: done in the past (rarely still
    open: overdue), dispatched or waiting for approval ahead."""
    day = when.date()
    if day > today:
        if rng.random() < 0.5:
            asked = min(when - timedelta(days=2), repo.db.clock.now())
            repo.seed_history(
                rec.id, {"status": "requested", "requested_at": asked, "created_at": asked}
            )
        return
    requested = when - timedelta(days=3)
    steps: dict[str, Any] = {
        "status": "approved",
        "created_at": requested,  # written when it was asked for: History reads in order
        "requested_at": requested,
        "approved_at": requested + timedelta(hours=4),
        "dispatched_to": rec.engineer_id,
    }
    late = day < today and (today - day).days < 30 and rng.random() < 0.3
    if day == today or late:  # today's visits, and a few overdue ones
        repo.seed_history(rec.id, steps)
        return
    minutes = rng.choice((60, 90, 120, 180, 240, 360))
    steps |= {
        "status": "closed" if rng.random() < 0.6 else "done",
        "started_at": when,
        "finished_at": when + timedelta(minutes=minutes),
        "minutes": minutes,
        "parts_cost": rng.choice((0, 0, 12_000, 35_000, 80_000, 150_000)),
        "travel_cost": rng.choice((0, 5_000, 12_000, 20_000)),
        "other_cost": rng.choice((0, 0, 0, 3_000)),
        "rating": rng.choice((3, 4, 4, 5, 5, 5)),
        "feedback": rng.choice(FEEDBACK) or None,
    }
    if steps["status"] == "closed":
        steps["closed_at"] = when + timedelta(days=rng.randint(1, 5))
    repo.seed_history(rec.id, steps)
