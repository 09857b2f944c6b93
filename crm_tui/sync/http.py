"""Provides the sync API over HTTP: `SyncClient` (httpx with retries and backoff), the
errors a sync can end with (each a sentence for the rep), pulled pages read without a
pydantic model per change, and the login (device token) kept next to its database,
readable by its owner only.
"""

from __future__ import annotations

import functools
import json
import os
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from crm_tui.sync.protocol import (
    CLOCKS_COMPACT,
    ECHO_VERSION,
    PULL_CLOCKS_PARAM,
    PULL_ECHO_PARAM,
    PULL_NOTICES_PARAM,
    DeviceRenewRequest,
    EnrolRequest,
    EnrolResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    version_headers,
)

# Changes per pull request: large pages cut per-request overhead on a new laptop's first
# sync (the server allows up to protocol.MAX_PAGE).
PULL_PAGE = 5000
# The largest page a server of the previous release serves (its protocol.MAX_PAGE).
PREVIOUS_MAX_PAGE = 2000


class SyncError(Exception):
    """Sync could not finish; `str()` is a sentence for the rep."""


class OfflineError(SyncError):
    """The server could not be reached (after retries)."""


class AuthError(SyncError):
    """401: not signed in, unknown or revoked token."""


class VersionError(SyncError):
    """426: this laptop and the server need different versions."""


class SeqConflictError(SyncError):
    """409: the outbox does not continue this device's sequence (restored backup?).

    `code` is the server's reason (protocol.SEQ_REUSED / SEQ_GAP; None from an older
    server), `expected_seq` the seq it wanted next."""

    def __init__(
        self, message: str, *, code: str | None = None, expected_seq: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.expected_seq = expected_seq


# --- the login kept next to the database -------------------------------------------------
@dataclass(frozen=True)
class Login:
    server_url: str
    token: str
    device_id: str


def login_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".login")


