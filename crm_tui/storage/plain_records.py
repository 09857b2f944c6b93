"""Provides plain-sqlite3 reads of whole records for `crm show` without the ORM (issue 20):
each table's columns in the model's field order with their Python types (read from
domain/models.py's text, not by importing SQLModel), a stored row as the ORM gives it, and
`find_any`, the record an id, id prefix or exact title names, as
storage/repositories.py's `find_any` finds it (the same matches, by index seeks: the record
types and titles from storage/quick_schema.py, the titles indexed by migration 0130)."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from crm_tui.storage.quick_schema import registry

_MODELS = Path(__file__).resolve().parent.parent / "domain" / "models.py"
_CLASS = re.compile(r"^class (\w+)\((\w+)(?:, table=True)?\):")
_FIELD = re.compile(r"^    ([a-z_]\w*): (\w+)(?: \| None)?(?:\s*=.*)?$")
_ENTRY = re.compile(r'^    "(\w+)": (\w+),$')
_TYPES = {"str": str, "int": int, "float": float, "bool": bool, "date": date, "datetime": datetime}


class Unreadable(Exception):
    """models.py is not in the shape this module reads; take the ORM path."""


@cache
def model_columns() -> dict[str, tuple[tuple[str, type], ...]]:
    """entity -> ((field, Python type), ...) in the model's field order (base class first)."""
    classes: dict[str, tuple[str, list[tuple[str, type]]]] = {}
    entities: dict[str, str] = {}
    current: list[tuple[str, type]] | None = None
    for line in _MODELS.read_text(encoding="utf-8").splitlines():
        if m := _CLASS.match(line):
            current = []
            classes[m.group(1)] = (m.group(2), current)
        elif m := _ENTRY.match(line):
            entities[m.group(1)] = m.group(2)
        elif current is not None and (m := _FIELD.match(line)):
            if m.group(1) != "model_config":
                if m.group(2) not in _TYPES:
                    raise Unreadable(line)
                current.append((m.group(1), _TYPES[m.group(2)]))
        elif line and not line.startswith((" ", "#", ")")):
            current = None
    out = {}
    for entity, name in entities.items():
        fields: list[tuple[str, type]] = []
        while name in classes:
            base, own = classes[name]
            fields[:0] = own
            name = base
        out[entity] = tuple(fields)
    return out


def typed(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as the model's values, in the model's field order (model_dump's)."""
    out: dict[str, Any] = {}
    for name, kind in model_columns()[entity]:
        value = row[name]
        if value is not None and not isinstance(value, kind):
            if kind is datetime:
                value = datetime.fromisoformat(value)
            elif kind is date:
                value = date.fromisoformat(str(value)[:10])
            elif kind is bool:
                value = bool(value)
            elif kind is float:
                value = float(value)
        out[name] = value
    return out


def _rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class Ambiguous(Exception):
    """More than one record (of one type, or of several types) matches."""


def resolve(conn: sqlite3.Connection, entity: str, ref: str) -> dict[str, Any] | None:
    """Repository.resolve(ref, include_deleted=True): the stored row of the full id, else of
    the one record whose id starts with `ref` (≥ 4 characters) or whose title is `ref`;
    None when none does, Ambiguous when several do. Index seeks only (migration 0130 indexes
    the titles): the ORM's `id LIKE ref || '%'` as a range of the primary key."""
    ref = ref.strip()
    found = _rows(conn.execute(f'SELECT * FROM "{entity}" WHERE id = ?', (ref,)))
    if found:
        return found[0]
    sql, params = lookup(conn, entity, ref)
    found = _rows(conn.execute(sql, params))
    if len(found) > 1:
        raise Ambiguous(entity)
    return found[0] if found else None


def lookup(conn: sqlite3.Connection, entity: str, ref: str) -> tuple[str, list[Any]]:
    """The SELECT (and its parameters) of the records of `entity` whose id starts with
    `ref` or whose title is `ref`, at most two."""
    terms, params = [], []
    if len(ref) >= 4:
        prefix_sql, params = _prefix(conn, entity, ref)
        terms.append(f"({prefix_sql})")
    if entity != "report_read":  # by id only (storage/repos_office.py: its title is an id)
        terms.append(f'"{registry()[entity].title_field}" = ?')
        params.append(ref)
    where = " OR ".join(terms) or "0"  # a term alone: `x OR 0` would read the whole table
    return f'SELECT * FROM "{entity}" WHERE {where} LIMIT 2', params


_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _after(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix` (None: no such)."""
    last = ord(prefix[-1])
    return None if last >= 0x10FFFF else prefix[:-1] + chr(last + 1)


def _prefix(conn: sqlite3.Connection, table: str, ref: str) -> tuple[str, list[Any]]:
    """SQL and parameters of SQLite's `id LIKE ref || '%'` (ASCII letters in either case,
    `_` and `%` wildcards) that seek the primary-key index instead of reading the table.

    The rows it can match start with the text before the first wildcard, ASCII letters
    folded: a range when no id there has a capital letter where the text has a letter
    (one index probe per letter: ids are made lowercase); else the plain LIKE, exact."""
    like = "id LIKE ? || '%'"
    literal = ref.split("%", 1)[0].split("_", 1)[0].translate(_FOLD)
    end = _after(literal) if literal else None
    if end is None:
        return like, [ref]
    probes = [literal[:i] + ch.upper() for i, ch in enumerate(literal) if "a" <= ch <= "z"]
    if probes:
        exists = " OR ".join(
            f'EXISTS (SELECT 1 FROM "{table}" WHERE id >= ? AND id < ?)' for _ in probes
        )
        bounds = [b for p in probes for b in (p, _after(p))]
        if conn.execute(f"SELECT {exists}", bounds).fetchone()[0]:
            return like, [ref]  # some id has capitals: the full scan, as the ORM's
    return f"id >= ? AND id < ? AND {like}", [literal, end, ref]


def find_any(conn: sqlite3.Connection, ref: str) -> tuple[str, dict[str, Any]] | None:
    """(entity, stored row) of the one record `ref` names whatever its type; None when none
    does, Ambiguous when several do (the full command words both)."""
    matches = []
    for entity in registry():
        row = resolve(conn, entity, ref)
        if row is not None:
            matches.append((entity, row))
    if len(matches) > 1:
        raise Ambiguous(ref)
    return matches[0] if matches else None


def select(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Rows of a SELECT as dicts (for the briefing's sections)."""
    return _rows(conn.execute(sql, params))
