"""Issue 14, attacked as a hostile rep would: hand-made requests against a real `crm server`
process over HTTP get the safe outcome (a rejection with a reason, or a 4xx; never a 500),
and the team's laptops keep syncing."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from crm_tui.domain.hlc import Timestamp
from crm_tui.sync.http import load_login
from crm_tui.sync.protocol import MAX_PAGE_BYTES, SEQ_REUSED, version_headers


class Raw:
    """A signed-in device speaking raw HTTP (what a tampered client can send)."""

    def __init__(self, lap: Any) -> None:
        login = load_login(lap.path)
        assert login is not None
        self.lap = lap
        self.url = login.server_url
        self.token = login.token
        self.seq = 0
        self.node = f"atk{uuid.uuid4().hex[:10]}"
        self.http = httpx.Client(base_url=self.url, headers=self.headers(), timeout=60)

    def headers(self) -> dict[str, str]:
        return version_headers() | {"Authorization": f"Bearer {self.token}"}

    def hlc(self, ahead_ms: int = 0) -> str:
        time.sleep(0.002)  # strictly later than this device's previous stamp
        return f"{int(time.time() * 1000) + ahead_ms:016d}-000000-{self.node}"

    def mutation(self, entity: str, row_id: str, kind: str, payload: dict, **extra: Any) -> dict:
        self.seq += 1
        return {
            "client_seq": self.seq,
            "mutation_id": f"{self.node}-{self.seq}",
            "entity": entity,
            "row_id": row_id,
            "kind": kind,
            "payload": payload,
            "base_version": 0,
            "hlc": self.hlc(),
        } | extra

    def push(self, *mutations: dict) -> list[dict]:
        response = self.http.post("/sync/push", json={"mutations": list(mutations)})
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def pull_row(self, row_id: str) -> dict | None:
        after, found = 0, None
        while True:
            page = self.http.get("/sync/pull", params={"after": after, "limit": 5000}).json()
            for change in page["changes"]:
                if change["row_id"] == row_id:
                    found = change["data"]
            after = page["cursor"]
            if not page["has_more"]:
                return found


@pytest.fixture
def raw(laptop) -> Any:
    made: list[Raw] = []

    def make(role: str = "rep") -> Raw:
        made.append(Raw(laptop(role)))
        return made[-1]

    yield make
    for r in made:
        r.http.close()


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def test_poison_values_are_rejected_and_every_laptop_still_syncs(raw, laptop) -> None:
    """Item 1: a 10^30 amount, dates in year 1 / 9999, over-long and out-of-range values."""
    rep = raw()
    boss = laptop("manager")
    cust = _new_id()
    results = rep.push(
        rep.mutation("customer", cust, "create", {"name": "Poison Ltd"}),
        rep.mutation("expense", _new_id(), "create", {"spent_on": "2026-11-20", "amount": 10**30}),
        rep.mutation("expense", _new_id(), "create", {"spent_on": "2026-11-20", "amount": 2**63}),
        rep.mutation(
            "activity", _new_id(), "create",
            {"customer_id": cust, "subject": "a", "due_at": "0001-01-01T00:00:00Z"},
        ),
        rep.mutation(
            "activity", _new_id(), "create",
            {"customer_id": cust, "subject": "b", "due_at": "9999-12-31T23:00:00+00:00"},
        ),
        rep.mutation("customer", _new_id(), "create", {"name": "x", "birthday": "1899-12-31"}),
        rep.mutation("customer", _new_id(), "create", {"name": "n" * 201}),
        rep.mutation("opportunity", _new_id(), "create", {"customer_id": cust, "title": "t",
                                                          "probability": 10**20}),
        rep.mutation("customer", _new_id(), "create", {"name": "y", "notes": 1.5}),
        rep.mutation("customer", _new_id(), "create", {"name": {"nested": True}}),
    )  # fmt: skip
    assert results[0]["status"] == "applied"
    for result in results[1:]:
        assert result["status"] == "rejected", result
        assert result["reason"], result
    report = boss.sync()
    assert report.ok if hasattr(report, "ok") else True
    assert boss.row("customer", cust)["name"] == "Poison Ltd"


def test_non_json_values_and_huge_seqs_are_4xx_never_500(raw, server) -> None:
    """Item 8: NaN, Infinity, 1e999999, a lone surrogate, seqs >= 2^63."""
    rep = raw()
    template = rep.mutation("customer", _new_id(), "create", {"name": "x"})
    rep.seq -= 1
    bodies = {}
    for name, literal in {
        "nan": "NaN",
        "infinity": "Infinity",
        "-infinity": "-Infinity",
        "1e999999": "1e999999",
        "surrogate": '"\\ud800"',
        "surrogate key": None,
    }.items():
        payload = (
            '{"name": "x", "notes": ' + literal + "}" if literal else '{"name": "x", "\\udfff": 1}'
        )
        body = json.dumps({"mutations": [template | {"payload": {}}]})
        bodies[name] = body.replace('"payload": {}', '"payload": ' + payload)
    bodies["seq 2^63"] = json.dumps({"mutations": [template | {"client_seq": 2**63}]})
    for name, body in bodies.items():
        response = rep.http.post(
            "/sync/push", content=body, headers={"Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
        assert response.json()["detail"], name
    enrol = httpx.post(
        f"{server.url}/auth/enrol",
        headers=version_headers(),
        json={"user": "nobody", "code": "AAAA-BBBB", "last_client_seq": 2**63},
    )
    assert enrol.status_code == 422, enrol.text
    odd_user = httpx.post(
        f"{server.url}/auth/enrol",
        headers=version_headers() | {"Content-Type": "application/json"},
        content=b'{"user": "\\ud800", "code": "AAAA-BBBB"}',
    )
    assert odd_user.status_code == 422, odd_user.text


@pytest.mark.parametrize(
    "field, value",
    [
        ("phone", "1" + " " * 32000 + "!"),
        ("phone", "1" * 1_000_000),
        ("notes", "x" * 1_000_000),
        ("email", "a@" + "." * 1_000_000),
        ("website", "a." * 500_000),
    ],
    ids=["phone-redos", "phone-1mb", "notes-1mb", "email-1mb", "website-1mb"],
)
def test_a_huge_value_is_refused_at_once(raw, field: str, value: str) -> None:
    """Items 2 and 5: the length cap runs before any pattern; the server stays responsive."""
    rep = raw()
    m = rep.mutation("customer", _new_id(), "create", {"name": "Slow Co", field: value})
    started = time.perf_counter()
    [result] = rep.push(m)
    elapsed = time.perf_counter() - started
    print(
        f"{field} of {len(value)} characters refused in {elapsed * 1000:.1f} ms (HTTP round trip)"
    )
    assert result["status"] == "rejected" and "at most" in result["reason"]
    assert elapsed < 0.5


def test_server_owned_claim_fields_are_never_taken_from_the_client(raw) -> None:
    """Item 6: approver, decision time and note, submission time."""
    rep = raw()
    claim = _new_id()
    forged = {
        "approver_id": "someone",
        "decided_at": "2026-01-01T00:00:00Z",
        "decision_note": "approved by me",
        "submitted_at": "2001-01-01T00:00:00Z",
    }
    payload = {"spent_on": "2026-11-20", "amount": 500} | forged
    [created] = rep.push(rep.mutation("expense", claim, "create", payload))
    assert created["status"] == "applied"
    fields = rep.pull_row(claim)["fields"]
    assert not set(forged) & {k for k, v in fields.items() if v is not None}
    [submitted] = rep.push(
        rep.mutation("expense", claim, "command", {"command": "submitted", "fields": forged})
    )
    assert submitted["status"] == "applied", submitted
    fields = rep.pull_row(claim)["fields"]
    assert fields["status"] == "submitted"
    assert fields.get("approver_id") is None and fields.get("decision_note") is None
    assert fields.get("decided_at") is None
    assert fields["submitted_at"].startswith(time.strftime("%Y-", time.gmtime()))


def test_a_plain_edit_cannot_move_a_customer_in_the_pool_or_a_visit_in_time(raw) -> None:
    """Review s15 H1/H5/H7: `crm edit --pool-since "" / --locked true` and a check-in's
    time and place went through as plain patches; the pool's commands and the check-in
    itself set them. A patch sending the stored value unchanged still passes."""
    rep = raw()
    cust, visit, checkin = _new_id(), _new_id(), _new_id()
    forged = {"name": "Pool Ltd", "locked": True, "pool_since": "2026-01-01T00:00:00Z"}
    made = rep.push(
        rep.mutation("customer", cust, "create", forged | {"previous_owner_id": "x"}),
        rep.mutation("activity", visit, "create", {"customer_id": cust, "subject": "visit"}),
        rep.mutation(
            "checkin", checkin, "create",
            {"activity_id": visit, "customer_id": cust, "place": "外滩一号",
             "checked_in_at": "2026-12-05T01:00:00Z", "at": "31.2304,121.4737"},
        ),
    )  # fmt: skip
    assert [r["status"] for r in made] == ["applied"] * 3, made
    fields = rep.pull_row(cust)["fields"]
    assert not fields.get("locked") and fields.get("pool_since") is None
    assert fields.get("previous_owner_id") is None  # a new customer starts out of the pool
    refused = rep.push(
        rep.mutation("customer", cust, "patch", {"locked": True}),
        rep.mutation("customer", cust, "patch", {"pool_since": "2026-01-01T00:00:00Z"}),
        rep.mutation("checkin", checkin, "patch", {"checked_in_at": "2026-12-01T01:00:00Z"}),
        rep.mutation("checkin", checkin, "patch", {"place": "北京", "at": "39.9,116.4"}),
    )
    assert [r["status"] for r in refused] == ["rejected"] * 4, refused
    assert "claim, release, assign and lock" in refused[0]["reason"]
    assert "time and place it was made at" in refused[2]["reason"]
    passed = rep.push(
        rep.mutation("customer", cust, "patch", {"name": "Pool Co", "locked": False}),
        rep.mutation("checkin", checkin, "patch", {"checked_out_at": "2026-12-05T02:00:00Z"}),
    )
    assert [r["status"] for r in passed] == ["applied"] * 2, passed
    [again] = rep.push(
        rep.mutation("checkin", checkin, "patch", {"checked_out_at": "2026-12-05T09:00:00Z"})
    )
    assert again["status"] == "rejected" and "checked out once" in again["reason"]
    stored = rep.pull_row(checkin)["fields"]
    assert stored["place"] == "外滩一号" and stored["checked_in_at"].startswith("2026-12-05T01")
    assert stored["checked_out_at"].startswith("2026-12-05T02")
    assert rep.pull_row(cust)["fields"]["name"] == "Pool Co"
    forever = _new_id()  # "owned since 2099": never due for the pool
    [made] = rep.push(
        rep.mutation("customer", forever, "create", {"name": "F", "claimed_at": "2099-01-01"})
    )
    assert made["status"] == "applied"
    assert rep.pull_row(forever)["fields"].get("claimed_at") is None


def test_an_edit_with_another_laptops_clock_id_is_refused(raw) -> None:
    """Item 8: node ids are tied to the user whose device first used them."""
    alice, mallory = raw(), raw()
    cust = _new_id()
    [first] = alice.push(alice.mutation("customer", cust, "create", {"name": "Initech"}))
    assert first["status"] == "applied"
    mallory.node = alice.node
    [stolen] = mallory.push(mallory.mutation("customer", cust, "patch", {"city": "Nowhere"}))
    assert stolen["status"] == "rejected" and "clock id" in stolen["reason"]
    [server_node] = mallory.push(
        mallory.mutation("customer", cust, "patch", {"city": "Nowhere"},
                         hlc=f"{int(time.time() * 1000):016d}-000000-server")
    )  # fmt: skip
    assert server_node["status"] == "rejected"


def test_an_edit_stamped_minutes_ahead_does_not_beat_a_later_honest_edit(raw) -> None:
    """Item 8: clocks are clamped to the server's + 60 s on receipt."""
    cheat, honest = raw(), raw()
    cust = _new_id()
    cheat.push(cheat.mutation("customer", cust, "create", {"name": "Clock Co"}))
    ahead = 4 * 60_000 + 50_000
    [early] = cheat.push(
        cheat.mutation("customer", cust, "patch", {"city": "Ahead"}, hlc=cheat.hlc(ahead))
    )
    assert early["status"] == "applied"
    time.sleep(0.01)
    [late] = honest.push(honest.mutation("customer", cust, "patch", {"city": "Honest"}))
    assert late["status"] in ("applied", "applied_with_conflict")
    row = honest.pull_row(cust)
    assert row["fields"]["city"] == "Honest"
    stamp = Timestamp.decode(row["field_hlc"]["city"])
    assert stamp.wall_ms <= time.time() * 1000 + 60_000


