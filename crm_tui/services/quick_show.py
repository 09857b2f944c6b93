"""Provides `crm show ID` as text without Typer or SQLAlchemy (issue 20): the record an id,
id prefix or exact title names, printed exactly as cli/show.py prints it (a customer as a
briefing: contacts, open follow-ups, the last done, open deals, claims).

`QuickUnavailable` (services/quick.py) means "take the full path": no record or several
match (the full command then searches names and words its errors), a missing or old book.
tests/speed/test_quick_show.py compares both paths' output byte for byte.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from crm_tui.domain.dates import Clock
from crm_tui.services.quick import QuickUnavailable, short_ids
from crm_tui.services.quick_book import quick_book
from crm_tui.storage import plain_records, plain_rows
from crm_tui.storage.quick_schema import registry

HIDDEN = {"field_hlc", "extra", "sort_key", "server_version"}  # cli/output.py HIDDEN_IN_JSON
LAST_DONE, OPEN_LIMIT = 5, 50  # services/briefing.py
# cli/show.py's sections: title, entity, columns, and the rows (services/briefing.py's).
SECTIONS = (
    (
        "Contacts",
        "contact",
        ["id", "name", "title", "mobile", "phone", "email"],
        "customer_id = ? AND deleted = 0 ORDER BY name, id LIMIT 200",
    ),
    (
        "Open follow-ups",
        "activity",
        ["id", "due_at", "kind", "subject"],
        "customer_id = ? AND done_at IS NULL AND deleted = 0 "
        f"ORDER BY due_at IS NULL, due_at, id LIMIT {OPEN_LIMIT}",
    ),
    (
        "Last done",
        "activity",
        ["id", "done_at", "kind", "subject", "outcome"],
        "customer_id = ? AND done_at IS NOT NULL AND deleted = 0 "
        f"ORDER BY done_at DESC, id LIMIT {LAST_DONE}",
    ),
    (
        "Open deals",
        "opportunity",
        ["id", "title", "stage", "amount", "probability", "expected_close"],
        "customer_id = ? AND stage IN ({stages}) AND deleted = 0 "
        f"ORDER BY expected_close, id LIMIT {OPEN_LIMIT}",
    ),
    (
        "Claims",
        "expense",
        ["id", "spent_on", "category", "amount", "status"],
        f"customer_id = ? AND deleted = 0 ORDER BY spent_on DESC, id LIMIT {OPEN_LIMIT}",
    ),
)
CUSTOMER_LINE = ("kind", "status", "grade", "city", "phone", "email", "tags", "industry")


def show_text(path: Path, clock: Clock, ref: str, fmt: str = "table") -> str:
    """What `crm show REF [--format table|json]` prints."""
    errors = (sqlite3.Error, plain_records.Ambiguous, plain_records.Unreadable, ValueError)
    with quick_book(path, errors) as conn:
        found = plain_records.find_any(conn, ref)
        if found is None:
            raise QuickUnavailable(f"no record matches {ref!r}")
        entity, row = found
        if fmt == "json":
            return _json(conn, entity, row)
        if entity == "work_report" and not row["deleted"]:  # names and money: cli/show.py
            raise QuickUnavailable("a work report is shown by the full command")
        if entity == "customer":
            return _briefing(conn, clock, row)
        return _record(conn, clock, entity, row)


# cli/show.py's briefing attributes in JSON, in SECTIONS' order.
JSON_SECTIONS = ("contacts", "open_followups", "done_followups", "open_deals", "claims")


def _json(conn: sqlite3.Connection, entity: str, stored: dict[str, Any]) -> str:
    """cli/show.py's JSON: the record's fields and its type; a customer's briefing sections
    as lists of records (display_rows(..., "json"))."""
    import json

    from crm_tui.services.quick_export import wire_rows
    from crm_tui.services.quick_table import plain

    row = wire_rows(conn, entity, [stored])[0] | {"entity": entity}
    if entity == "customer":
        for attr, found in zip(JSON_SECTIONS, _sections(conn, stored["id"]), strict=True):
            row[attr] = wire_rows(conn, found[0], found[1])
    row = {k: plain(v) for k, v in row.items()}
    return json.dumps([row], ensure_ascii=False, indent=2, default=str) + "\n"


def _sections(conn: sqlite3.Connection, customer_id: str) -> list[tuple[str, list[dict]]]:
    """(entity, stored rows) of each briefing section (services/briefing.py's reads)."""
    from crm_tui.domain.rules import OPEN_STAGES

    stages = [s.value for s in OPEN_STAGES]
    out = []
    for _title, entity, _cols, where in SECTIONS:
        params: list[Any] = [customer_id]
        if "{stages}" in where:
            where = where.format(stages=", ".join("?" for _ in stages))
            params += stages
        out.append(
            (entity, plain_records.select(conn, f'SELECT * FROM "{entity}" WHERE {where}', params))
        )
    return out


def table_rows(
    conn: sqlite3.Connection, clock: Clock, entity: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """cli/output.py's display_rows(..., "table") of stored rows: every field in its order,
    short ids, local minutes, money with its currency, floats without noise, the customer,
    team members' names."""
    from crm_tui.domain.list_columns import list_columns, ref_columns
    from crm_tui.domain.member_fields import ids_in, member_fields, named

    specs = registry()
    spec = specs[entity]
    names = plain_rows.titles_of(conn, "customer", "name", (r.get("customer_id") for r in rows))
    # The references a list names (a contract's number), named here too, as display_rows does.
    refs = ref_columns(spec, list_columns(spec))
    refs.pop("customer", None)
    titles = {
        column: plain_rows.titles_of(
            conn, target, specs[target].title_field, (r.get(field) for r in rows)
        )
        for column, (field, target) in refs.items()
    }
    shorts = short_ids(conn, [r["id"] for r in rows])
    members = member_fields(entity)
    people = plain_rows.titles_of(conn, "user", "name", ids_in(entity, rows))
    out = []
    for row in rows:
        dumped = plain_records.typed(entity, row)
        order = ["id", *spec.field_names, *dumped]
        data = {k: dumped[k] for k in dict.fromkeys(order) if k in dumped and k not in HIDDEN}
        data.pop("deleted", None)
        for name, value in list(data.items()):
            if name in members:
                data[name] = named(value, people)
            else:
                data[name] = _table_value(clock, spec, data, name, value)
        data["id"] = shorts.get(row["id"], row["id"])
        data["customer"] = names.get(data.get("customer_id") or "", "")
        for column, (field, _target) in refs.items():
            data[column] = titles[column].get(row.get(field) or "", "")
        out.append(data)
    return out


def _table_value(clock: Clock, spec: Any, data: dict, name: str, value: Any) -> Any:
    from crm_tui.domain.money import format_money

    fspec = spec.by_name.get(name)
    if fspec and fspec.kind == "money" and value is not None:
        return format_money(value, data.get("currency") or "CNY")
    if isinstance(value, datetime):
        local = clock.to_local(value)
        all_day = data.get("all_day") and name == "due_at"
        day = f"{local.year:04d}-{local:%m-%d}"
        return day if all_day else f"{day} {local:%H:%M}"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return value


def _fields(row: dict[str, Any], skip: set[str]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in row.items() if v not in (None, "") and k not in skip]


def _record(conn: sqlite3.Connection, clock: Clock, entity: str, stored: dict[str, Any]) -> str:
    from crm_tui.services.words import word_for

    row = table_rows(conn, clock, entity, [stored])[0]
    deleted = "  [deleted]" if stored["deleted"] else ""
    lines = [f"{word_for(entity)} {row['id']}{deleted}"]
    shown = _fields(row, {"id"})
    width = max((len(k) for k, _ in shown), default=0)
    lines += [f"  {key:<{width}}  {value}" for key, value in shown]
    return "".join(line + "\n" for line in lines)


def _briefing(conn: sqlite3.Connection, clock: Clock, stored: dict[str, Any]) -> str:
    from rich.cells import cell_len

    row = table_rows(conn, clock, "customer", [stored])[0]
    deleted = "  [deleted]" if stored["deleted"] else ""
    lines = [f"customer {row['id']}  {stored['name']}{deleted}"]
    summary = [f"{k} {row[k]}" for k in CUSTOMER_LINE if row.get(k) not in (None, "")]
    if summary:
        lines.append("  " + " · ".join(summary))
    skip = {"id", "name", "customer", *CUSTOMER_LINE}
    lines += [f"  {key}: {value}" for key, value in _fields(row, skip)]
    for (title, _entity, cols, _where), (entity, found) in zip(
        SECTIONS, _sections(conn, stored["id"]), strict=True
    ):
        lines.append(f"\n{title} ({len(found)})")
        if not found:
            lines.append("  none")
            continue
        rows = table_rows(conn, clock, entity, found)
        text = [{c: "" if r.get(c) is None else str(r.get(c)) for c in cols} for r in rows]
        widths = {c: max(len(c), *(cell_len(r[c]) for r in text)) for c in cols}
        for r in [{c: c.replace("_", " ") for c in cols}, *text]:
            cells = [r[c] + " " * (widths[c] - cell_len(r[c])) for c in cols]
            lines.append(("  " + "  ".join(cells)).rstrip())
    return "".join(line + "\n" for line in lines)
