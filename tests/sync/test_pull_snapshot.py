"""Issue 21: a pull never skips a row that commits while the page is being read.

On PostgreSQL each statement of a pull sees the rows committed when it starts (READ
COMMITTED), so a write can commit between the statements of one page: after a rep's first
partition was read and before the next, or after the page's rows were fetched and before
their latest versions were. The interleaving is forced here by committing a real push from
an event hook on the pulling connection, after its first read of the change log. Run on
SQLite too (one snapshot per read there, but the same rules must hold).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud import accounts
from crm_tui.server.crud.pull import read_changes
from crm_tui.server.crud.push import apply_push
from crm_tui.server.models import Account
from crm_tui.sync.protocol import Mutation, PushRequest
from tests.sync.pg import pg_cluster  # noqa: F401 - pytest fixture

_names = itertools.count()
_hlc = itertools.count(1_700_000_000_000)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerDB]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(f"crm_snapshot_{next(_names)}")
    server = ServerDB(url)
    server.init()
    yield server
    server.close()


class Device:
    """One enrolled device of a team member, pushing through the server's real push path."""

    def __init__(self, db: ServerDB, name: str, role: str = "rep") -> None:
        self.db = db
        with db.write() as s:
            account, code = accounts.add_user(s, name=name, role=role)
        with db.write() as s:
            enrolled = accounts.enrol(s, name=name, code=code, device_name="t", last_client_seq=0)
        self.account: Account = enrolled.account
        self.device = enrolled.device
        self.node = f"{name}{next(_names)}"
        self.seq = 0

    def push(self, *changes: tuple[str, str, str, dict[str, Any]]) -> None:
        batch = []
        for entity, row_id, kind, payload in changes:
            self.seq += 1
            batch.append(
                Mutation(client_seq=self.seq, mutation_id=f"{self.node}-{self.seq}",
                         entity=entity, row_id=row_id, kind=kind, payload=payload,
                         hlc=f"{next(_hlc):016d}-000000-{self.node}")
            )  # fmt: skip
        with self.db.write() as s:
            answer = apply_push(
                s,
                account=self.account,
                device=self.device,
                batch=PushRequest(mutations=batch),
                clock=ServerClock(),
            )
        assert all(r.status == "applied" for r in answer.results), answer.results


def pull(
    db: ServerDB, account: Account, after: int, meanwhile: Callable[[], None] | None = None
) -> tuple[dict[str, Any], int]:
    """Pull every page after `after` as a laptop does (until has_more is false); returns the
    rows received (row id -> data) and the cursor. `meanwhile` runs once, committed on its
    own connection, right after the first page's first read of the change log."""
    rows: dict[str, Any] = {}
    while True:
        with db.read() as s:
            conn = s.connection()

            def interleave(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
                nonlocal meanwhile
                if meanwhile is not None and "FROM change_log" in statement:
                    run, meanwhile = meanwhile, None
                    run()

            event.listen(conn, "after_cursor_execute", interleave)
            body = read_changes(s, account=account, after=after, limit=500, server_hlc="x")
            event.remove(conn, "after_cursor_execute", interleave)
        page = json.loads(body)
        for change in page["changes"]:
            if change["op"] == "remove":
                rows.pop(change["row_id"], None)
            else:
                rows[change["row_id"]] = change["data"]
        after = page["cursor"]
        if not page["has_more"]:
            return rows, after


def test_a_row_updated_mid_pull_is_still_in_the_finished_pull(db: ServerDB) -> None:
    """The page's rows were fetched, then the customer's newer version committed: the
    finished pull must still hold the customer (the newer version comes next time)."""
    ann = Device(db, "ann")
    bob = Device(db, "bob")
    ann.push(("customer", "c1", "create", {"name": "Acme"}))

    def edit() -> None:
        ann.push(("customer", "c1", "patch", {"name": "Acme Ltd"}))

    rows, cursor = pull(db, bob.account, 0, meanwhile=edit)
    assert "c1" in rows, "a finished pull left out a customer committed before it began"
    later, _ = pull(db, bob.account, cursor)
    assert later["c1"]["fields"]["name"] == "Acme Ltd"


def test_rows_committed_between_a_reps_partitions_are_not_skipped(db: ServerDB) -> None:
    """A push of a team row and a row in this rep's own partition commits after the team
    partition was read and before the rep's own was: the cursor must not pass the team row."""
    bob = Device(db, "bob")
    other = Device(db, "bob")  # bob's second laptop (the same account, re-enrolled)
    bob.push(("customer", "c0", "create", {"name": "Old Co"}))

    def both() -> None:
        other.push(
            ("customer", "c2", "create", {"name": "New Co"}),
            ("opportunity", "o2", "create", {"customer_id": "c2", "title": "deal"}),
        )

    rows, cursor = pull(db, bob.account, 0, meanwhile=both)
    later, _ = pull(db, bob.account, cursor)
    received = set(rows) | set(later)
    assert {"c0", "c2", "o2"} <= received, f"skipped: { ({'c0', 'c2', 'o2'} - received) }"


def test_a_managers_pull_keeps_rows_updated_mid_pull(db: ServerDB) -> None:
    ann = Device(db, "ann")
    boss = Device(db, "boss", role="manager")
    ann.push(
        ("customer", "c1", "create", {"name": "Acme"}),
        ("opportunity", "o1", "create", {"customer_id": "c1", "title": "deal"}),
    )

    def edit() -> None:
        ann.push(("opportunity", "o1", "patch", {"title": "bigger deal"}))

    rows, cursor = pull(db, boss.account, 0, meanwhile=edit)
    assert "o1" in rows
    later, _ = pull(db, boss.account, cursor)
    assert later["o1"]["fields"]["title"] == "bigger deal"