def test_an_edit_of_a_row_deleted_on_the_server_is_a_visible_conflict_and_restorable(
    raw, server
) -> None:
    """Item 3: f1 deletes, f2 edits offline and syncs: f2 gets a non-empty conflict list,
    the server keeps the lost edit, and restore + patch brings the row back with it."""
    # f2 owns the customer (a rep may restore only her own; a manager any).
    f1, f2 = raw("manager"), raw()
    cust = _new_id()
    f2.push(f2.mutation("customer", cust, "create", {"name": "Gone Ltd", "notes": "old"}))
    [deleted] = f1.push(f1.mutation("customer", cust, "delete", {}))
    assert deleted["status"] in ("applied", "applied_with_conflict")
    [edit] = f2.push(f2.mutation("customer", cust, "patch", {"notes": "offline edit", "city": "X"}))
    assert edit["status"] == "applied_with_conflict"
    assert "deleted on the server by " + f1.lap.name in edit["reason"]
    lost = {c["field"]: c for c in edit["conflicts"]}
    assert set(lost) == {"notes", "city"}
    assert lost["notes"]["yours"] == "offline edit" and lost["notes"]["winner"] == "deleted"
    assert lost["notes"]["who"] == f1.lap.name and lost["notes"]["reason"]
    assert edit["row"]["deleted"] is True and edit["row"]["fields"]["notes"] == "old"
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        kept = conn.execute(
            text("SELECT field, lost_value FROM server_conflict WHERE row_id = :r ORDER BY field"),
            {"r": cust},
        ).all()
    engine.dispose()
    assert [(f, json.loads(v)) for f, v in kept] == [("city", "X"), ("notes", "offline edit")]
    restored = f2.push(
        f2.mutation("customer", cust, "restore", {}),
        f2.mutation("customer", cust, "patch", {"notes": "offline edit", "city": "X"}),
    )
    # (base_version 0: the restore is concurrent with the delete, so it reports it)
    assert all(r["status"] in ("applied", "applied_with_conflict") for r in restored)
    row = f2.pull_row(cust)
    assert row["deleted"] is False and row["fields"]["notes"] == "offline edit"


