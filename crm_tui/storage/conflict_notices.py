"""Provides `take_notices`: the "conflict" changes a pull brings (a value of this rep that
another member's newer, concurrent edit overwrote on the server after hers was accepted)
written to the laptop's conflict log, like the conflicts a push answer carries.

The server logs such a notice in the loser's `self:` partition (server/crud/merge.py), so
each of her laptops records it once: the cursor moves past it in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlmodel import Session

    from crm_tui.storage.database import Database


def take_notices(s: Session, db: Database, changes: Sequence[Any]) -> Sequence[Any]:
    """Record the notices among `changes` in the conflict log; returns the other changes
    (a notice is not a row: it must not stand for its row's newest change in a page)."""
    if not any(c.op == "conflict" for c in changes):
        return changes
    at = db.clock.now().isoformat()
    for change in changes:
        if change.op != "conflict" or not change.data:
            continue
        lost = change.data
        s.connection().execute(
            text(
                "INSERT INTO conflict(entity, row_id, field, kind, losing_value, "
                "winning_value, losing_hlc, winning_hlc, who, reason, at) "
                "VALUES (:e, :r, :f, 'conflict', :lv, :wv, :lh, :wh, :who, :why, :at)"
            ),
            {
                "e": change.entity,
                "r": change.row_id,
                "f": lost.get("field"),
                "lv": json.dumps(lost.get("yours"), ensure_ascii=False),
                "wv": json.dumps(lost.get("theirs"), ensure_ascii=False),
                "lh": lost.get("your_hlc"),
                "wh": lost.get("their_hlc"),
                "who": lost.get("who"),
                "why": lost.get("reason"),
                "at": at,
            },
        )
    return [c for c in changes if c.op != "conflict"]
