"""Provides the SQL text of a `Filter` (crm_tui/domain/filter.py) for plain sqlite3: the
same WHERE clauses as storage/filter_sql.py writes with SQLAlchemy, as text with `?`
parameters, so the CLI's read commands can answer without loading the ORM (issue 20).

Values are bound as SQLAlchemy binds them for SQLite (datetimes in UTC as
`YYYY-MM-DD HH:MM:SS.ffffff`, dates as `YYYY-MM-DD`, booleans as 1/0), so both give the
same rows; tests/speed/test_plain_filter.py holds the two to it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from crm_tui.domain import rules
from crm_tui.domain.fields import ENTITIES
from crm_tui.domain.filter import (
    AllOf,
    AnyOf,
    Clause,
    Compare,
    Filter,
    FreeText,
    Has,
    HasTag,
    IsEmpty,
    Not,
    OneOf,
    OwnerIs,
    Range,
    RefMatch,
    Related,
)

_TEXT_KINDS = ("text", "longtext", "email", "phone", "url")
_SYNC_KINDS = {"created_at": "datetime", "updated_at": "datetime", "deleted": "bool"}
_SYNC_KINDS |= {"pool_since": "datetime", "claimed_at": "datetime"}

Sql = tuple[str, list[Any]]


class Unsupported(Exception):
    """A clause this module does not write; the caller takes the ORM path."""


def _kind(entity: str, name: str) -> str | None:
    spec = ENTITIES[entity]
    fspec = spec.by_name.get(name)
    if fspec is not None:
        return fspec.kind
    if name in _SYNC_KINDS:
        return _SYNC_KINDS[name]
    from crm_tui.storage.plain_records import model_columns

    types = dict(model_columns().get(entity, ()))
    return _TYPE_KINDS.get(types.get(name))  # type: ignore[arg-type]


_TYPE_KINDS = {datetime: "datetime", date: "date", bool: "bool"}


def bind(kind: str | None, value: Any) -> Any:
    """`value` as SQLAlchemy's SQLite types bind it to a column of `kind` (sqlmodel's
    UTCDateTime turns an aware datetime to UTC and refuses a naive one or a date)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        if kind == "date":
            return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        if kind == "datetime":
            if value.utcoffset() is None:
                raise Unsupported("a naive datetime")
            value = value.astimezone(UTC)
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
        )
    if isinstance(value, date) and kind == "datetime":
        raise Unsupported("a date compared with a datetime column")
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return value


def _escape(text: str) -> str:
    # SQLAlchemy's autoescape: '/' is the escape character for '%', '_' and itself.
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def live(table: str) -> str:
    # `deleted = 0` literally: SQLite uses the partial indexes (WHERE deleted = 0) only then.
    return f'"{table}".deleted = 0'


def where(filter_: Filter | None) -> Sql:
    """The filter's clauses ANDed (free text last), or ('1', []) for None / nothing."""
    if filter_ is None:
        return "1", []
    terms = [*filter_.terms, *([filter_.text] if filter_.text is not None else [])]
    return _and([clause_sql(filter_.entity, c) for c in terms])


def _and(parts: list[Sql]) -> Sql:
    if not parts:
        return "1", []
    if len(parts) == 1:
        return parts[0]
    return "(" + " AND ".join(p[0] for p in parts) + ")", [v for p in parts for v in p[1]]


def _or(parts: list[Sql]) -> Sql:
    if not parts:
        return "0", []
    if len(parts) == 1:
        return parts[0]
    return "(" + " OR ".join(p[0] for p in parts) + ")", [v for p in parts for v in p[1]]


