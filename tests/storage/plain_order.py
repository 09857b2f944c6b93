"""Provides `reference`: a list's rows as a plain ORDER BY read gives them, the answer the
list readers (storage/listing.py, storage/list_jumps.py) must match."""

from __future__ import annotations

from typing import Any

from crm_tui.storage.engine import connect


def reference(db: Any, entity: str, where: str, order: str) -> list[str]:
    """The ids of `entity`'s live rows `where` (an `AND ...` clause or "") in `order`."""
    conn = connect(db.path)
    try:
        sql = f"SELECT id FROM {entity} WHERE deleted = 0 {where} ORDER BY {order}"
        return [row[0] for row in conn.execute(sql)]
    finally:
        conn.close()
