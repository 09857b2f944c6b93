"""Provides service plans (服务计划, issue 15): a customer's recurring schedule (kind, every N
weeks or months, from/to, default engineer) and `generate`, which creates each coming visit
`lead_days` ahead as a service order whose id is made from the plan and the day, so two
laptops offline create the same order once (the server merges the second create).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from crm_tui.domain import service_rules as rules

if TYPE_CHECKING:
    from crm_tui.domain.models import Service, ServicePlan
    from crm_tui.services.book import Book
    from crm_tui.storage.repos_service import ServicePlanRepo

VISIT_HOUR = time(9, 0)  # a planned visit starts at 09:00 local unless moved


def _plans(book: Book) -> ServicePlanRepo:
    return book.db.repos.service.service_plans


def get(book: Book, plan_id: str) -> ServicePlan | None:
    return _plans(book).get(plan_id)


def create(book: Book, values: Mapping[str, Any]) -> ServicePlan:
    out = {"kind": "maintenance", **dict(values)}
    if not out.get("subject"):
        out["subject"] = f"{str(out['kind']).capitalize()} every {out.get('every', '')}".strip()
    if not out.get("starts_on"):
        out["starts_on"] = book.clock.today()
    return _plans(book).create(out)


def update(book: Book, plan_id: str, changes: Mapping[str, Any]) -> ServicePlan:
    return _plans(book).update(plan_id, dict(changes))


def of_customer(book: Book, customer_id: str) -> list[ServicePlan]:
    return _plans(book).of_customer(customer_id)


def generate(book: Book, today: date | None = None) -> list[Service]:
    """Create the orders of every active plan's visits due from today to `lead_days`
    ahead, each once: an id already here (even deleted: someone removed that visit) is
    left alone."""
    day = today or book.clock.today()
    orders = book.db.repos.service.services
    created: list[Service] = []
    for plan in _plans(book).active():
        try:
            days = rules.visits_due(plan.starts_on, plan.every, plan.ends_on, day, plan.lead_days)
        except rules.ServiceError:
            continue  # a plan with a bad interval (from an old laptop) makes no visits
        for visit in days:
            row_id = rules.visit_id(plan.id, visit)
            if orders.get(row_id, include_deleted=True) is not None:
                continue
            created.append(
                orders.create(
                    {
                        "customer_id": plan.customer_id,
                        "contact_id": plan.contact_id,
                        "opportunity_id": plan.opportunity_id,
                        "plan_id": plan.id,
                        "kind": plan.kind,
                        "priority": plan.priority,
                        "subject": plan.subject,
                        "engineer_id": plan.engineer_id,
                        "planned_start": _at(book, visit),
                    },
                    row_id=row_id,
                    record_undo=False,
                )
            )
    return created


DAILY_KEY = "service.plans_made_on"  # a local setting: the day the visits were last made


def generate_daily(book: Book) -> list[Service]:
    """`generate`, at most once a day on this laptop (the Service screen calls it when it
    opens; `crm plan-visits` makes them at any time)."""
    today = book.clock.today().isoformat()
    if book.db.state(DAILY_KEY) == today:
        return []
    made = generate(book)
    book.db.set_state(DAILY_KEY, today)
    return made


def _at(book: Book, day: date) -> datetime:
    return book.clock.at_local(day, VISIT_HOUR)
