"""Issue 14: random JSON values of every kind (huge ints, edge dates, NaN, long and odd
Unicode) pushed into every field of every entity of a real `crm server`: never a 5xx, and
laptops that pull everything afterwards still sync with nothing parked."""

from __future__ import annotations

import json
import random
import time
import typing
import uuid
from typing import Any

import httpx

from crm_tui.domain.fields import ENTITIES
from crm_tui.sync.http import load_login
from crm_tui.sync.protocol import Entity, version_headers

SEED = 14
# Values a JSON body can carry (sent in batches).
VALID: list[Any] = [
    None, True, False, 0, -1, 1, 99, 100, 101, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1,
    10**15, 10**15 + 1, 10**30, 10**400, 1.5, -0.0, 1e308, 5e-324,
    "", " ", "x", "0", "-5", "1e5", "NaN", "Infinity", "true", "yes", "12%", "200%",
    "0001-01-01", "1899-12-31", "1900-01-01", "2200-12-31", "2201-01-01", "9999-12-31",
    "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
    "2026-02-30", "2026-11-20T25:00:00Z", "2026-11-20T10:00:00", "tomorrow", "fri",
    "USD 12.50", "¥1,000", "CNY", "XXX", "+86 27 1234 5678", "a@b.co", "https://x.example/p",
    "\u0000", "\u202e\u202dRTL", "🙂" * 60, "e\u0301" * 150, "\ufeff", "x" * 199, "x" * 201,
    "y" * 4001, "z" * 70_000, "中" * 300, "tag1,tag2", "bad tag,", [], [1, "a"], {"a": 1},
    {"": None}, [[[1]]],
]  # fmt: skip
# Literals that are not valid JSON values for a strict parser (sent one per request).
INVALID = [
    "NaN", "Infinity", "-Infinity", "1e999999", '"\\ud800"', '"a\\udfffb"', "[" * 20 + "]" * 20,
]  # fmt: skip


class Fuzzer:
    def __init__(self, lap: Any) -> None:
        login = load_login(lap.path)
        assert login is not None
        self.http = httpx.Client(
            base_url=login.server_url,
            headers=version_headers() | {"Authorization": f"Bearer {login.token}"},
            timeout=120,
        )
        self.seq = 0
        self.node = f"fuzz{uuid.uuid4().hex[:8]}"
        self.statuses: dict[int, int] = {}

    def mutation(self, entity: str, row_id: str, kind: str, payload: Any) -> dict[str, Any]:
        self.seq += 1
        return {
            "client_seq": self.seq,
            "mutation_id": f"{self.node}-{self.seq}",
            "entity": entity,
            "row_id": row_id,
            "kind": kind,
            "payload": payload,
            "base_version": 0,
            "hlc": f"{int(time.time() * 1000):016d}-{self.seq % 999999:06d}-{self.node}",
        }

    def post(self, body: str) -> httpx.Response:
        response = self.http.post(
            "/sync/push", content=body.encode(), headers={"Content-Type": "application/json"}
        )
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, response.text[:500]
        return response

    def push(self, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for start in range(0, len(mutations), 400):
            body = json.dumps({"mutations": mutations[start : start + 400]})
            response = self.post(body)
            if response.status_code == 413:  # too large as one body: one at a time
                for m in mutations[start : start + 400]:
                    one = self.post(json.dumps({"mutations": [m]}))
                    results += one.json()["results"] if one.status_code == 200 else []
                continue
            assert response.status_code == 200, response.text[:500]
            results += response.json()["results"]
        return results


def _sample(kind: str, ids: dict[str, str]) -> Any:
    return {"money": 100, "date": "2026-01-01", "datetime": "2026-01-01T09:00:00Z"}.get(kind, "t")


def test_random_values_in_every_field_never_break_the_server_or_a_laptop(laptop) -> None:
    rng = random.Random(SEED)
    fuzzer = Fuzzer(laptop("manager"))
    ids = {"customer": uuid.uuid4().hex[:12], "opportunity": uuid.uuid4().hex[:12],
           "competitor": uuid.uuid4().hex[:12], "contact": uuid.uuid4().hex[:12]}  # fmt: skip
    base = fuzzer.push(
        [
            fuzzer.mutation("customer", ids["customer"], "create", {"name": "Fuzz Co"}),
            fuzzer.mutation("competitor", ids["competitor"], "create", {"name": "Rival"}),
            fuzzer.mutation(
                "opportunity", ids["opportunity"], "create",
                {"customer_id": ids["customer"], "title": "Deal"},
            ),
            fuzzer.mutation(
                "contact", ids["contact"], "create",
                {"customer_id": ids["customer"], "name": "Wang"},
            ),
        ]
    )  # fmt: skip
    assert [r["status"] for r in base] == ["applied"] * 4

    def required(entity: str) -> dict[str, Any]:
        spec = ENTITIES[entity]
        return {
            f.name: ids[f.ref] if f.kind == "ref" and f.ref in ids else _sample(f.kind, ids)
            for f in spec.fields
            if f.required
        }

    mutations: list[dict[str, Any]] = []
    invalid: list[str] = []
    # The entities the sync protocol carries (the registry may hold newer local-only ones).
    synced = set(typing.get_args(Entity))
    for entity, spec in ENTITIES.items():
        if entity not in synced:
            continue
        row = uuid.uuid4().hex[:12]
        mutations.append(fuzzer.mutation(entity, row, "create", required(entity)))
        for f in spec.fields:
            for value in rng.sample(VALID, 10):
                mutations.append(fuzzer.mutation(entity, row, "patch", {f.name: value}))
                mutations.append(
                    fuzzer.mutation(
                        entity, uuid.uuid4().hex[:12], "create", required(entity) | {f.name: value}
                    )
                )
            literal = rng.choice(INVALID)
            invalid.append(f'{{"{f.name}": {literal}}}')
        mutations.append(fuzzer.mutation(entity, row, rng.choice(["delete", "restore"]), {}))
    started = time.perf_counter()
    results = fuzzer.push(mutations)
    statuses = {r["status"] for r in results}
    assert statuses <= {"applied", "applied_with_conflict", "rejected"}
    assert "applied" in statuses and "rejected" in statuses
    for payload in invalid:
        m = fuzzer.mutation("customer", ids["customer"], "patch", {})
        fuzzer.seq -= 1  # refused as a whole: the seq is not spent
        body = json.dumps({"mutations": [m]}).replace('"payload": {}', f'"payload": {payload}')
        response = fuzzer.post(body)
        assert 400 <= response.status_code < 500, (payload, response.text[:300])
    print(
        f"{len(results)} mutations ({sum(r['status'] == 'rejected' for r in results)} rejected)"
        f" + {len(invalid)} invalid bodies in {time.perf_counter() - started:.1f} s;"
        f" HTTP statuses {fuzzer.statuses}"
    )
    fuzzer.http.close()
    for role in ("manager", "rep"):
        lap = laptop(role)
        report = lap.sync()
        assert report.parked == 0, report.summary()
        assert lap.sync().pulled == 0  # caught up: the cursor moved past everything
        lap.db.repos.customers.create({"name": f"After fuzz {role}"})
        assert lap.sync().pushed == 1