def save_login(db_path: Path, login: Login) -> Path:
    path = login_path(db_path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(login.__dict__, fh)
    os.chmod(path, 0o600)
    return path


def load_login(db_path: Path) -> Login | None:
    path = login_path(db_path)
    if not path.exists():
        return None
    return Login(**json.loads(path.read_text()))


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~0.2 s: do it once per process, not per client.
    return ssl.create_default_context()


# --- HTTP ----------------------------------------------------------------------------------
class SyncClient:
    """The sync API over httpx, retrying transport errors, 5xx and 429 with backoff."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = version_headers()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            verify=_tls_context(),
        )
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.max_page = PULL_PAGE  # lowered to an older server's cap when it refuses a page

    @classmethod
    def for_database(cls, db_path: Path, **kwargs: Any) -> SyncClient:
        login = load_login(db_path)
        if login is None:
            raise AuthError(f"{db_path} is not signed in: run crm login URL --user NAME")
        return cls(login.server_url, login.token, **kwargs)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                self.sleep(delay)
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                last = f"cannot reach {self.base_url}: {exc.__class__.__name__} {exc}".strip()
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last = f"server busy or failing ({response.status_code})"
                retry_after = response.headers.get("Retry-After", "")
                if response.status_code == 429 and retry_after.isdigit():
                    self.sleep(min(self.max_backoff, float(retry_after)))
                continue
            if response.status_code >= 400:
                raise _error_for(response)
            return response
        raise OfflineError(last)

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health").json()

    def enrol(self, request: EnrolRequest) -> EnrolResponse:
        response = self._request(
            "POST",
            "/auth/enrol",
            content=request.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )
        return EnrolResponse.model_validate_json(response.content)

    def renew(self, device_name: str | None = None) -> EnrolResponse:
        """POST /auth/device/renew: this laptop becomes a new device of the same account
        (the current token is the proof; the old device is revoked)."""
        response = self._request(
            "POST",
            "/auth/device/renew",
            content=DeviceRenewRequest(device_name=device_name).model_dump_json(),
            headers={"Content-Type": "application/json"},
        )
        answer = EnrolResponse.model_validate_json(response.content)
        self.http.headers["Authorization"] = f"Bearer {answer.token}"
        return answer

    def push(self, request: PushRequest) -> PushResponse:
        response = self._request(
            "POST",
            "/sync/push",
            content=request.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )
        return PushResponse.model_validate_json(response.content)

    def pull(self, after: int, limit: int) -> PullResponse:
        response = self._request("GET", "/sync/pull", params={"after": after, "limit": limit})
        return PullResponse.model_validate_json(response.content)

    def pull_page(self, after: int, limit: int) -> PulledPage:
        """`pull` without building a pydantic model per change (a new laptop pulls a
        million): the page's shape is checked, each change becomes a light `WireChange`."""
        return PulledPage.from_json(self.pull_body(after, limit))

    def pull_body(self, after: int, limit: int) -> bytes:
        """The raw body of the next pull page (decoded by `PulledPage.from_json`): the sync
        fetches the next page while it writes this one, and a page still in bytes is a
        quarter of the memory of a decoded one."""
        limit = min(limit, self.max_page)
        try:
            response = self._request(
                "GET",
                "/sync/pull",
                # Our own unchanged writes as version-only changes (CONTRACT-21); an older
                # server ignores the parameter and sends full rows.
                params={
                    "after": after,
                    "limit": limit,
                    PULL_ECHO_PARAM: ECHO_VERSION,
                    PULL_NOTICES_PARAM: "true",
                    PULL_CLOCKS_PARAM: CLOCKS_COMPACT,
                },
            )
        except SyncError as exc:
            # A server of the previous release caps pages lower and answers 422: ask for
            # its size from now on rather than failing every sync.
            if "HTTP 422" not in str(exc) or limit <= PREVIOUS_MAX_PAGE:
                raise
            self.max_page = PREVIOUS_MAX_PAGE
            return self.pull_body(after, limit)
        return response.content


@dataclass(slots=True)
class WireChange:
    """One pulled change (the fields of `protocol.Change`), unvalidated but checked for
    shape by `PulledPage.from_json`."""

    seq: int
    entity: str
    row_id: str
    op: str
    data: dict[str, Any] | None = None


@dataclass
class PulledPage:
    changes: list[WireChange]
    cursor: int
    has_more: bool
    server_hlc: str

    @classmethod
    def from_json(cls, body: bytes) -> PulledPage:
        try:
            page = _loads(body)
            changes = [
                WireChange(c["seq"], c["entity"], c["row_id"], c["op"], c.get("data"))
                for c in page["changes"]
            ]
            pulled = cls(changes, int(page["cursor"]), bool(page["has_more"]), page["server_hlc"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SyncError(f"the server sent a malformed pull page ({exc})") from None
        for change in changes:
            if (
                type(change.seq) is not int
                or change.op not in ("upsert", "remove", "version", "conflict")
                or not isinstance(change.row_id, str)
                or not (change.data is None or isinstance(change.data, dict))
            ):
                raise SyncError(f"the server sent a malformed change: {change!r}"[:300])
        return pulled


# Every byte a digit character, every other byte a dot: a run of 19 digits is the only way
# a JSON integer past 64 bits can be spelled (clocks, ids and dates have shorter runs).
_DIGITS = bytes(48 if 48 <= i <= 57 else 46 for i in range(256))
_LONG_RUN = b"0" * 19


def _loads(body: bytes) -> Any:
    """A pull page decoded by orjson (about half the time of json.loads on a page of
    follow-ups), exactly as json.loads would: orjson makes a float of an integer past 64
    bits and refuses NaN, Infinity and lone surrogates, where json.loads keeps them (and
    a row holding one is parked with the reason, never a stopped sync), so such a rare
    page is decoded by json.loads."""
    if _LONG_RUN not in body.translate(_DIGITS):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return json.loads(body)


def _detail_dict(response: httpx.Response) -> dict[str, Any]:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return {}
    return detail if isinstance(detail, dict) else {}


def _error_for(response: httpx.Response) -> SyncError:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text
    if isinstance(detail, dict):
        detail = detail.get("message") or json.dumps(detail)
    elif isinstance(detail, list):  # FastAPI's validation errors
        detail = "; ".join(
            f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}"
            for d in detail
            if isinstance(d, dict)
        )
    if response.status_code == 409:
        raw = _detail_dict(response)
        expected = raw.get("expected_seq")
        return SeqConflictError(
            str(detail),
            code=raw.get("code") if isinstance(raw.get("code"), str) else None,
            expected_seq=expected if type(expected) is int else None,
        )
    kinds = {401: AuthError, 426: VersionError}
    return kinds.get(response.status_code, SyncError)(
        f"{detail} (HTTP {response.status_code})"
        if response.status_code not in kinds
        else str(detail)
    )