def _column(entity: str, name: str) -> tuple[str, str | None]:
    """(SQL of a column or derived value, its kind for binding)."""
    if name == "weighted" and entity == "opportunity":
        return '(("opportunity".amount * "opportunity".probability + 50) / 100)', "int"
    if name == "contacted" and entity == "customer":
        last = (
            'SELECT max(a.done_at) FROM activity a WHERE a.customer_id = "customer".id '
            "AND a.deleted = 0 AND a.done_at IS NOT NULL"
        )
        return f'coalesce(({last}), "customer".created_at)', "datetime"
    spec = ENTITIES[entity]
    if name not in spec.by_name and name not in ("id", "owner_id", *_SYNC_KINDS):
        raise Unsupported(f"{entity}.{name}")
    return f'"{entity}"."{name}"', _kind(entity, name)


def clause_sql(entity: str, clause: Clause) -> Sql:
    """One clause over `entity`'s table (named by the entity, as the FROM must be)."""
    if isinstance(clause, Compare):
        col, kind = _column(entity, clause.field)
        return _compare(col, kind, clause.op, clause.value)
    if isinstance(clause, OneOf):
        col, kind = _column(entity, clause.field)
        if not clause.values:
            return "0", []
        marks = ", ".join("?" for _ in clause.values)
        return f"{col} IN ({marks})", [bind(kind, v) for v in clause.values]
    if isinstance(clause, IsEmpty):
        col, _ = _column(entity, clause.field)
        if not clause.empty:
            return f"{col} IS NOT NULL", []
        return (
            (f"({col} IS NULL OR {col} = ?)", [""])
            if clause.blank_text
            else (
                f"{col} IS NULL",
                [],
            )
        )
    if isinstance(clause, Range):
        col, kind = _column(entity, clause.field)
        parts: list[Sql] = []
        if clause.start is not None:
            parts.append((f"{col} >= ?", [bind(kind, clause.start)]))
        if clause.end is not None:
            parts.append((f"{col} < ?", [bind(kind, clause.end)]))
        return _and(parts)
    if isinstance(clause, HasTag):
        col, _ = _column(entity, clause.field)
        tag = _escape("," + clause.tag + ",")
        return f"(',' || coalesce({col}, '') || ',') LIKE '%' || ? || '%' ESCAPE '/'", [tag]
    if isinstance(clause, OwnerIs):
        if clause.user_id is None:
            return f'"{entity}".owner_id IS NULL', []
        return f'"{entity}".owner_id = ?', [clause.user_id]
    if isinstance(clause, RefMatch):
        col, _ = _column(entity, clause.field)
        t = clause.target
        title = ENTITIES[t].title_field
        text = _escape(clause.text)
        inner = (
            f'SELECT "{t}".id FROM "{t}" WHERE ("{t}".id LIKE ? || \'%\' ESCAPE \'/\' '
            f"OR \"{t}\".\"{title}\" LIKE '%' || ? || '%' ESCAPE '/') AND {live(t)}"
        )
        return f"{col} IN ({inner})", [text, text]
    if isinstance(clause, Related):
        col, _ = _column(entity, clause.field)
        t = clause.target
        if t == entity:
            raise Unsupported("a relation to its own table")
        sql, params = clause_sql(t, clause.clause)
        return f'{col} IN (SELECT "{t}".id FROM "{t}" WHERE {sql} AND {live(t)})', params
    if isinstance(clause, Has):
        return _has(entity, clause)
    if isinstance(clause, FreeText):
        return free_text(entity, clause)
    if isinstance(clause, AllOf):
        return _and([clause_sql(entity, c) for c in clause.clauses])
    if isinstance(clause, AnyOf):
        return _or([clause_sql(entity, c) for c in clause.clauses])
    if isinstance(clause, Not):
        sql, params = clause_sql(entity, clause.clause)
        return f"(NOT coalesce({sql}, 0))", params
    raise Unsupported(f"not a filter clause: {clause!r}")