def test_a_rep_restores_a_teammates_deleted_customer_from_the_deleted_conflict(raw) -> None:
    """The rule book lets any rep restore a team record (L's request): a teammate's edit that
    reached a customer deleted on the server brings it back with the edit."""
    owner, boss, mate = raw(), raw("manager"), raw()
    cust = _new_id()
    owner.push(owner.mutation("customer", cust, "create", {"name": "Shared Gone Co"}))
    boss.push(boss.mutation("customer", cust, "delete", {}))
    [edit] = mate.push(mate.mutation("customer", cust, "patch", {"city": "Ningbo"}))
    assert edit["status"] == "applied_with_conflict"
    assert [c["winner"] for c in edit["conflicts"]] == ["deleted"]
    restored = mate.push(
        mate.mutation("customer", cust, "restore", {}),
        mate.mutation("customer", cust, "patch", {"city": "Ningbo"}),
    )
    assert all(r["status"] in ("applied", "applied_with_conflict") for r in restored), restored
    row = owner.pull_row(cust)
    assert row["deleted"] is False and row["fields"]["city"] == "Ningbo"


def test_a_restored_laptop_renews_its_device_without_an_admin(raw) -> None:
    """Item 4 (server side): a reused seq is a 409 `seq_reused`; renew gives a new device."""
    rep = raw()
    first = rep.mutation("customer", _new_id(), "create", {"name": "Backup Co"})
    assert rep.push(first)[0]["status"] == "applied"
    again = first | {"mutation_id": "other-change", "row_id": _new_id()}
    reused = rep.http.post("/sync/push", json={"mutations": [again]})
    assert reused.status_code == 409
    assert reused.json()["detail"]["code"] == SEQ_REUSED
    assert reused.json()["detail"]["expected_seq"] == 2
    gap = rep.http.post("/sync/push", json={"mutations": [first | {"client_seq": 9}]})
    assert gap.status_code == 409 and gap.json()["detail"]["code"] == "seq_gap"
    renewed = rep.http.post("/auth/device/renew", json={"device_name": None})
    assert renewed.status_code == 200, renewed.text
    answer = renewed.json()
    assert answer["user_name"] == rep.lap.name and answer["token"] != rep.token
    old = rep.http.get("/auth/me")
    assert old.status_code == 401
    rep.token = answer["token"]
    rep.http.headers.update(rep.headers())
    assert rep.http.get("/auth/me").json()["device_id"] == answer["device_id"]
    rep.seq = 0
    assert rep.push(again | {"client_seq": 1})[0]["status"] == "applied"
    twice = rep.http.post("/auth/device/renew", json={"device_name": "x"}, headers={
        "Authorization": "Bearer not-a-token"})  # fmt: skip
    assert twice.status_code == 401


