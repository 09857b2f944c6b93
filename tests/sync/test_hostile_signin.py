"""Issue 14 item 7: guessed tokens and enrolment codes are rate limited per address and per
user (429 with Retry-After, logged), against a real `crm server` with small limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crm_tui.sync.protocol import version_headers
from tests.sync.conftest import Server
from tests.sync.pg import ServerProcess, start_server

LIMITS = {
    "CRM_SERVER_SIGNIN_PER_ADDRESS": "8",
    "CRM_SERVER_SIGNIN_PER_USER": "3",
    "CRM_SERVER_SIGNIN_WINDOW_S": "30",
}


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[ServerProcess]:
    running = start_server(f"sqlite:///{tmp_path / 'server.db'}", tmp_path, env=LIMITS)
    yield running
    running.stop()


def _enrol(url: str, user: str, code: str) -> httpx.Response:
    return httpx.post(
        f"{url}/auth/enrol", headers=version_headers(), json={"user": user, "code": code}
    )


def test_guessed_codes_and_tokens_get_429_with_retry_after(limited: ServerProcess) -> None:
    server = Server(limited.url, limited.database_url, limited.proc)
    code = server.add_user("victim")
    # Per user: three bad codes for one name, then that name is blocked (even the right code).
    answers = [_enrol(limited.url, "victim", f"WRNG-{i:04d}").status_code for i in range(3)]
    assert answers == [401, 401, 429]
    blocked = _enrol(limited.url, "victim", code)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "try again" in blocked.json()["detail"]
    # Per address: random tokens (and codes for other names) from one address.
    statuses = []
    for i in range(8):
        forged = httpx.get(
            f"{limited.url}/sync/pull",
            headers=version_headers() | {"Authorization": f"Bearer guess-{i}"},
        )
        statuses.append(forged.status_code)
    assert statuses[-1] == 429 and set(statuses) == {401, 429}, statuses
    assert "Retry-After" in forged.headers
    # Blocked before the token is looked up: a valid-looking request is turned away too.
    again = httpx.get(
        f"{limited.url}/auth/me", headers=version_headers() | {"Authorization": "Bearer x"}
    )
    assert again.status_code == 429
    log = "".join(p.read_text() for p in limited.folder.glob("server-*.log"))
    assert "sign-in blocked for addr:127.0.0.1" in log
    assert "sign-in blocked for user:victim" in log
