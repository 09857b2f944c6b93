"""`crm sync` names a rejected change by its record — entity, short id, title — through a
real `crm server`, and every id it prints resolves with `crm show` (it once printed the
outbox mutation's id, which no command knows): a lost claim race, and a refused creation
(hidden on the laptop, not gone)."""

from __future__ import annotations

from pathlib import Path

from tests.sync.conftest import crm, laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

server = sqlite_server("rejected-ids")


def _rejected(path: Path) -> list[str]:
    result = crm("--db", str(path), "sync", "--quiet")
    assert result.exit_code == 0, result.output
    return [line.strip() for line in result.stdout.splitlines() if "rejected " in line[:11]]


def _shown(path: Path, ref: str) -> str:
    result = crm("--db", str(path), "show", ref)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_lost_claim_is_printed_with_the_customers_id_and_name(laptop) -> None:  # noqa: F811
    alice, bob, carol = laptop(), laptop(), laptop()
    cust = alice.db.repos.customers.create({"name": "宁波港口物流有限公司", "city": "宁波"})
    alice.sync()
    alice.db.repos.pool.steps.release(cust.id, "no budget this year")
    assert not alice.sync().rejected
    bob.sync()
    carol.sync()
    bob.db.repos.pool.steps.claim(cust.id)
    carol.db.repos.pool.steps.claim(cust.id)
    assert not bob.sync().rejected
    (line,) = _rejected(carol.path)
    _, entity, short, rest = line.split(" ", 3)
    assert (entity, cust.id.startswith(short)) == ("customer", True)
    assert rest.startswith("宁波港口物流有限公司: ") and bob.name in rest
    assert "宁波港口物流有限公司" in _shown(carol.path, short)


def test_a_refused_creation_is_printed_with_an_id_that_resolves(laptop) -> None:  # noqa: F811
    bob = laptop()
    rule = bob.db.repos.pool.rules.create({"grade": "*", "cap": 1000})
    (line,) = _rejected(bob.path)
    _, entity, short, rest = line.split(" ", 3)
    assert entity == "pool_rule" and rule.id.startswith(short) and "only a manager" in rest
    assert short in _shown(bob.path, short)
