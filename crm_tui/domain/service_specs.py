"""Provides the field specs of after-sales service (issue 15): the service order (派遣单) and
the service plan (服务计划). Money in minor units; time spent in minutes. `domain/fields.py`
adds them to the one registry.
"""

from __future__ import annotations

from enum import Enum

from crm_tui.domain import service_rules as rules
from crm_tui.domain.field_values import EntitySpec
from crm_tui.domain.field_values import FieldSpec as F


def _enum(enum_type: type[Enum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_type)


SERVICE_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        "service",
        "service",
        "subject",
        (
            F("number", "text", max_len=40),
            F("subject", "text", required=True),
            F("customer_id", "ref", "Customer", required=True, ref="customer"),
            F("kind", "enum", choices=_enum(rules.ServiceKind)),
            F("status", "enum", choices=_enum(rules.ServiceStatus)),
            F("planned_start", "datetime", "Planned"),
            F("engineer_id", "ref", "Engineer", ref="user"),
            F("priority", "enum", choices=_enum(rules.Priority)),
            F("contact_id", "ref", "Contact", ref="contact"),
            F("opportunity_id", "ref", "Deal", ref="opportunity"),
            F("plan_id", "ref", "Plan", ref="service_plan"),
            F("description", "longtext", max_len=4_000),
            F("planned_end", "datetime", "Until"),
            F("requested_at", "datetime"),
            F("approver_id", "ref", "Approver", ref="user"),
            F("approved_at", "datetime", "Dispatched"),
            F("dispatched_to", "ref", "Dispatched to", ref="user"),
            F("decision_note", "longtext", max_len=5_000),
            F("started_at", "datetime"),
            F("finished_at", "datetime"),
            F("closed_at", "datetime"),
            F("minutes", "int", "Time (min)"),
            F("parts_cost", "money", "Parts"),
            F("travel_cost", "money", "Travel"),
            F("other_cost", "money", "Other"),
            F("currency", "currency"),
            F("rating", "int"),
            F("feedback", "longtext", max_len=4_000),
        ),
        plural="services",
        aliases=("service_order", "service_orders", "dispatch", "dispatches"),
    ),
    EntitySpec(
        "service_plan",
        "service_plan",
        "subject",
        (
            F("customer_id", "ref", "Customer", required=True, ref="customer"),
            F("opportunity_id", "ref", "Deal", ref="opportunity"),
            F("contact_id", "ref", "Contact", ref="contact"),
            F("kind", "enum", choices=_enum(rules.ServiceKind)),
            F("priority", "enum", choices=_enum(rules.Priority)),
            F("subject", "text", required=True),
            F("every", "text", "Every", required=True, max_len=10),
            F("starts_on", "date", "From", required=True),
            F("ends_on", "date", "To"),
            F("engineer_id", "ref", "Engineer", ref="user"),
            F("lead_days", "int", "Days ahead"),
            F("active", "bool"),
            F("notes", "longtext", max_len=4_000),
        ),
        plural="service_plans",
        aliases=("service-plan", "service-plans", "plan_of_service"),
    ),
)
