"""Provides the check a new customer gets: live customers in the book that share its
normalised name, phone (last 11 digits) or e-mail (domain/customer_keys.py, the keys the
server flags duplicates by). The CLI warns on `crm add customer`; the TUI's new-customer
dialog offers to open the match or create anyway.

SQL narrows the candidates (e-mail equal, phone ending in the digits, name containing each
word), then the keys decide, so "北京科技有限公司" matches "北京科技 有限公司" and "北京科技".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from crm_tui.domain.customer_keys import customer_keys, normalise_name

if TYPE_CHECKING:
    from crm_tui.services.book import Book

_LABELS = {"name": "name", "phone": "phone", "email": "e-mail"}
_DIGITS = (
    "replace(replace(replace(replace(replace(replace(coalesce(phone, ''), ' ', ''), '-', ''), "
    "'+', ''), '(', ''), ')', ''), '.', '')"
)


@dataclass(frozen=True)
class CustomerMatch:
    """An existing customer that looks like the new one, and which keys matched."""

    id: str
    name: str
    city: str | None
    matched: tuple[str, ...]  # "name", "phone", "e-mail"

    def line(self) -> str:
        where = f", {self.city}" if self.city else ""
        return f"{self.name}{where} (same {' and '.join(self.matched)})"


def _name_words(name: str) -> list[str]:
    # The normalised name's words before spaces are dropped: each must appear in a match.
    core = normalise_name(name)
    words = [w for w in re.split(r"[\W_]+", name.casefold()) if w]
    return [w for w in words if w in core][:3] or ([core] if core else [])


def matching_customers(
    book: Book,
    values: Mapping[str, Any],
    *,
    exclude_id: str | None = None,
    limit: int = 5,
) -> list[CustomerMatch]:
    """Live customers sharing a key with `values` (name, phone, email as typed), best
    first (more keys matched), at most `limit`. Empty when nothing matches."""
    keys = customer_keys(dict(values))
    if not keys:
        return []
    clauses, params = [], {}
    for key in keys:
        kind, _, value = key.partition(":")
        if kind == "email":
            clauses.append("lower(trim(email)) = :email")
            params["email"] = value
        elif kind == "phone":
            clauses.append(f"{_DIGITS} LIKE :phone")
            params["phone"] = f"%{value}"
    words = _name_words(str(values.get("name") or ""))
    if words:
        likes = [f"name LIKE :w{n}" for n in range(len(words))]
        clauses.append("(" + " AND ".join(likes) + ")")
        params |= {f"w{n}": f"%{w}%" for n, w in enumerate(words)}
    sql = (
        "SELECT id, name, city, phone, email FROM customer WHERE deleted = 0 AND ("
        + " OR ".join(clauses)
        + ") LIMIT 500"
    )
    with book.db.reading() as s:
        rows = s.connection().execute(text(sql), params).mappings().all()
    found = []
    for row in rows:
        if row["id"] == exclude_id:
            continue
        shared = keys & customer_keys(dict(row))
        matched = tuple(v for k, v in _LABELS.items() if any(x.startswith(k + ":") for x in shared))
        if matched:
            found.append(CustomerMatch(row["id"], row["name"], row["city"], matched))
    found.sort(key=lambda m: (-len(m.matched), m.name, m.id))
    return found[:limit]


def look_alikes(book: Book, limit: int = 200) -> list[list[CustomerMatch]]:
    """Groups of live customers in the book sharing a key (for `crm duplicates`): one pass
    over the customers, the keys computed in Python."""
    by_key: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    with book.db.reading() as s:
        rows = s.connection().execute(
            text("SELECT id, name, city, phone, email FROM customer WHERE deleted = 0 ORDER BY id")
        )
        for row in rows.mappings():
            for key in customer_keys(dict(row)):
                by_key[key].append(row)
    groups: dict[tuple[str, ...], list[CustomerMatch]] = {}
    for key, members in by_key.items():
        if len(members) < 2:
            continue
        ids = tuple(sorted(m["id"] for m in members))
        label = _LABELS[key.partition(":")[0]]
        if ids in groups:
            groups[ids] = [
                CustomerMatch(m.id, m.name, m.city, (*m.matched, label)) for m in groups[ids]
            ]
            continue
        groups[ids] = [CustomerMatch(m["id"], m["name"], m["city"], (label,)) for m in members]
    return sorted(groups.values(), key=lambda g: g[0].name)[:limit]
