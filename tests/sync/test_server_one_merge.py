"""Issue 12 item 4 (server): the batch `Row` path and the ORM `Record` path store the same
rows and change-log entries for any history of creates, patches, deletes and restores by two
users, because both ask merge.decide and only persist its answer (property test)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud import accounts
from crm_tui.server.crud.push import apply_mutation
from crm_tui.server.crud.push_batch import BatchRows
from crm_tui.server.crud.records import ChangeSet
from crm_tui.server.crud.write import OrmRows
from crm_tui.server.models import Account, ChangeLog, Record
from crm_tui.sync.protocol import Mutation

_T0 = 1_700_000_000_000  # clocks in the past: never clamped, the same on both paths
USERS = ("ann", "bob")
ROWS = ("r1", "r2", "r3")
FIELDS = {
    "name": st.sampled_from(["Acme", "Globex", "acme ", ""]),
    "city": st.sampled_from(["Wuhan", "Xian", None]),
    "phone": st.sampled_from(["+86 27 1234 5678", "12345", "not a phone"]),
    "notes": st.text(max_size=5),
}

mutation = st.fixed_dictionaries(
    {
        "user": st.sampled_from(USERS),
        "row_id": st.sampled_from(ROWS),
        "kind": st.sampled_from(["create", "patch", "patch", "delete", "restore"]),
        "payload": st.dictionaries(
            st.sampled_from(sorted(FIELDS)), st.one_of(*FIELDS.values()), max_size=3
        ),
        "tick": st.integers(0, 50),
        "base_version": st.integers(0, 12),
    }
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("one-merge")
    db = ServerDB(f"sqlite:///{folder / 'template.db'}")
    db.init()
    with db.write() as s:
        accounts.add_user(s, name="ann", role="rep")
        accounts.add_user(s, name="bob", role="manager")
    db.close()
    yield folder / "template.db"


def _copy(template: Path, name: str) -> ServerDB:
    path = template.with_name(f"{name}.db")
    shutil.copy(template, path)
    for suffix in ("-wal", "-shm"):
        template.with_name(template.name + suffix).unlink(missing_ok=True)
    db = ServerDB(f"sqlite:///{path}")
    db.init()
    return db


def _apply(db: ServerDB, history: list[dict[str, Any]], orm: bool) -> list[dict[str, Any]]:
    clock = ServerClock()
    answers = []
    for i, step in enumerate(history):
        with db.write() as s:
            account = s.exec(select(Account).where(Account.name == step["user"])).scalar_one()
            m = Mutation(
                client_seq=i + 1,
                mutation_id=f"m{i}",
                entity="customer",
                row_id=step["row_id"],
                kind=step["kind"],
                payload=step["payload"],
                base_version=step["base_version"],
                hlc=f"{_T0 + step['tick']:016d}-{i:06d}-{step['user']}",
            )
            changes = ChangeSet()
            if orm:
                rows: Any = OrmRows(s, account, changes)
            else:
                rows = BatchRows(s, account, changes)
                rows.preload([m])
            result, _ = apply_mutation(rows, m=m, clock=clock)
            rows.settle()
            changes.commit(s)
            answers.append(result.model_dump(exclude={"row"}))
    return answers


# A reason names the minute the server deleted the row ("deleted on the server by ann at
# 2026-12-05 06:30 UTC"): the server's wall clock, not the path. The two paths run one
# after the other and may straddle a minute: answers are compared without the minutes, and
# the minutes are checked on their own (as tests/sync/test_push_batch.py does).
_MINUTE = re.compile(r"at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")


def _without_minutes(answers: list[dict[str, Any]]) -> Any:
    return json.loads(_MINUTE.sub("at <minute> UTC", json.dumps(answers, sort_keys=True)))


def _minutes(answers: list[dict[str, Any]]) -> list[datetime]:
    return [
        datetime.strptime(m.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        for m in _MINUTE.finditer(json.dumps(answers, sort_keys=True))
    ]


def _without_times(snapshot: str | None) -> Any:
    if snapshot is None:
        return None
    data = json.loads(snapshot)
    data.pop("created_at", None)
    data.pop("updated_at", None)
    return data


def _stored(db: ServerDB) -> tuple[list[tuple], list[tuple]]:
    with db.read() as s:
        rows = [
            (r.id, r.owner_id, r.partition, r.deleted, json.loads(r.data), r.field_hlc,
             r.field_version, r.version, r.updated_by)
            for r in s.exec(select(Record).order_by(Record.id)).scalars()
        ]  # fmt: skip
        log = [
            (c.seq, c.partition, c.entity, c.row_id, c.op, _without_times(c.data))
            for c in s.exec(select(ChangeLog).order_by(ChangeLog.seq)).scalars()
        ]
    return rows, log


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(history=st.lists(mutation, min_size=1, max_size=12))
def test_both_persistence_paths_store_the_same_rows_and_log(template: Path, history) -> None:
    batch, orm = _copy(template, "batch"), _copy(template, "orm")
    started = datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        by_batch = _apply(batch, history, orm=False)
        by_orm = _apply(orm, history, orm=True)
        assert _without_minutes(by_batch) == _without_minutes(by_orm)
        # The times the reasons name: this run's, in UTC, the two paths' a minute apart at most.
        for at_batch, at_orm in zip(_minutes(by_batch), _minutes(by_orm), strict=True):
            assert abs(at_batch - at_orm) <= timedelta(minutes=1)
            assert started <= min(at_batch, at_orm) <= max(at_batch, at_orm) <= datetime.now(UTC)
        assert _stored(batch) == _stored(orm)
    finally:
        batch.close()
        orm.close()


def test_the_server_conflict_log_lists_edits_lost_to_a_delete(template: Path) -> None:
    from crm_tui.server.crud.conflicts import recent_conflicts

    db = _copy(template, "log")
    try:
        _apply(
            db,
            [
                {"user": "ann", "row_id": "r1", "kind": "create", "payload": {"name": "A"},
                 "tick": 1, "base_version": 0},
                {"user": "bob", "row_id": "r1", "kind": "delete", "payload": {},
                 "tick": 2, "base_version": 0},
                {"user": "ann", "row_id": "r1", "kind": "patch", "payload": {"city": "Xian"},
                 "tick": 3, "base_version": 0},
            ],  # fmt: skip
            orm=False,
        )
        with db.read() as s:
            [entry] = recent_conflicts(s)
        assert (entry["user"], entry["field"], entry["lost_value"]) == ("ann", "city", "Xian")
        assert entry["reason"].startswith("deleted on the server by bob")
    finally:
        db.close()
