"""The batch push path gives the same answers and the same rows as pushing one change at a
time: creates, the same row patched twice, delete then restore, refs to rows made earlier in
the batch (kept and refused), duplicate flags, permissions, a command between edits.

In-process on a SQLite server database: one set-up, copied, then pushed both ways."""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud import accounts
from crm_tui.server.crud.errors import PushConflict
from crm_tui.server.crud.push import apply_push
from crm_tui.server.models import Account, ChangeLog, Device, Record
from crm_tui.sync.protocol import Mutation, PushRequest
from tests.sync.pg import pg_cluster  # noqa: F401 - pytest fixture

_T0 = int(time.time() * 1000)


def stamp(n: int, node: str = "lapA") -> str:
    return f"{_T0 - 60_000 + n:016d}-000000-{node}"


@dataclass
class Backend:
    """Makes server databases: `make(name)` a new one, `clone(src, name)` a copy; both give
    its URL."""

    make: Callable[[str], str]
    clone: Callable[[str, str], str]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":

        def make(name: str) -> str:
            return f"sqlite:///{tmp_path / name}.db"

        def clone(src: str, name: str) -> str:
            shutil.copy(tmp_path / f"{src}.db", tmp_path / f"{name}.db")
            return make(name)

        return Backend(make, clone)
    cluster = request.getfixturevalue("pg_cluster")
    prefix = f"batch_{uuid.uuid4().hex[:8]}"

    def make_pg(name: str) -> str:
        return cluster.create_database(f"{prefix}_{name}")

    def clone_pg(src: str, name: str) -> str:
        import psycopg

        with psycopg.connect(
            host=str(cluster.socket_dir),
            port=cluster.port,
            user=cluster.user,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{prefix}_{name}" TEMPLATE "{prefix}_{src}"')
        return cluster.url(f"{prefix}_{name}")

    return Backend(make_pg, clone_pg)


class Team:
    """A server database with reps A and B and manager M, each with one device."""

    def __init__(self, backend: Backend, name: str = "base") -> None:
        self.backend = backend
        self.name = name
        self.db = ServerDB(backend.make(name))
        self.db.init()
        self.devices: dict[str, Device] = {}
        self.accounts: dict[str, Account] = {}
        for who, role in (("A", "rep"), ("B", "rep"), ("M", "manager")):
            with self.db.write() as s:
                _, code = accounts.add_user(s, name=who, role=role)
            with self.db.write() as s:
                made = accounts.enrol(s, name=who, code=code, device_name=who, last_client_seq=0)
                self.devices[who], self.accounts[who] = made.device, made.account
        self.seq = {who: 0 for who in self.devices}

    def copy(self, name: str) -> Team:
        self.db.close()
        other = object.__new__(Team)
        other.backend, other.name = self.backend, name
        other.db = ServerDB(self.backend.clone(self.name, name))
        other.devices, other.accounts, other.seq = self.devices, self.accounts, dict(self.seq)
        return other

    def mutation(self, who: str, entity: str, row_id: str, kind: str, payload: dict) -> Mutation:
        self.seq[who] += 1
        n = self.seq[who]
        return Mutation(
            client_seq=n,
            mutation_id=f"{who}-{n}",
            entity=entity,  # type: ignore[arg-type]
            row_id=row_id,
            kind=kind,  # type: ignore[arg-type]
            payload=payload,
            hlc=stamp(n, f"lap{who}"),
        )

    def push(self, who: str, mutations: list[Mutation], clock: ServerClock) -> list[Any]:
        with self.db.write() as s:
            answer = apply_push(
                s,
                account=self.accounts[who],
                device=self.devices[who],
                batch=PushRequest(mutations=mutations),
                clock=clock,
            )
        return answer.results

    def rows(self) -> dict[str, dict[str, Any]]:
        with self.db.read() as s:
            return {
                r.id: {
                    "entity": r.entity,
                    "owner": r.owner_id,
                    "partition": r.partition,
                    "deleted": r.deleted,
                    # The server stamps a claim's submission with its own time.
                    "data": _without(json.loads(r.data), "submitted_at", "decided_at"),
                    "field_hlc": server_stamps(json.loads(r.field_hlc)),
                    "changed_fields": sorted(json.loads(r.field_version)),
                }
                for r in s.exec(select(Record)).scalars()
            }

    def log(self) -> list[tuple[str, str, str]]:
        """(partition, row_id, op) of every change-log row, in seq order, without repeats of
        a row (one change per row and batch when batched)."""
        with self.db.read() as s:
            rows = s.exec(select(ChangeLog).order_by(ChangeLog.seq)).scalars()
            return sorted({(r.partition, r.row_id, r.op) for r in rows})


def server_stamps(clocks: dict[str, str]) -> dict[str, str]:
    """Clocks with the server's own (commands: real time, so not equal across runs) named."""
    return {k: "server" if v.endswith("-server") else v for k, v in clocks.items()}


def _without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: (v if k not in names else bool(v)) for k, v in data.items()}