def test_a_pull_page_is_capped_by_bytes(raw) -> None:
    """Item 5: many rows with long values come in several pages, none much over the cap."""
    rep = raw()
    start = rep.http.get("/sync/pull", params={"after": 0, "limit": 1}).json()
    # Find the newest cursor quickly: the counter is the cursor once the log is read.
    after = start["cursor"]
    while True:
        page = rep.http.get("/sync/pull", params={"after": after, "limit": 5000}).json()
        after = page["cursor"]
        if not page["has_more"]:
            break
    notes = "n" * 4000
    per_row = 4000 + 300
    rows = MAX_PAGE_BYTES // per_row + 200
    for start_at in range(0, rows, 500):
        count = min(500, rows - start_at)
        batch = [
            rep.mutation("customer", _new_id(), "create", {"name": f"Big {start_at + i}",
                                                           "notes": notes})
            for i in range(count)
        ]  # fmt: skip
        assert all(r["status"] == "applied" for r in rep.push(*batch))
    sizes, seen = [], 0
    while True:
        response = rep.http.get("/sync/pull", params={"after": after, "limit": 5000})
        page = response.json()
        sizes.append(len(response.content))
        seen += len(page["changes"])
        after = page["cursor"]
        if not page["has_more"]:
            break
    print(f"{rows} rows of ~{per_row} bytes pulled in pages of {sizes} bytes")
    assert seen >= rows and len(sizes) >= 2
    assert max(sizes) <= MAX_PAGE_BYTES + 64 * 1024
