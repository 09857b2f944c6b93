"""Provides the binding of hybrid-clock node ids to users.

A laptop stamps its edits with its own node id; the merge treats a stored value with the
same node as that laptop's own earlier edit (no conflict). So the first user whose device
pushes with a node id owns it, and another user's change carrying it is refused. The same
user's other devices (a re-enrolled or renewed laptop: the same database file) may use it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from crm_tui.server.crud.records import utcnow
from crm_tui.server.models import Account, ClockNode, Device
from crm_tui.sync.protocol import Mutation


def foreign_nodes(
    session: Session, account: Account, device: Device, mutations: list[Mutation]
) -> set[str]:
    """The node ids among `mutations`' clocks that belong to another user (new ones are
    bound to this user and device here)."""
    nodes = sorted({m.hlc.split("-", 2)[-1] for m in mutations})
    if not nodes:
        return set()
    table = ClockNode.__table__
    conn = session.connection()
    owners = dict(
        conn.execute(select(table.c.node, table.c.user_id).where(table.c.node.in_(nodes))).all()
    )
    new = [n for n in nodes if n not in owners]
    if new:
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        now = utcnow()
        conn.execute(
            insert(table).on_conflict_do_nothing(index_elements=["node"]),
            [
                {"node": n, "user_id": account.id, "device_id": device.id, "created_at": now}
                for n in new
            ],
        )
        # Bound meanwhile by another push: read who won.
        owners.update(
            conn.execute(select(table.c.node, table.c.user_id).where(table.c.node.in_(new))).all()
        )
    # The server's own stamps carry "server": no laptop may pass for it.
    return {n for n, user in owners.items() if user != account.id} | ({"server"} & set(nodes))
