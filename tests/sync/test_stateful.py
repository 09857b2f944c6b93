"""A Hypothesis state machine: three laptops and one real server, random edits, deletes,
restores and syncs in random order (TaskChampion's syncing-proptest, over HTTP).

After a final sync every replica equals the server, every outbox is empty, and nothing is
lost: each value ever written is in the final state, in some laptop's conflict log (lost or
refused), or was overwritten later by someone who had already seen it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule
from sqlalchemy.pool import NullPool

from crm_tui.domain.fields import to_wire
from crm_tui.sync.client import _tls_context

EXAMPLES = int(os.environ.get("CRM_STATEFUL_EXAMPLES", "4"))
STEPS = int(os.environ.get("CRM_STATEFUL_STEPS", "25"))
FIELDS = {
    "city": st.sampled_from(["北京", "Shanghai", "Xi'an", "Chengdu"]),
    "grade": st.sampled_from(["A", "B", "C"]),
    "notes": st.sampled_from(["called", "sent samples", "拜访了采购"]),
}
NAMES = st.sampled_from(["Acme Steel", "Borealis", "Cobalt", "东方机械", "Echo Ltd"])
PHASES = [p for p in Phase if p is not Phase.shrink or os.environ.get("CRM_STATEFUL_SHRINK")]
LAPS = st.integers(min_value=0, max_value=2)


@dataclass
class Write:
    """One value a laptop wrote: kept to prove it was not lost."""

    lap: int
    row_id: str
    field: str
    value: Any  # wire form
    step: int
    seen: int  # the step of this laptop's last sync when it wrote (what it had pulled)
    pushed: int | None = None  # the step of the sync that pushed it


class LossOnce(httpx.BaseTransport):
    """Forwards to the server, then loses the answer to the first push (after commit)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport(verify=_tls_context())
        self.armed = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.armed and request.url.path == "/sync/push":
            self.armed = False
            response.read()
            response.close()
            raise httpx.ReadError("answer lost after the server committed", request=request)
        return response


