"""The rule book's READER_FIELDS: a row seen by named members besides its owner (an
assigned engineer, a report's recipients) reaches exactly them on pull, once each; they
may edit it but not delete it; dropping a reader removes the row from their laptop, not
from anyone else's; both persistence paths (batch rows and ORM records) log the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crm_tui.domain import permissions
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud import accounts
from crm_tui.server.crud.pull import read_rows
from crm_tui.server.crud.push import apply_mutation
from crm_tui.server.crud.push_batch import BatchRows
from crm_tui.server.crud.records import ChangeSet
from crm_tui.server.crud.write import OrmRows
from crm_tui.server.models import Account, Record
from crm_tui.sync.protocol import Mutation

_T0 = 1_700_000_000_000


@pytest.fixture(params=["batch", "orm"])
def server(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ServerDB, str]]:
    # Follow-ups name their readers in `notes` here: the mechanism is the entity-agnostic
    # part (service orders and work reports register their own fields).
    monkeypatch.setitem(permissions.READER_FIELDS, "activity", "notes")
    db = ServerDB(f"sqlite:///{tmp_path / 'server.db'}")
    db.init()
    with db.write() as s:
        for name, role in (("ann", "rep"), ("cy", "rep"), ("dee", "rep"), ("bob", "manager")):
            accounts.add_user(s, name=name, role=role)
    yield db, request.param
    db.close()


class Team:
    def __init__(self, db: ServerDB, path: str) -> None:
        self.db, self.path, self.seq, self.clock = db, path, 0, ServerClock()
        with db.read() as s:
            self.ids = {a.name: a.id for a in s.exec(select(Account)).scalars()}

    def push(self, user: str, entity: str, row_id: str, kind: str, **payload: Any) -> Any:
        self.seq += 1
        with self.db.write() as s:
            account = s.exec(select(Account).where(Account.name == user)).scalar_one()
            m = Mutation(
                client_seq=self.seq,
                mutation_id=f"m{self.seq}",
                entity=entity,
                row_id=row_id,
                kind=kind,
                payload=payload,
                base_version=0,
                hlc=f"{_T0 + self.seq:016d}-000000-{user}",
            )
            changes = ChangeSet()
            if self.path == "orm":
                rows: Any = OrmRows(s, account, changes)
            else:
                rows = BatchRows(s, account, changes)
                rows.preload([m])
            result, _ = apply_mutation(rows, m=m, clock=self.clock)
            rows.settle()
            changes.commit(s)
        return result

    def pulled(self, user: str, row_id: str) -> list[tuple[str, Any]]:
        """(op, notes) of each change `user` pulls for `row_id`, oldest first."""
        with self.db.read() as s:
            account = s.exec(select(Account).where(Account.name == user)).scalar_one()
            rows, _, _ = read_rows(s, account=account, after=0, limit=1000)
        out = []
        for _, _, rid, op, data, _ in rows:
            if rid == row_id:
                notes = json.loads(data)["fields"].get("notes") if data else None
                out.append((op, notes))
        return out


def test_a_named_reader_pulls_the_row_once_and_others_never(server) -> None:
    team = Team(*server)
    assert team.push("ann", "customer", "c1", "create", name="Acme").status == "applied"
    cy = team.ids["cy"]
    made = team.push("ann", "activity", "a1", "create", customer_id="c1", subject="Fix", notes=cy)
    assert made.status == "applied"
    assert team.pulled("cy", "a1") == [("upsert", cy)]
    assert team.pulled("ann", "a1") == [("upsert", cy)]
    assert team.pulled("bob", "a1") == [("upsert", cy)]  # a manager, once (not per reader)
    assert team.pulled("dee", "a1") == []


def test_a_reader_edits_like_the_owner_but_does_not_delete(server) -> None:
    team = Team(*server)
    team.push("ann", "customer", "c1", "create", name="Acme")
    cy = team.ids["cy"]
    team.push("ann", "activity", "a1", "create", customer_id="c1", subject="Fix", notes=cy)
    edit = team.push("cy", "activity", "a1", "patch", subject="Fixed")
    assert edit.status in ("applied", "applied_with_conflict")  # base_version 0: stale on purpose
    with team.db.read() as s:
        stored = s.exec(select(Record).where(Record.id == "a1")).scalar_one()
    assert json.loads(stored.data)["subject"] == "Fixed"
    refused = team.push("cy", "activity", "a1", "delete")
    assert refused.status == "rejected" and "only its owner or a manager" in refused.reason
    stranger = team.push("dee", "activity", "a1", "patch", subject="mine now")
    assert stranger.status == "rejected" and "no activity with this id" in stranger.reason


def test_dropping_a_reader_removes_the_row_from_that_laptop_only(server) -> None:
    team = Team(*server)
    team.push("ann", "customer", "c1", "create", name="Acme")
    cy, dee = team.ids["cy"], team.ids["dee"]
    team.push("ann", "activity", "a1", "create", customer_id="c1", subject="Fix", notes=cy)
    assert team.push("ann", "activity", "a1", "patch", notes=dee).status == "applied"
    assert team.pulled("cy", "a1")[-1] == ("remove", None)
    assert team.pulled("dee", "a1") == [("upsert", dee)]
    assert team.pulled("ann", "a1")[-1] == ("upsert", dee)
    # The owner naming herself adds no second copy; a later change still reaches her.
    team.push("ann", "activity", "a1", "patch", notes=team.ids["ann"])
    assert [op for op, _ in team.pulled("ann", "a1")] == ["upsert"]
    assert team.pulled("dee", "a1")[-1] == ("remove", None)
