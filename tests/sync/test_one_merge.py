"""One merge function on the laptop (issue 12 item 4): a pulled row becomes the same stored
row whether the single path (`Repository.apply_remote`, one ORM row) or the bulk path
(`pull_store.apply_page`, executemany) persists it. Random histories of server snapshots,
with random pending local edits laid over them, are applied both ways and compared column
by column (values, field clocks, deletion, kept unknown fields, sort key, search index)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_tui.domain.dates import Clock
from crm_tui.storage import outbox, pull_store
from crm_tui.storage.database import Database, open_database
from crm_tui.sync.client import WireChange

ROWS = ["01a2425c-0000-7000-8000-00000000000" + str(i) for i in range(4)]
STAMP = "2026-11-20T09:30:00.000000Z"


def _hlc(n: int, node: str = "server") -> str:
    return f"{1795446410905 + n:016d}-000000-{node}"


names = st.sampled_from(["Acme", "东方机械", "Borealis Ltd", "张伟 Trading", "Zeta"])
cities = st.one_of(st.none(), st.sampled_from(["Ningbo", "北京", "Hefei"]))
grades = st.one_of(st.none(), st.sampled_from(["A", "B", "C"]))


@st.composite
def snapshots(draw: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": draw(names)}
    for key, strat in (("city", cities), ("grade", grades), ("notes", cities)):
        if draw(st.booleans()):
            fields[key] = draw(strat)
    if draw(st.booleans()):
        fields["loyalty_tier"] = draw(st.sampled_from(["gold", "silver"]))  # a newer field
    clocks = {k: _hlc(draw(st.integers(0, 50))) for k in fields}
    return {
        "fields": fields,
        "owner_id": "u-1",
        "deleted": draw(st.booleans()) if draw(st.integers(0, 4)) == 0 else False,
        "field_hlc": clocks,
        "created_at": STAMP,
        "updated_at": STAMP,
    }


@st.composite
def histories(draw: Any) -> tuple[list[WireChange], list[tuple[str, str, dict, str]], list[int]]:
    n = draw(st.integers(1, 12))
    changes = []
    for seq in range(1, n + 1):
        row_id = draw(st.sampled_from(ROWS))
        if draw(st.integers(0, 9)) == 0:
            changes.append(WireChange(seq, "customer", row_id, "remove", None))
        else:
            changes.append(WireChange(seq, "customer", row_id, "upsert", draw(snapshots())))
    pending = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["patch", "patch", "delete", "restore"]))
        payload = {"city": draw(cities)} if kind == "patch" else {}
        if kind == "patch" and draw(st.booleans()):
            payload["grade"] = draw(grades)
        pending.append(
            (draw(st.sampled_from(ROWS)), kind, payload, _hlc(draw(st.integers(0, 60)), "lap"))
        )
    cuts = sorted(set(draw(st.lists(st.integers(1, n), max_size=3))))
    return changes, pending, cuts


def _queue(db: Database, pending: list[tuple[str, str, dict, str]]) -> None:
    with db.transaction() as s:
        for row_id, kind, payload, hlc in pending:
            outbox.append(
                s,
                entity="customer",
                row_id=row_id,
                kind=kind,
                payload=payload,
                base_version=0,
                hlc=hlc,
            )


def _pages(changes: list[WireChange], cuts: list[int]) -> list[list[WireChange]]:
    out, start = [], 0
    for end in [*cuts, len(changes)]:
        if changes[start:end]:
            out.append(changes[start:end])
        start = end
    return out


def _single(db: Database, changes: list[WireChange], cuts: list[int]) -> None:
    """Each change on its own through the repository (the ORM path). Within a page only a
    row's newest change counts (the pull's rule, not the merge's), so the same is kept."""
    repo = db.repos.customers
    for page in _pages(changes, cuts):
        latest = {c.row_id: c for c in page}
        for change in sorted(latest.values(), key=lambda c: c.seq):
            _one(db, repo, change)


def _one(db: Database, repo: Any, change: WireChange) -> None:
    with db.transaction() as s:
        rec = s.get(repo.model, change.row_id)
        if rec is not None and change.seq <= rec.server_version:
            return
        if change.op == "remove":
            if rec is not None:
                repo.tombstone_local(s, change.row_id, version=change.seq)
            return
        pending = outbox.pending_for(s, [change.row_id]).get(change.row_id, [])
        repo.apply_remote(s, change.row_id, change.data, version=change.seq, pending=pending)


def _bulk(db: Database, changes: list[WireChange], cuts: list[int]) -> None:
    for page in _pages(changes, cuts):
        pull_store.apply_page(db, page, page[-1].seq, bulk=True)


def _dump(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        rows = {
            r["id"]: {
                k: (json.loads(r[k]) if k in ("field_hlc", "extra") else r[k])
                for k in r.keys()  # noqa: SIM118 - sqlite3.Row
            }
            for r in conn.execute("SELECT * FROM customer ORDER BY id")
        }
        docs = sorted(
            (d, b)
            for d, b in conn.execute(
                "SELECT d.row_id, f.body FROM search_doc d JOIN search_fts f ON f.rowid = d.docid"
            )
        )
        conflicts = conn.execute("SELECT count(*) FROM conflict").fetchone()[0]
    finally:
        conn.close()
    return {"rows": rows, "docs": docs, "conflicts": conflicts}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(histories())
def test_single_and_bulk_paths_store_identical_rows(history) -> None:  # noqa: ANN001
    changes, pending, cuts = history
    folder = Path(tempfile.mkdtemp(prefix="one-merge-"))
    try:
        one = open_database(folder / "single.db", Clock())
        many = open_database(folder / "bulk.db", Clock())
        for db in (one, many):
            _queue(db, pending)
        _single(one, changes, cuts)
        _bulk(many, changes, cuts)
        one.close()
        many.close()
        single, bulk = _dump(folder / "single.db"), _dump(folder / "bulk.db")
        assert single["rows"].keys() == bulk["rows"].keys()
        for row_id, row in single["rows"].items():
            assert row == bulk["rows"][row_id], row_id
        assert single["docs"] == bulk["docs"]
        assert single["conflicts"] == bulk["conflicts"] == 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
