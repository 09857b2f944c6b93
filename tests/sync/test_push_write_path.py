"""Issue 21: the path a push of new records takes on a SQLite server — every value still
checked (a bad record gets its own reason and does not stop the others), duplicates still
flagged, and each new row written once: inserted with its change-log version, never
updated after it (the batch path used to insert rows, then update every one's version).

In-process on a real SQLite server database; statements seen with sqlite3's trace hook."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud import accounts
from crm_tui.server.crud.push import apply_push
from crm_tui.server.models import Account, ChangeLog, Device, Record
from crm_tui.sync.protocol import Mutation, PushRequest

_T0 = int(time.time() * 1000) - 60_000


def _server(tmp_path: Path) -> tuple[ServerDB, dict[str, str]]:
    db = ServerDB(f"sqlite:///{tmp_path / 'server.db'}")
    db.init()
    ids = {}
    with db.write() as s:
        for name in ("ann", "bob"):
            account, _ = accounts.add_user(s, name=name, role="rep")
            ids[name] = account.id
            s.add(
                Device(
                    id=f"dev-{name}",
                    user_id=account.id,
                    token_hash=name,
                    created_at=datetime.now(UTC),
                )
            )
    return db, ids


def _push(
    db: ServerDB, who: str, mutations: list[Mutation], clock: ServerClock
) -> tuple[list[str], list[str | None]]:
    """Push as `who`; returns the SQL statements run and each mutation's status/reason."""
    seen: list[str] = []
    with db.write() as s:
        s.connection().connection.driver_connection.set_trace_callback(seen.append)
        account = s.exec(select(Account).where(Account.name == who)).one()
        device = s.get(Device, f"dev-{who}")
        answer = apply_push(
            s, account=account, device=device, batch=PushRequest(mutations=mutations), clock=clock
        )
    return seen, [f"{r.status}: {r.reason}" if r.reason else r.status for r in answer.results]


def _creates(node: str, items: list[tuple[str, dict]]) -> tuple[list[Mutation], list[str]]:
    mutations, ids = [], []
    for seq, (entity, payload) in enumerate(items, 1):
        row_id = payload.pop("id", None) or str(uuid.uuid4())
        ids.append(row_id)
        mutations.append(
            Mutation(
                client_seq=seq,
                mutation_id=str(uuid.uuid4()),
                entity=entity,  # type: ignore[arg-type]
                row_id=row_id,
                kind="create",
                payload=payload,
                hlc=f"{_T0 + seq:016d}-000000-{node}",
            )
        )
    return mutations, ids


def test_new_rows_are_checked_flagged_and_written_once(tmp_path: Path) -> None:
    db, _ = _server(tmp_path)
    clock = ServerClock()
    # Bob holds 华信科技 already: Ann's customer of that name is flagged on both rows.
    theirs, (bob_customer,) = _creates("lapB", [("customer", {"name": "华信科技有限公司"})])
    _push(db, "bob", theirs, clock)
    customer = str(uuid.uuid4())
    mutations, ids = _creates(
        "lapA",
        [
            ("customer", {"id": customer, "name": "华信科技有限公司", "kind": "company"}),
            ("activity", {"customer_id": customer, "subject": "回访", "due_at": "2026-08-28T00:00:00Z", "all_day": True}),  # noqa: E501
            ("customer", {"name": "Bad Co", "kind": "no such kind"}),
            ("activity", {"customer_id": customer, "subject": "报价", "due_at": "2026-02-30T09:00:00Z"}),  # noqa: E501
            ("customer", {"name": "  Trimmed Ltd  ", "grade": "a", "phone": "+86 27 1234 5678"}),
        ],
    )  # fmt: skip
    seen, answers = _push(db, "ann", mutations, clock)

    assert answers[0] == answers[1] == answers[4] == "applied"
    assert answers[2].startswith("rejected: kind: 'no such kind' is not one of")
    assert answers[3].startswith("rejected: due_at: '2026-02-30T09:00:00Z' is not a valid")
    written = [sql for sql in seen if sql.startswith("INSERT INTO record ")]
    assert len(written) == 3  # the applied ones, once each
    # The only row updated is Bob's, flagged as a duplicate of Ann's new customer.
    updated = [sql for sql in seen if sql.startswith("UPDATE record ")]
    assert len(updated) == 1 and updated[0].endswith(f"WHERE id = '{bob_customer}'")

    with db.read() as s:
        rows = {r.id: r for r in s.exec(select(Record))}
        log = {c.row_id: c.seq for c in s.exec(select(ChangeLog)) if c.op == "upsert"}
    assert ids[2] not in rows and ids[3] not in rows
    trimmed = json.loads(rows[ids[4]].data)
    assert trimmed["name"] == "Trimmed Ltd" and trimmed["grade"] == "A"
    assert json.loads(rows[ids[1]].data)["due_at"] == "2026-08-28T00:00:00Z"
    for row_id in (ids[1], ids[4]):
        versions = json.loads(rows[row_id].field_version)
        assert rows[row_id].version == log[row_id]
        assert {seq for seq, _who in versions.values()} == {log[row_id]}
    assert json.loads(rows[customer].data)["duplicate_of"] == [bob_customer]
    assert json.loads(rows[bob_customer].data)["duplicate_of"] == [customer]


def test_kept_json_texts_are_what_json_dumps_writes() -> None:
    from crm_tui.domain.field_clocks import one_clock_json
    from crm_tui.server.crud.records import field_versions

    names = ["name", "kind", "备注", 'odd "quoted" \\ name', "deleted"]
    for who in ("u-1", None, 'quote"d'):
        fields = dict.fromkeys(names, who)
        for seq in (1, 42, 2**40):
            assert field_versions("{}", fields, seq) == json.dumps(
                {n: [seq, w] for n, w in fields.items()}
            )
    assert field_versions('{"a": [3, "x"]}', {"b": "y"}, 9) == json.dumps(
        {"a": [3, "x"], "b": [9, "y"]}
    )
    hlc = f"{_T0:016d}-000000-lapA"
    assert one_clock_json(hlc) == json.dumps({"*": hlc})