def comparable(result: Any) -> dict[str, Any]:
    """An answer without its row snapshot: a batch answers with the row as the whole batch
    left it (what the laptop must end with), one change at a time with the row as it was.
    The minute a reason names ("deleted ... at 05:41 UTC") is when each copy ran, which may
    differ by one when the two runs straddle a minute: `minutes_named` checks those."""
    text = json.dumps(result.model_dump(exclude={"row"}), sort_keys=True)
    return json.loads(_MINUTE.sub("at <minute> UTC", text))


def minutes_named(results: list[Any]) -> list[datetime]:
    """Every "at YYYY-MM-DD HH:MM UTC" the answers' reasons name, in order."""
    text = json.dumps([r.model_dump(exclude={"row"}) for r in results])
    return [
        datetime.strptime(m.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        for m in _MINUTE.finditer(text)
    ]


_MINUTE = re.compile(r"at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")


@pytest.fixture
def team(backend: Backend) -> Iterator[Team]:
    made = Team(backend)
    clock = ServerClock()
    # B's customer, B's follow-up, a customer B edits "later" (a newer clock than A's).
    made.push(
        "B",
        [
            made.mutation("B", "customer", "cust-b", "create", {"name": "Globex"}),
            made.mutation(
                "B",
                "activity",
                "act-b",
                "create",
                {"customer_id": "cust-b", "subject": "B's call", "kind": "call"},
            ),
            made.mutation("B", "customer", "shared", "create", {"name": "Initech"}),
        ],
        clock,
    )
    later = made.mutation("B", "customer", "shared", "patch", {"city": "Hangzhou"})
    later.hlc = stamp(50_000, "lapB")
    made.push("B", [later], clock)
    yield made
    made.db.close()


def a_batch(team: Team) -> list[Mutation]:
    m = team.mutation
    return [
        m("A", "customer", "c1", "create", {"name": "Acme Ltd", "phone": "+86 138 0013 8000"}),
        m("A", "customer", "c1", "patch", {"city": "Shanghai"}),
        m("A", "customer", "c1", "patch", {"city": "Beijing", "tags": "vip"}),
        m("A", "activity", "f1", "create", {"customer_id": "c1", "subject": "Visit"}),
        # Refused creation, then a follow-up naming it: refused too.
        m("A", "customer", "c2", "create", {"name": "", "city": "Xi'an"}),
        m("A", "activity", "f2", "create", {"customer_id": "c2", "subject": "Call"}),
        # Deleted, a follow-up naming it is refused, an edit is kept hidden, then restored.
        m("A", "customer", "c1", "delete", {}),
        m("A", "activity", "f3", "create", {"customer_id": "c1", "subject": "Late"}),
        m("A", "customer", "c1", "patch", {"notes": "while deleted"}),
        m("A", "customer", "c1", "restore", {}),
        m("A", "activity", "f4", "create", {"customer_id": "c1", "subject": "After"}),
        # Another rep's customer: duplicate flags; another rep's follow-up: refused.
        m("A", "customer", "c3", "create", {"name": "GLOBEX Co., Ltd."}),
        m("A", "activity", "act-b", "patch", {"subject": "mine now"}),
        m("A", "customer", "cust-b", "delete", {}),
        # An older edit of a field B changed later: B's value stays, A's is the loser.
        m("A", "customer", "shared", "patch", {"city": "Suzhou", "notes": "A was here"}),
        m("A", "customer", "nowhere", "patch", {"city": "Nowhere"}),
        m("A", "announcement", "ann", "create", {"title": "Hi", "body": "x"}),
        m("A", "customer", "act-b", "patch", {"city": "x"}),
        # A claim: refused as submitted, made as a draft, submitted (a command), then locked.
        m(
            "A",
            "expense",
            "e0",
            "create",
            {"spent_on": "2026-01-02", "amount": 100, "status": "submitted"},
        ),  # noqa: E501
        m(
            "A",
            "expense",
            "e1",
            "create",
            {"spent_on": "2026-01-02", "amount": 1250, "customer_id": "c1"},
        ),  # noqa: E501
        m("A", "expense", "e1", "command", {"command": "submitted"}),
        m("A", "expense", "e1", "patch", {"amount": 999}),
        m("A", "customer", "c1", "command", {"command": "reassign", "owner_id": "x"}),
        m("A", "customer", "c4", "create", {"name": "Umbrella", "no_such_field": 1}),
        m("A", "customer", "c5", "create", {"name": "Hooli", "email": "info@hooli.example"}),
        m("A", "customer", "c5", "patch", {"name": "Hooli Inc"}),
    ]


def test_a_batch_answers_and_writes_like_one_change_at_a_time(team: Team) -> None:
    one = team.copy("one")
    many = team.copy("many")
    mutations = a_batch(team)
    started = datetime.now(UTC).replace(second=0, microsecond=0)
    singles = [r for m in mutations for r in one.push("A", [m], ServerClock())]
    batched = many.push("A", mutations, ServerClock())
    assert [comparable(r) for r in batched] == [comparable(r) for r in singles]
    # The times the reasons name: this run's, in UTC, a minute apart at most.
    named = list(zip(minutes_named(batched), minutes_named(singles), strict=True))
    assert named, "no reason names a time: the delete conflict was not exercised"
    for batch_minute, single_minute in named:
        assert abs(batch_minute - single_minute) <= timedelta(minutes=1)
        assert started <= batch_minute <= datetime.now(UTC)
    assert many.rows() == one.rows()
    final = many.rows()
    for m, r in zip(mutations, batched, strict=True):
        if r.row is not None:
            fields = _without(r.row["fields"], "submitted_at", "decided_at")
            assert (fields, r.row["deleted"]) == (
                final[m.row_id]["data"],
                final[m.row_id]["deleted"],
            )
    assert many.log() == one.log()
    statuses = {r.mutation_id: (r.status, r.reason or "") for r in batched}
    assert statuses["A-1"][0] == statuses["A-3"][0] == "applied"
    assert statuses["A-6"][0] == "rejected" and "no customer c2" in statuses["A-6"][1]
    assert statuses["A-8"][0] == "rejected" and "no customer c1" in statuses["A-8"][1]
    assert statuses["A-9"][0] == "applied_with_conflict"  # an edit of a deleted row
    assert statuses["A-11"][0] == "applied"
    assert statuses["A-13"][0] == statuses["A-14"][0] == "rejected"
    assert statuses["A-15"][0] == "applied_with_conflict"
    assert statuses["A-21"][0] == "applied" and statuses["A-22"][0] == "rejected"
    rows = many.rows()
    assert rows["c1"]["data"]["city"] == "Beijing" and not rows["c1"]["deleted"]
    assert rows["c3"]["data"]["duplicate_of"] == ["cust-b"]
    assert rows["cust-b"]["data"]["duplicate_of"] == ["c3"]
    assert rows["shared"]["data"]["city"] == "Hangzhou"
    assert rows["e1"]["data"]["status"] == "submitted" and rows["e1"]["data"]["amount"] == 1250
    assert "c2" not in rows and "f2" not in rows
    one.db.close()
    many.db.close()


def test_a_retried_batch_gets_the_same_answers_as_duplicates(team: Team) -> None:
    mutations = a_batch(team)
    first = team.push("A", mutations, ServerClock())
    again = team.push("A", mutations, ServerClock())
    assert [r.status for r in again] == ["duplicate"] * len(mutations)
    assert [r.first_status for r in again] == [r.status for r in first]
    before = team.rows()
    # The tail of the batch again plus one new change: only the new one is applied.
    extra = team.mutation("A", "customer", "c6", "create", {"name": "Stark"})
    mixed = team.push("A", [*mutations[-3:], extra], ServerClock())
    assert [r.status for r in mixed] == ["duplicate"] * 3 + ["applied"]
    assert set(team.rows()) - set(before) == {"c6"}


def test_a_batch_that_skips_or_reuses_a_seq_is_refused_whole(team: Team) -> None:
    mutations = a_batch(team)[:3]
    gap = mutations[0].model_copy(update={"client_seq": 3})
    with pytest.raises(PushConflict) as info:
        team.push("A", [mutations[0], gap], ServerClock())
    assert info.value.expected == 2
    assert "c1" not in team.rows()  # nothing of the refused batch stays
    reused = mutations[1].model_copy(update={"mutation_id": "other"})
    team.push("A", mutations[:1], ServerClock())
    with pytest.raises(PushConflict):
        team.push("A", [reused.model_copy(update={"client_seq": 1})], ServerClock())
