"""Provides duplicate-claim detection: two reps' customers with one normalised name, phone
or e-mail are flagged on both rows (`duplicate_of`), which the whole team, and so both reps
and their manager, pull."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from sqlmodel import Session, col, delete, select

from crm_tui.server.crud.records import ChangeSet
from crm_tui.server.models import CustomerKey, Record

_SUFFIXES = (
    "co ltd",
    "coltd",
    "ltd",
    "limited",
    "inc",
    "llc",
    "gmbh",
    "corp",
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "公司",
    "集团",
)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _NOT_WORD.sub(" ", text).strip()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)].strip()
                changed = True
    return text.replace(" ", "")


def customer_keys(fields: dict[str, Any]) -> set[str]:
    keys = set()
    if fields.get("name") and (name := normalise_name(str(fields["name"]))):
        keys.add(f"name:{name}")
    digits = re.sub(r"\D", "", str(fields.get("phone") or ""))
    if len(digits) >= 6:
        keys.add(f"phone:{digits[-11:]}")
    if fields.get("email"):
        keys.add(f"email:{str(fields['email']).strip().casefold()}")
    return keys


def _flag(rec: Record, other_id: str) -> bool:
    data = json.loads(rec.data)
    flagged = list(data.get("duplicate_of") or [])
    if other_id in flagged:
        return False
    data["duplicate_of"] = flagged + [other_id]
    rec.data = json.dumps(data, ensure_ascii=False)
    return True


def flag_duplicates(session: Session, rec: Record, changes: ChangeSet) -> list[str]:
    """Re-key a customer and flag it against other owners' matching customers."""
    session.exec(delete(CustomerKey).where(col(CustomerKey.row_id) == rec.id))
    if rec.deleted:
        return []
    keys = customer_keys(json.loads(rec.data))
    for key in keys:
        session.add(CustomerKey(key=key, row_id=rec.id, owner_id=rec.owner_id))
    session.flush()
    if not keys:
        return []
    others = set(
        session.exec(
            select(CustomerKey.row_id).where(
                col(CustomerKey.key).in_(keys),
                col(CustomerKey.row_id) != rec.id,
                col(CustomerKey.owner_id) != rec.owner_id,
            )
        )
    )
    found = []
    for other_id in sorted(others):
        other = session.exec(
            select(Record).where(col(Record.id) == other_id).with_for_update()
        ).first()
        if other is None or other.deleted:
            continue
        found.append(other_id)
        if _flag(other, rec.id):
            changes.touch(other)
        if _flag(rec, other_id):
            changes.touch(rec)
    return found