def _compare(col: str, kind: str | None, op: str, value: Any) -> Sql:
    if op in ("=", "is") and value is None:
        return f"{col} IS NULL", []
    if op in ("=", "<", "<=", ">", ">="):
        return f"{col} {op} ?", [bind(kind, value)]
    if op == "is":
        return f"{col} IS ?", [bind(kind, value)]
    if op == "eq_nocase":
        return f"{col} COLLATE NOCASE = ?", [bind(kind, value)]
    if op == "contains":
        return f"{col} LIKE '%' || ? || '%' ESCAPE '/'", [_escape(str(value))]
    if op == "startswith":
        return f"{col} LIKE ? || '%' ESCAPE '/'", [_escape(str(value))]
    raise Unsupported(f"operator {op!r}")


def fts_ids(entity: str, expression: str) -> Sql:
    """SELECT row_id of one record type's search documents matching an FTS5 expression."""
    return (
        "SELECT search_doc.row_id FROM search_fts JOIN search_doc "
        "ON search_doc.docid = search_fts.rowid WHERE search_fts MATCH ? "
        "AND search_doc.entity = ?",
        [expression, entity],
    )


def customer_text(expression: str) -> Sql:
    """Customers whose own search document, or a live contact's, matches `expression`.

    search_doc_owner (migration 0141) names each document's customer, so a hit costs one
    integer-key read instead of the document, the contact and the customer by text id."""
    return (
        '"customer".id IN (SELECT search_doc_owner.customer_id FROM search_fts '
        "JOIN search_doc_owner ON search_doc_owner.docid = search_fts.rowid "
        "WHERE search_fts MATCH ?)",
        [expression],
    )


def free_text(entity: str, text: FreeText) -> Sql:
    expression = text.expression
    if expression is None:
        return "1", []
    if entity == "customer":
        return customer_text(expression)
    if entity == "contact":
        sql, params = fts_ids("contact", expression)
        return f'"contact".id IN ({sql})', params
    spec = ENTITIES[entity]
    clauses: list[Sql] = []
    for word in text.words.split():
        options = [
            _compare(f'"{entity}"."{f.name}"', f.kind, "contains", word)
            for f in spec.fields
            if f.kind in _TEXT_KINDS
        ]
        clauses.append(_or(options) if options else ("0", []))
    own = _and(clauses) if clauses else ("0", [])
    if "customer_id" in spec.by_name:
        sql, params = customer_text(expression)
        matching = f'SELECT "customer".id FROM "customer" WHERE {sql}'
        return _or([own, (f'"{entity}".customer_id IN ({matching})', params)])
    return own


def _has(entity: str, clause: Has) -> Sql:
    if entity != "customer":
        raise Unsupported(f"has: on {entity}")
    me = '"customer".id'
    if clause.kind == "overdue":
        return (
            f"EXISTS (SELECT 1 FROM activity x WHERE x.customer_id = {me} AND x.deleted = 0 "
            "AND x.done_at IS NULL AND x.due_at < ?)",
            [bind("datetime", clause.now)],
        )
    if clause.kind == "open-deal":
        stages = [s.value for s in rules.OPEN_STAGES]
        marks = ", ".join("?" for _ in stages)
        return (
            f"EXISTS (SELECT 1 FROM opportunity x WHERE x.customer_id = {me} AND x.deleted = 0 "
            f"AND x.stage IN ({marks}))",
            stages,
        )
    if clause.kind == "open-followup":
        return (
            f"EXISTS (SELECT 1 FROM activity x WHERE x.customer_id = {me} AND x.deleted = 0 "
            "AND x.done_at IS NULL)",
            [],
        )
    if clause.kind == "contact":
        return f"EXISTS (SELECT 1 FROM contact x WHERE x.customer_id = {me} AND x.deleted = 0)", []
    raise Unsupported(f"has:{clause.kind}")


def order_by(entity: str, keys: list[tuple[str, bool]]) -> str:
    """ORDER BY text for (field, descending) keys, id last for a stable order."""
    out = []
    for name, descending in keys:
        col, _ = _column(entity, name)
        out.append(col + (" DESC" if descending else ""))
    if not any(name == "id" for name, _ in keys):
        out.append(f'"{entity}".id')
    return ", ".join(out)
