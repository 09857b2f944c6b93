"""A pull page is capped by UTF-8 bytes as well as rows (CJK text counts three bytes a
character), always carries at least one change, and its cursor resumes exactly."""

from __future__ import annotations

import json
from pathlib import Path

from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud import accounts
from crm_tui.server.crud.pull import read_changes
from crm_tui.server.crud.push import apply_push
from crm_tui.sync.protocol import Mutation, PushRequest


def test_pages_are_capped_by_utf8_bytes(tmp_path: Path) -> None:
    db = ServerDB(f"sqlite:///{tmp_path / 'server.db'}")
    db.init()
    with db.write() as s:
        account, code = accounts.add_user(s, name="ann", role="rep")
    with db.write() as s:
        device = accounts.enrol(s, name="ann", code=code, device_name="t", last_client_seq=0)
    notes = "中" * 3000  # 9,000 bytes, 3,000 characters
    batch = [
        Mutation(client_seq=i + 1, mutation_id=f"m{i}", entity="customer", row_id=f"c{i}",
                 kind="create", payload={"name": f"Co {i}", "notes": notes},
                 hlc=f"{1_700_000_000_000 + i:016d}-000000-lap")
        for i in range(30)
    ]  # fmt: skip
    with db.write() as s:
        apply_push(
            s,
            account=device.account,
            device=device.device,
            batch=PushRequest(mutations=batch),
            clock=ServerClock(),
        )
    cap = 50_000
    after, seen, pages = 0, [], []
    while True:
        with db.read() as s:
            body = read_changes(
                s, account=account, after=after, limit=1000, server_hlc="x", max_bytes=cap
            )
        page = json.loads(body)
        pages.append(len(body))
        seen += [c["row_id"] for c in page["changes"] if c["entity"] == "customer"]
        assert page["changes"], "a page always carries at least one change"
        after = page["cursor"]
        if not page["has_more"]:
            break
    db.close()
    assert sorted(seen) == sorted(f"c{i}" for i in range(30))  # each exactly once
    assert len(pages) >= 30 * 9_000 // cap
    assert max(pages) <= cap + 10_000  # one row past the cap at most
