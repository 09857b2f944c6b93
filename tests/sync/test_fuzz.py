"""Whatever a client sends, the server answers 2xx or 4xx, never 500 (in-process app)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_tui.domain.fields import ENTITIES
from crm_tui.sync.protocol import version_headers


class Seq:
    """The device's next client seq: it only moves when the server took a batch."""

    next = 1


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
field_names = st.sampled_from(
    sorted(
        {f for s in ENTITIES.values() for f in s.field_names}
        | {"owner_id", "command", "fields", "id", "zzz"}
    )
)
mutations = st.fixed_dictionaries(
    {
        "entity": st.sampled_from(sorted(ENTITIES)),
        "row_id": st.sampled_from(["r1", "r2", "r3", "r4"]),
        "kind": st.sampled_from(["create", "patch", "delete", "restore", "command"]),
        "payload": st.dictionaries(field_names, values, max_size=6),
        "base_version": st.integers(0, 5),
        "hlc": st.sampled_from(
            ["0001795446410905-000000-a", "9999999999999999-999999-b", "0000000000000001-000001-c"]
        ),
    }
)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from crm_tui.server.core.config import Settings
    from crm_tui.server.crud.accounts import add_user, enrol
    from crm_tui.server.main import create_app

    folder = tmp_path_factory.mktemp("fuzz")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'server.db'}"))
    db = app.state.server.db
    with db.write() as s:
        add_user(s, name="mgr", role="manager")
        _, code = add_user(s, name="rep", role="rep")
    with db.write() as s:
        token = enrol(s, name="rep", code=code, device_name="fuzz", last_client_seq=0).token
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers.update(version_headers() | {"Authorization": f"Bearer {token}"})
        yield client


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutations, min_size=1, max_size=4))
def test_random_mutations_never_cause_a_server_error(api, batch) -> None:
    body = {
        "mutations": [
            m | {"client_seq": Seq.next + i, "mutation_id": f"m{Seq.next + i}"}
            for i, m in enumerate(batch)
        ]
    }
    response = api.post("/sync/push", json=body)
    assert response.status_code < 500, response.text
    assert response.status_code != 409, response.text
    if response.status_code == 200:
        Seq.next += len(batch)
        for result in response.json()["results"]:
            assert result["status"] in ("applied", "applied_with_conflict", "rejected")
    pulled = api.get("/sync/pull", params={"after": 0, "limit": 50})
    assert pulled.status_code == 200


@pytest.mark.parametrize("number", ["Infinity", "NaN", "-Infinity", "1e999"])
def test_non_json_numbers_are_refused_or_stored_as_text(api, number) -> None:
    seq = Seq.next
    body = (
        f'{{"mutations": [{{"client_seq": {seq}, "mutation_id": "nan-{seq}", '
        f'"entity": "customer", "row_id": "nan{seq}", "kind": "create", '
        f'"payload": {{"name": "x", "notes": {number}}}, "hlc": "0001795446410905-000000-a"}}]}}'
    )
    response = api.post("/sync/push", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        Seq.next += 1
    pulled = api.get("/sync/pull", params={"after": 0, "limit": 2000})
    assert pulled.status_code == 200, pulled.text


def test_a_busy_database_is_a_503_the_laptop_retries(api, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    from crm_tui.server.api.routes import sync as sync_routes

    def locked(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(sync_routes, "read_changes", locked)
    response = api.get("/sync/pull", params={"after": 0})
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert "retry" in response.json()["detail"]
