"""Provides the columns `crm list KIND` shows in a table, for the full CLI (cli/output.py)
and the quick path (services/quick_list.py) alike, so the two cannot drift.

A table names what a reference points at (`contract`: its number, `campaign`: its name), as
it has always named the customer: a 36-character id in every row pushed the columns a rep
reads off an 80-column terminal. JSON and CSV keep the ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Kept out of JSON and CSV exports: sync bookkeeping, not the record's data.
EXPORT_HIDDEN = frozenset({"field_hlc", "extra", "sort_key", "server_version"})

# Per record type, in the order a rep scans them. Other types show the id and their first
# six fields, each reference as the record it names.
LIST_COLUMNS: dict[str, list[str]] = {
    "customer": ["id", "name", "city", "status", "grade", "phone", "email", "tags"],
    "contact": ["id", "name", "customer", "title", "mobile", "phone", "email"],
    "activity": ["id", "due_at", "kind", "subject", "customer", "done_at", "outcome"],
    "opportunity": ["id", "title", "customer", "stage", "amount", "probability", "expected_close"],
    "expense": ["id", "spent_on", "category", "amount", "status", "description", "customer"],
    "announcement": ["id", "published_at", "title"],
    "competitor": ["id", "name", "strengths", "weaknesses"],
    "product": ["id", "code", "name", "model", "unit", "list_price", "active"],
    "contract": ["id", "number", "title", "status", "amount", "signed_on"],
    "payment_plan": ["id", "contract", "label", "due_on", "amount", "paid", "settled_on"],
    "payment": ["id", "contract", "received_on", "amount", "method", "status"],
    "work_report": ["id", "period", "kind", "status", "submitted_at", "done", "plan"],
    # the customer's name and the engineer's, not their ids
    "service": [
        *("id", "number", "subject", "customer", "kind", "status", "planned_start"),
        "dispatched_to",
    ],
    # a member's own name and company first: the contact and customer would repeat them
    "campaign_member": ["id", "name", "company", "campaign", "status", "phone", "email"],
}


def _shown(spec: Any, name: str) -> str:
    """A field as a table column: a reference `x_id` shows as `x` (the record it names)."""
    field = spec.by_name.get(name)
    if field is not None and field.kind == "ref" and name.endswith("_id"):
        return name[:-3]
    return name


def list_columns(spec: Any) -> list[str]:
    """The table columns of `crm list KIND` for the type's EntitySpec."""
    chosen = LIST_COLUMNS.get(spec.name)
    if chosen is not None:
        return chosen
    return ["id", *(_shown(spec, name) for name in spec.field_names[:6])]


def ref_columns(spec: Any, columns: list[str]) -> dict[str, tuple[str, str]]:
    """column -> (reference field, record type it names) for the columns among `columns`
    that show a referenced record's title instead of a field of the row."""
    out: dict[str, tuple[str, str]] = {}
    for column in columns:
        name = f"{column}_id"
        field = spec.by_name.get(name)
        if column not in spec.by_name and field is not None and field.kind == "ref":
            out[column] = (name, field.ref)
    return out


def export_columns(spec: Any, model_fields: Iterable[str]) -> list[str]:
    """The columns of `crm list KIND --format csv`: id, the type's fields, the rest of the
    model's, and `customer` (the name) beside a `customer_id`. The same header whether
    nothing, one row or a million rows matched (a cron job appends days of exports)."""
    names = dict.fromkeys(["id", *spec.field_names, *model_fields])
    columns = [name for name in names if name not in EXPORT_HIDDEN]
    if "customer_id" in columns:
        columns.append("customer")
    return columns
