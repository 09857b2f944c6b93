"""Provides `CheckInIndex`: the registration desk's in-memory index of a campaign's members.

Loaded once (in a worker) from one plain-SQL read; each keystroke then answers from memory
— phone digits anywhere in the number, or a name / company substring (CJK included, case
and width folded) — so the desk never queries the database per key, and works offline.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_NON_DIGIT = re.compile(r"\D")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "")


@dataclass
class DeskRow:
    id: str
    name: str
    company: str
    phone: str
    email: str
    status: str
    attended_at: Any
    digits: str = ""
    folded: str = ""


class CheckInIndex:
    """Members of one campaign, searchable by what the person at the door says."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows: list[DeskRow] = []
        self.by_id: dict[str, DeskRow] = {}
        for row_id, name, company, phone, email, status, attended_at in rows:
            self._put(DeskRow(row_id, name, company, phone, email, status, attended_at))

    def _put(self, row: DeskRow) -> None:
        row.digits = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", row.phone))
        row.folded = _fold(f"{row.name}\x00{row.company}\x00{row.email}")
        if row.id in self.by_id:
            self.rows[self.rows.index(self.by_id[row.id])] = row
        else:
            self.rows.append(row)
        self.by_id[row.id] = row

    def update(self, row_id: str, **values: Any) -> None:
        """Keep the index in step after a check-in or a walk-in (no reload)."""
        old = self.by_id.get(row_id)
        base = dict(id=row_id, name="", company="", phone="", email="", status="", attended_at=None)
        if old is not None:
            base |= {k: getattr(old, k) for k in base}
        base |= {k: ("" if v is None and k != "attended_at" else v) for k, v in values.items()}
        self._put(DeskRow(**base))

    def search(self, text: str, limit: int = 50) -> list[DeskRow]:
        """Members matching a few phone digits, or a piece of their name, company or
        e-mail; who is not yet checked in first."""
        query = text.strip()
        if not query:
            return self.rows[:limit]
        digits = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", query))
        if digits and len(digits) == len(query.replace(" ", "").replace("-", "")):
            hits = [r for r in self.rows if digits in r.digits]
        else:
            folded = _fold(query)
            hits = [r for r in self.rows if folded in r.folded]
        hits.sort(key=lambda r: r.status == "attended")
        return hits[:limit]

    def exact(self, text: str) -> list[DeskRow]:
        """For `crm attend`: an id or id prefix, a whole e-mail, a whole name, else the
        search's matches (phone digits, a piece of a name)."""
        query = text.strip()
        by_id = [r for r in self.rows if len(query) >= 6 and r.id.startswith(query)]
        if by_id:
            return by_id
        folded = _fold(query)
        whole = [r for r in self.rows if folded in (_fold(r.name), _fold(r.email))]
        if whole:
            return whole
        return self.search(query, limit=1000)

    def __len__(self) -> int:
        return len(self.rows)
