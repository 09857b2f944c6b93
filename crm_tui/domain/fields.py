"""Provides the field registry: every entity's fields, their kinds, and how text becomes a value.

One registry serves the CLI options, the TUI forms, CSV import and the query language, so a
field is declared once and checked the same way everywhere. Pure Python: no ORM import, so
the desk can use it before SQLModel has loaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crm_tui.domain import rules, service_rules
from crm_tui.domain.contact_log_specs import contact_log_errors
from crm_tui.domain.dates import parse_when
from crm_tui.domain.doc_specs import DOC_ENTITIES
from crm_tui.domain.field_values import DATE_MAX as DATE_MAX
from crm_tui.domain.field_values import DATE_MIN as DATE_MIN
from crm_tui.domain.field_values import INT_MAX as INT_MAX
from crm_tui.domain.field_values import KIND_MAX_LEN as KIND_MAX_LEN
from crm_tui.domain.field_values import MONEY_MAX as MONEY_MAX
from crm_tui.domain.field_values import EntitySpec as EntitySpec
from crm_tui.domain.field_values import FieldError as FieldError
from crm_tui.domain.field_values import FieldSpec as FieldSpec
from crm_tui.domain.field_values import InputContext as InputContext
from crm_tui.domain.field_values import ValidationErrors as ValidationErrors
from crm_tui.domain.field_values import from_wire as from_wire
from crm_tui.domain.field_values import join_tags as join_tags
from crm_tui.domain.field_values import parse_value as parse_value
from crm_tui.domain.field_values import split_tags as split_tags
from crm_tui.domain.field_values import to_wire as to_wire
from crm_tui.domain.file_specs import FILE_ENTITIES
from crm_tui.domain.kb_specs import KB_ENTITIES
from crm_tui.domain.marketing_specs import MARKETING_ENTITIES
from crm_tui.domain.money import parse_money
from crm_tui.domain.pool_specs import POOL_CUSTOMER_FIELDS, POOL_ENTITIES
from crm_tui.domain.service_specs import SERVICE_ENTITIES
from crm_tui.domain.survey_specs import SURVEY_SPEC, score_error
from crm_tui.domain.work_report_specs import OFFICE_ENTITIES

# Columns every synced table has; not typed by the rep.
SYNC_COLUMNS = (
    "id",
    "owner_id",
    "created_at",
    "updated_at",
    "deleted",
    "field_hlc",
    "server_version",
    "extra",
)


def _enum(enum_type: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum_type)


F = FieldSpec
ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(
            "user",
            "user",
            "name",
            (
                F("name", "text", required=True),
                F("email", "email"),
                F("role", "enum", choices=_enum(rules.Role)),
            ),
            plural="users",
        ),
        EntitySpec(
            "customer",
            "customer",
            "name",
            (
                F("name", "text", required=True),
                F("kind", "enum", choices=_enum(rules.CustomerKind)),
                F("status", "enum", choices=_enum(rules.CustomerStatus)),
                F("grade", "enum", choices=_enum(rules.Grade)),
                F("industry", "text"),
                F("source", "text"),
                F("phone", "phone"),
                F("email", "email"),
                F("address", "text", max_len=500),
                F("city", "text"),
                F("website", "url"),
                F("tags", "tags"),
                F("notes", "longtext", max_len=4_000),
                F("birthday", "date"),
                *POOL_CUSTOMER_FIELDS,
            ),
            plural="customers",
        ),
        EntitySpec(
            "contact",
            "contact",
            "name",
            (
                F("customer_id", "ref", "Customer", required=True, ref="customer"),
                F("name", "text", required=True),
                F("title", "text"),
                F("phone", "phone"),
                F("mobile", "phone"),
                F("email", "email"),
                F("birthday", "date"),
                F("notes", "longtext", max_len=4_000),
            ),
            plural="contacts",
        ),
        EntitySpec(
            "activity",
            "activity",
            "subject",
            (
                F("customer_id", "ref", "Customer", required=True, ref="customer"),
                F("contact_id", "ref", "Contact", ref="contact"),
                F("opportunity_id", "ref", "Opportunity", ref="opportunity"),
                F("kind", "enum", choices=_enum(rules.ActivityKind)),
                F("subject", "text", required=True),
                F("notes", "longtext", max_len=4_000),
                F("due_at", "datetime", "Due"),
                F("all_day", "bool"),
                F("remind_at", "datetime", "Remind"),
                F("done_at", "datetime", "Done"),
                F("outcome", "longtext", max_len=5_000),
            ),
            plural="followups",
            aliases=("followup", "follow-up", "activities", "follow-ups"),
        ),
        EntitySpec(
            "opportunity",
            "opportunity",
            "title",
            (
                F("customer_id", "ref", "Customer", required=True, ref="customer"),
                F("title", "text", required=True),
                F("stage", "enum", choices=_enum(rules.Stage)),
                F("amount", "money"),
                F("currency", "currency"),
                F("probability", "percent"),
                F("expected_close", "date"),
                F("next_step", "text"),
                F("closed_on", "date"),
                F("lost_reason", "text"),
                F("lost_note", "longtext", max_len=5_000),
                F("competitor_id", "ref", "Competitor", ref="competitor"),
                F("stage_changed_at", "datetime"),
                F("campaign_id", "ref", "Campaign", ref="campaign"),
            ),
            plural="opportunities",
            aliases=("deal", "deals", "opp", "opps"),
        ),
        EntitySpec(
            "opportunity_line",
            "opportunity_line",
            "product",
            (
                F("opportunity_id", "ref", "Opportunity", required=True, ref="opportunity"),
                F("product", "text", required=True),
                F("model", "text"),
                F("unit_price", "money"),
                F("currency", "currency"),
                F("quantity", "int"),
            ),
            plural="opportunity_lines",
            aliases=("line", "lines"),
        ),
        EntitySpec(
            "expense",
            "expense",
            "description",
            (
                F("spent_on", "date", required=True),
                F("category", "enum", choices=rules.EXPENSE_CATEGORIES),
                F("amount", "money", required=True),
                F("currency", "currency"),
                F("customer_id", "ref", "Customer", ref="customer"),
                F("opportunity_id", "ref", "Opportunity", ref="opportunity"),
                F("description", "text"),
                F("receipt", "text", max_len=1_000),
                F("status", "enum", choices=_enum(rules.ExpenseStatus)),
                F("approver_id", "ref", "Approver", ref="user"),
                F("decision_note", "longtext", max_len=5_000),
                F("submitted_at", "datetime"),
                F("decided_at", "datetime"),
                F("campaign_id", "ref", "Campaign", ref="campaign"),
            ),
            plural="expenses",
            aliases=("claim", "claims"),
        ),
        EntitySpec(
            "announcement",
            "announcement",
            "title",
            (
                F("title", "text", required=True),
                F("body", "longtext", max_len=50_000),
                F("published_at", "datetime"),
            ),
            plural="announcements",
        ),
        EntitySpec(
            "competitor",
            "competitor",
            "name",
            (
                F("name", "text", required=True),
                F("strengths", "longtext", max_len=5_000),
                F("weaknesses", "longtext", max_len=5_000),
                F("notes", "longtext", max_len=4_000),
            ),
            plural="competitors",
        ),
        EntitySpec(
            "saved_query",
            "saved_query",
            "name",
            (
                F("name", "text", required=True),
                F("screen", "text", required=True),
                F("query", "text", max_len=2_000),
                F("pinned", "bool"),
                F("key", "text", max_len=20),
            ),
            plural="saved_queries",
            aliases=("view", "views"),
        ),
        EntitySpec(
            "lost_reason",
            "lost_reason",
            "name",
            (F("name", "text", required=True),),
            plural="lost_reasons",
        ),
        *DOC_ENTITIES,
        *MARKETING_ENTITIES,
        *POOL_ENTITIES,
        *SERVICE_ENTITIES,
        *OFFICE_ENTITIES,
        *FILE_ENTITIES,
        *KB_ENTITIES,
        SURVEY_SPEC,  # customer insight (issue 22)
    )
}
del F


def entity(name: str) -> EntitySpec:
    """Look up an entity by its name, plural or alias ('followups', 'deals', ...)."""
    key = name.strip().lower()
    for spec in ENTITIES.values():
        if key in (spec.name, spec.plural, *spec.aliases):
            return spec
    known = ", ".join(s.plural for s in ENTITIES.values() if s.name != "opportunity_line")
    raise KeyError(f"unknown record type '{name}' (one of: {known})")


def parse_values(entity_name: str, raw: Mapping[str, Any], ctx: InputContext) -> dict[str, Any]:
    """Parse several fields at once; every refused field is reported, not just the first.

    A money amount typed with a currency ('USD 120') also sets the record's currency.
    """
    spec = ENTITIES[entity_name]
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, text in raw.items():
        if name not in spec.by_name:
            errors.append(FieldError(name, f"{spec.name} has no field '{name}'"))
            continue
        fspec = spec.by_name[name]
        try:
            values[name] = parse_value(fspec, text, ctx)
            if fspec.kind == "money" and isinstance(text, str) and text.strip():
                currency = parse_money(text, ctx.currency)[1]
                if "currency" in spec.by_name and "currency" not in raw:
                    values["currency"] = currency
            if fspec.kind == "datetime" and isinstance(text, str) and text.strip():
                # A date with no time ('fri') is an all-day follow-up.
                if "all_day" in spec.by_name and "all_day" not in raw and name == "due_at":
                    values["all_day"] = parse_when(text, ctx.clock)[1]
        except FieldError as exc:
            errors.append(exc)
    if errors:
        raise ValidationErrors(errors)
    return values


def check_record(entity_name: str, record: Mapping[str, Any]) -> None:
    """Rules over a whole record (required fields, stage rules); raises ValidationErrors."""
    spec = ENTITIES[entity_name]
    errors = [
        FieldError(f.name, "is required")
        for f in spec.fields
        if f.required and (record.get(f.name) is None or record.get(f.name) == "")
    ]
    try:
        if entity_name == "opportunity" and record.get("stage"):
            rules.check_stage(
                rules.Stage(record["stage"]), record.get("closed_on"), record.get("lost_reason")
            )
    except rules.RuleError as exc:
        errors.append(FieldError(exc.field, exc.message))
    if entity_name == "service":  # issue 15: a visit cannot end before it starts
        problem = service_rules.planned_error(
            record.get("planned_start"), record.get("planned_end")
        )
        if problem:
            errors.append(FieldError("planned_end", problem))
    if entity_name == "survey" and record.get("score") is not None:  # issue 22: 1..5
        problem = score_error(record["score"])
        if problem:
            errors.append(FieldError("score", problem))
    if entity_name == "contact_log":  # issue 17: minutes of one contact (clock: services)
        errors += [FieldError(f, m) for f, m in contact_log_errors(record)]
    if errors:
        raise ValidationErrors(errors)


def dumps(values: Mapping[str, Any]) -> str:
    return json.dumps({k: to_wire(v) for k, v in values.items()}, ensure_ascii=False)