def server_rows(database_url: str) -> dict[str, dict[str, Any]]:
    """The server's customers as stored (SQLite file or PostgreSQL)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, data, deleted, owner_id FROM record WHERE entity = 'customer'")
        ).all()
    engine.dispose()
    return {
        i: json.loads(data) | {"deleted": bool(deleted), "owner_id": owner}
        for i, data, deleted, owner in rows
    }


class Replicas(RuleBasedStateMachine):
    """Two reps and a manager sharing customers through the test server."""

    make_laptop: Any = None
    database_url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.step = 0
        self.laps: list[Any] = []
        self.ids: list[str] = []
        self.writes: list[Write] = []
        self.last_sync = [0, 0, 0]

    @initialize()
    def enrol(self) -> None:
        self.laps = [self.make_laptop(), self.make_laptop(), self.make_laptop("manager")]

    def _tick(self) -> int:
        self.step += 1
        return self.step

    def _write(self, lap: int, row_id: str, field: str, value: Any) -> None:
        step = self._tick()
        self.writes.append(Write(lap, row_id, field, value, step, self.last_sync[lap]))

    def _live(self, lap: int, index: int) -> Any:
        row_id = self.ids[index % len(self.ids)]
        return self.laps[lap].db.repos.customers.get(row_id, include_deleted=True)

    @rule(lap=LAPS, name=NAMES)
    def create(self, lap: int, name: str) -> None:
        rec = self.laps[lap].db.repos.customers.create({"name": name})
        self.ids.append(rec.id)
        self._write(lap, rec.id, "name", name)

    @precondition(lambda self: self.ids)
    @rule(lap=LAPS, index=st.integers(0, 50), data=st.data())
    def edit(self, lap: int, index: int, data: st.DataObject) -> None:
        rec = self._live(lap, index)
        if rec is None or rec.deleted:
            return
        field = data.draw(st.sampled_from(sorted(FIELDS)))
        value = data.draw(FIELDS[field])
        if to_wire(getattr(rec, field)) == value:
            return  # no change, nothing to sync
        self.laps[lap].db.repos.customers.update(rec.id, {field: value})
        self._write(lap, rec.id, field, value)

    @precondition(lambda self: self.ids)
    @rule(lap=LAPS, index=st.integers(0, 50))
    def delete(self, lap: int, index: int) -> None:
        rec = self._live(lap, index)
        if rec is not None and not rec.deleted:
            self.laps[lap].db.repos.customers.delete(rec.id)
            self._write(lap, rec.id, "deleted", True)

    @precondition(lambda self: self.ids)
    @rule(lap=LAPS, index=st.integers(0, 50))
    def restore(self, lap: int, index: int) -> None:
        rec = self._live(lap, index)
        if rec is not None and rec.deleted:
            self.laps[lap].db.repos.customers.restore(rec.id)
            self._write(lap, rec.id, "deleted", False)

    def _synced(self, lap: int) -> None:
        step = self._tick()
        for w in self.writes:
            if w.lap == lap and w.pushed is None:
                w.pushed = step
        self.last_sync[lap] = step

    @rule(lap=LAPS)
    def sync(self, lap: int) -> None:
        self.laps[lap].sync()
        self._synced(lap)

    @rule(lap=LAPS)
    def sync_losing_the_push_answer(self, lap: int) -> None:
        laptop = self.laps[lap]
        laptop.transport = LossOnce()
        try:
            laptop.sync()
        finally:
            laptop.transport = None
        self._synced(lap)

    # --- the end of a run: everything settles ----------------------------------------------
    def teardown(self) -> None:
        if not self.laps:
            return
        for _ in range(4):
            pulled = 0
            for lap in range(3):
                pulled += self.laps[lap].sync().pulled
                self._synced(lap)
            if pulled == 0:
                break
        self.check_converged()

    def check_converged(self) -> None:
        server = {i: row for i, row in server_rows(self.database_url).items() if i in self.ids}
        assert set(server) == set(self.ids)  # every creation reached the server
        for lap in self.laps:
            assert lap.db.pending_changes() == 0
        for row_id, row in server.items():
            replicas = [lap.row("customer", row_id) for lap in self.laps]
            assert replicas[0] == replicas[1] == replicas[2], row_id
            local = replicas[0]
            for name, value in row.items():
                if name in local:  # the rest are server notes such as duplicate flags
                    assert to_wire(local[name]) == value, (row_id, name)
        kept: set[tuple[str, str, str]] = set()
        for lap in self.laps:
            for c in lap.conflicts():
                for value in (c["losing_value"], c["winning_value"]):
                    kept.add((c["row_id"], c["field"], json.dumps(value, ensure_ascii=False)))
        for w in self.writes:
            if server[w.row_id].get(w.field) == w.value:
                continue
            if (w.row_id, w.field, json.dumps(w.value, ensure_ascii=False)) in kept:
                continue
            assert self._overwritten_knowingly(w), f"lost: {w}"

    def _overwritten_knowingly(self, w: Write) -> bool:
        """A later write of the same field by this laptop, or by one that had pulled it."""
        return any(
            later.row_id == w.row_id
            and later.field == w.field
            and later.step > w.step
            and (later.lap == w.lap or (w.pushed is not None and later.seen >= w.pushed))
            for later in self.writes
        )


def run_replicas(laptop, server, examples: int = EXAMPLES) -> None:  # noqa: ANN001
    """Run the state machine with laptops signed in to `server` (also used on PostgreSQL)."""
    from hypothesis.stateful import run_state_machine_as_test

    class Machine(Replicas):
        make_laptop = staticmethod(laptop)
        database_url = server.database_url

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=os.environ.get("CI") is not None,
            suppress_health_check=list(HealthCheck),
            # Each step is HTTP to a real server: shrinking a failure can take many minutes.
            phases=PHASES,
        ),
    )


def test_random_edits_on_three_laptops_converge_and_lose_nothing(laptop, server) -> None:
    run_replicas(laptop, server)
