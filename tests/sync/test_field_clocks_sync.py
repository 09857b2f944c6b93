"""Compact field clocks through a real `crm server`: laptops that read them, a laptop of an
earlier release that does not ask for them (full maps, its edits still merge), and a server
holding rows written in the old full form next to new compact ones."""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

import httpx

from crm_tui.domain.field_clocks import ALL, clock_of, expand
from crm_tui.sync.protocol import PULL_CLOCKS_PARAM

USER_FIELDS = ("name", "city", "grade", "phone")


class OldLaptopTransport(httpx.HTTPTransport):
    """A laptop of the previous release: its pulls do not ask for compact clocks."""

    def __init__(self) -> None:
        super().__init__()
        self.pulls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/pull"):
            self.pulls += 1
            request.url = request.url.copy_remove_param(PULL_CLOCKS_PARAM)
        return super().handle_request(request)


def settle(*laptops: Any) -> None:
    for _ in range(2):
        for lap in laptops:
            lap.sync()


def _server_row(server: Any, row_id: str) -> tuple[dict[str, Any], bool, dict[str, str]]:
    conn = sqlite3.connect(server.database_url.removeprefix("sqlite:///"))
    try:
        data, deleted, clocks = conn.execute(
            "SELECT data, deleted, field_hlc FROM record WHERE id = ?", (row_id,)
        ).fetchone()
    finally:
        conn.close()
    return json.loads(data), bool(deleted), json.loads(clocks)


def _same_as_server(server: Any, row_id: str, *laptops: Any) -> dict[str, Any]:
    values, deleted, _ = _server_row(server, row_id)
    for lap in laptops:
        row = lap.row("customer", row_id)
        assert row["deleted"] == deleted, lap.name
        for name in USER_FIELDS:
            assert row[name] == values.get(name), (lap.name, name)
    return values


def test_two_laptops_edit_offline_and_the_server_keeps_compact_clocks(server, laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Acme 钢管", "city": "北京"}).id
    settle(alice, bob)
    _, _, made = _server_row(server, cid)
    assert list(made) == [ALL]  # made in one step: one clock for every field
    bob.db.repos.customers.update(cid, {"phone": "010 1234 5678", "city": "Chengdu"})
    time.sleep(0.005)
    alice.db.repos.customers.update(cid, {"grade": "A", "city": "Wuhan"})  # newer city
    settle(bob, alice)
    values = _same_as_server(server, cid, alice, bob)
    assert (values["city"], values["phone"], values["grade"]) == ("Wuhan", "010 1234 5678", "A")
    _, _, clocks = _server_row(server, cid)
    # Only the edited fields are named; the rest still read the creation clock.
    assert set(clocks) == {ALL, "phone", "city", "grade"}
    assert clock_of(clocks, "name") == made[ALL] < clock_of(clocks, "phone")
    assert clock_of(clocks, "city").endswith(alice.db.device_id)
    [lost] = [c for c in bob.conflicts() if c["field"] == "city"]
    assert (lost["losing_value"], lost["winning_value"]) == ("Chengdu", "Wuhan")
    # The laptops ask for compact clocks and keep the server's map as it is sent.
    kept = json.loads(bob.db.repos.customers.get(cid).field_hlc)
    assert kept == clocks


def test_an_old_laptop_gets_full_maps_and_its_edits_still_merge(server, laptop) -> None:
    alice, old = laptop(), laptop()
    old.transport = OldLaptopTransport()
    cid = alice.db.repos.customers.create({"name": "Borealis", "city": "Ningbo"}).id
    alice.sync()
    # What the old laptop is sent: every field and "deleted" named, no "*".
    with old.client() as client:
        changes, after, more = [], 0, True
        while more:
            page = client.pull(after, 2000)
            changes += page.changes
            after, more = page.cursor, page.has_more
    [change] = [c for c in changes if c.row_id == cid]
    sent = change.data["field_hlc"]
    assert ALL not in sent
    assert set(sent) == {*change.data["fields"], "deleted"}
    _, _, stored = _server_row(server, cid)
    assert sent == expand(stored, [*change.data["fields"], "deleted"])
    # The old laptop syncs (its pulls without the parameter), edits offline, syncs again.
    settle(old, alice)
    assert old.transport.pulls > 0
    assert old.row("customer", cid)["city"] == "Ningbo"
    old.db.repos.customers.update(cid, {"grade": "B", "city": "Hefei"})
    alice.db.repos.customers.update(cid, {"phone": "0551 1"})
    settle(old, alice)
    values = _same_as_server(server, cid, alice, old)
    assert (values["city"], values["grade"], values["phone"]) == ("Hefei", "B", "0551 1")
    assert old.db.pending_changes() == alice.db.pending_changes() == 0


def test_rows_stored_full_by_an_earlier_server_merge_with_new_compact_writes(
    server, laptop
) -> None:
    alice, bob = laptop(), laptop()
    old_id = alice.db.repos.customers.create({"name": "Cobalt", "city": "Xi'an"}).id
    new_id = alice.db.repos.customers.create({"name": "Dynamo", "city": "Harbin"}).id
    alice.sync()
    # `old_id` as an earlier server stored it: one clock per field, no "*".
    path = server.database_url.removeprefix("sqlite:///")
    values, _, clocks = _server_row(server, old_id)
    full = expand(clocks, [*values, "deleted"])
    conn = sqlite3.connect(path, timeout=30)
    with conn:
        conn.execute("UPDATE record SET field_hlc = ? WHERE id = ?", (json.dumps(full), old_id))
    conn.close()
    settle(alice, bob)
    phones = {old_id: "010 5550 0001", new_id: "010 5550 0002"}
    for cid in (old_id, new_id):
        bob.db.repos.customers.update(cid, {"city": "Older", "phone": phones[cid]})
    time.sleep(0.005)
    for cid in (old_id, new_id):
        alice.db.repos.customers.update(cid, {"city": "Newer", "grade": "C"})
    settle(bob, alice)
    for cid in (old_id, new_id):
        values = _same_as_server(server, cid, alice, bob)
        assert (values["city"], values["grade"], values["phone"]) == (
            "Newer",
            "C",
            phones[cid],
        )
    _, _, after_old = _server_row(server, old_id)
    _, _, after_new = _server_row(server, new_id)
    assert ALL not in after_old and set(after_old) == set(full)  # stays full
    assert set(after_new) == {ALL, "city", "grade", "phone"}
    for name in ("name", "city", "grade", "phone", "deleted"):
        # The same edits give each field the same kind of clock in both forms.
        assert (
            clock_of(after_old, name).split("-", 2)[-1]
            == (clock_of(after_new, name).split("-", 2)[-1])
        ), name
    lost = sorted(c["row_id"] for c in bob.conflicts() if c["field"] == "city")
    assert lost == sorted([old_id, new_id])
