"""`crm show REF` / `crm why REF` on the quick path find a record by id, id prefix or title
with index seeks only (issue 20: the prefix and title lookups read every table, 0.4 s at 1M
follow-ups), and find exactly what the ORM's Repository.resolve finds: ids with capital
letters, refs in capitals, `_` and `%` (LIKE's wildcards), titles, several matches."""

from __future__ import annotations

import sqlite3

import pytest

from crm_tui.domain.fields import ENTITIES
from crm_tui.storage import plain_records
from crm_tui.storage.repository import NotFound

IDS = [
    "019a365c-aaaa-7000-8000-000000000001",
    "019a365c-aaab-7000-8000-000000000002",
    "019A365D-BBBB-7000-8000-000000000003",  # capitals: made elsewhere, synced in
    "019a365d-bbbc-7000-8000-000000000004",
    "01_b0000-cccc-7000-8000-000000000005",
]
TITLES = ["Alpha", "Beta", "Gamma", "Alpha", "019a365c-aaab"]


@pytest.fixture
def book(db):
    """A book whose customers have the ids and names above (through the repository)."""
    for row_id, title in zip(IDS, TITLES, strict=True):
        db.repos.customers.create({"name": title}, row_id=row_id)
    return db


def _orm(db, ref: str) -> str:
    try:
        return db.repos.customers.resolve(ref, include_deleted=True).id
    except NotFound as exc:
        return "several" if "more than one" in str(exc) else "none"


def _quick(db, ref: str) -> str:
    conn = sqlite3.connect(db.path)
    try:
        row = plain_records.resolve(conn, "customer", ref)
    except plain_records.Ambiguous:
        return "several"
    finally:
        conn.close()
    return row["id"] if row else "none"


REFS = [
    IDS[0],  # a full id
    "019a365c-aaaa",  # a unique prefix
    "019a365c",  # several
    "019A365C-AAAA",  # capitals fold (LIKE is case-blind for ASCII)
    "019a365d-bbbb",  # the id in capitals
    "019a365d",  # capital and small ids alike
    "019a365c-aaab",  # a prefix of one record and the title of another
    "Gamma",
    "Alpha",  # two records of one name
    "01_b",  # `_` is a wildcard in the ORM's LIKE too
    "01%cccc",
    "019a%",
    "zzzz",
    "019",  # under four characters: titles only
]


@pytest.mark.parametrize("ref", REFS)
def test_the_quick_lookup_finds_what_the_orm_finds(book, ref: str) -> None:
    assert _quick(book, ref) == _orm(book, ref)


def test_every_lookup_seeks_an_index(db) -> None:
    """No table is read whole: the id prefix is a primary-key range, the title is indexed
    (migration 0130) for every record type."""
    conn = sqlite3.connect(db.path)
    try:
        for entity in ENTITIES:
            sql, params = plain_records.lookup(conn, entity, "019a365c")
            plan = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
            scans = [row[3] for row in plan if row[3].startswith("SCAN")]
            assert scans == [], (entity, plan)
    finally:
        conn.close()
