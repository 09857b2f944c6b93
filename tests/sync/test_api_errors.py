"""Malformed, oversized, out-of-order or wrong-version requests get a 4xx with a reason."""

from __future__ import annotations

import time

import httpx
import pytest

from crm_tui.domain.hlc import Timestamp
from crm_tui.sync.client import VersionError, load_login
from crm_tui.sync.protocol import MAX_BATCH, MAX_BODY_BYTES, version_headers


@pytest.fixture
def api(laptop):
    """An HTTP client signed in as a fresh rep, plus that rep's laptop."""
    lap = laptop()
    login = load_login(lap.path)
    headers = version_headers() | {"Authorization": f"Bearer {login.token}"}
    with httpx.Client(base_url=login.server_url, headers=headers, timeout=30) as client:
        yield client, lap


def mutation(seq: int, **overrides) -> dict:
    body = {
        "client_seq": seq,
        "mutation_id": f"m-{seq}-{time.time_ns()}",
        "entity": "customer",
        "row_id": f"row-{time.time_ns()}",
        "kind": "create",
        "payload": {"name": "Quartz"},
        "base_version": 0,
        # A node id of its own: the server binds a node id to the first user who pushed it.
        "hlc": f"{int(time.time() * 1000):016d}-000000-dev{time.time_ns()}",
    }
    return body | overrides


def detail(response: httpx.Response) -> str:
    return str(response.json()["detail"])


def test_every_bad_request_is_a_4xx_with_a_reason(api) -> None:
    client, _ = api
    cases = {
        "not json": client.post(
            "/sync/push", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        "wrong shape": client.post("/sync/push", json={"changes": []}),
        "unknown entity": client.post(
            "/sync/push", json={"mutations": [mutation(1, entity="spaceship")]}
        ),
        "bad clock": client.post("/sync/push", json={"mutations": [mutation(1, hlc="soon")]}),
        "negative seq": client.post("/sync/push", json={"mutations": [mutation(-3)]}),
        "batch too big": client.post(
            "/sync/push", json={"mutations": [mutation(i + 1) for i in range(MAX_BATCH + 1)]}
        ),
        "bad cursor": client.get("/sync/pull", params={"after": -1}),
        "bad limit": client.get("/sync/pull", params={"limit": 10**9}),
        "text cursor": client.get("/sync/pull", params={"after": "yesterday"}),
    }
    for name, response in cases.items():
        assert response.status_code == 422, (name, response.status_code, response.text)
        assert response.json()["detail"], name


def test_oversized_body_is_refused_with_413(api) -> None:
    client, _ = api
    blob = "x" * (MAX_BODY_BYTES + 10)
    response = client.post(
        "/sync/push", content=blob.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and "smaller batches" in detail(response)

    def chunks():  # no Content-Length: counted as it streams in
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    streamed = client.post(
        "/sync/push", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_invalid_field_values_are_rejected_per_mutation(api) -> None:
    client, _ = api  # a fresh laptop: its first change is seq 1
    response = client.post(
        "/sync/push",
        json={
            "mutations": [mutation(1, payload={"name": "Quartz", "grade": "Z", "colour": "red"})]
        },
    )
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == "rejected"
    assert "grade" in result["reason"] and "colour" in result["reason"]


def test_no_token_or_a_wrong_one_is_401(api) -> None:
    client, _ = api
    anonymous = httpx.get(f"{client.base_url}/sync/pull", headers=version_headers())
    assert anonymous.status_code == 401 and "crm login" in detail(anonymous)
    forged = httpx.get(
        f"{client.base_url}/sync/pull", headers=version_headers() | {"Authorization": "Bearer nope"}
    )
    assert forged.status_code == 401


def test_a_protocol_or_schema_mismatch_is_426_with_what_to_upgrade(api) -> None:
    client, lap = api
    old = client.get("/sync/pull", headers={"X-CRM-Protocol": "0"})
    assert old.status_code == 426 and "upgrade crm_tui on this laptop" in detail(old)
    newer = client.get("/sync/pull", headers={"X-CRM-Schema": "99"})
    assert newer.status_code == 426 and "upgrade the server" in detail(newer)
    with lap.client() as sync_client:
        sync_client.http.headers["X-CRM-Protocol"] = "7"
        with pytest.raises(VersionError, match="upgrade the server"):
            sync_client.pull(0, 10)


def test_a_gap_or_a_reused_seq_is_409_with_the_expected_seq(api) -> None:
    client, _ = api
    first = client.post("/sync/push", json={"mutations": [mutation(1)]})
    assert first.status_code == 200
    gap = client.post("/sync/push", json={"mutations": [mutation(5)]})
    assert gap.status_code == 409 and gap.json()["detail"]["expected_seq"] == 2
    reused = client.post("/sync/push", json={"mutations": [mutation(1)]})
    assert reused.status_code == 409 and "backup" in reused.json()["detail"]["message"]


def test_a_clock_far_in_the_future_is_pulled_back(api) -> None:
    client, _ = api
    year_ahead = int(time.time() * 1000) + 365 * 24 * 3600 * 1000
    body = mutation(1, hlc=f"{year_ahead:016d}-000003-fastlaptop")
    [result] = client.post("/sync/push", json={"mutations": [body]}).json()["results"]
    assert result["status"] == "applied"
    changes, after, more = [], 0, True
    while more:  # pages are capped by bytes too: read them all
        page = client.get("/sync/pull", params={"after": after, "limit": 2000}).json()
        changes += page["changes"]
        after, more = page["cursor"], page["has_more"]
    [row] = [c for c in changes if c["row_id"] == body["row_id"]]
    stamp = Timestamp.decode(row["data"]["field_hlc"]["name"])
    assert stamp.wall_ms <= time.time() * 1000 + 60 * 1000
    assert stamp.node == "fastlaptop"


def test_health_and_openapi_need_no_token(server) -> None:
    health = httpx.get(f"{server.url}/health").json()
    assert health["status"] == "ok" and health["protocol"] == 1
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert {"/sync/push", "/sync/pull", "/auth/enrol", "/health"} <= set(paths)
