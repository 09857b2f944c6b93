"""Provides the laptop's sync: `SyncClient` (HTTP with retries) and `sync_once(db, client)`.

A sync pushes the outbox in batches (the server answers each change; answers are recorded
and the outbox rows dropped in one transaction), then pulls pages after the cursor, each
page applied with its cursor in one transaction. The login (device token) is kept next to
the database it belongs to, readable by its owner only.
"""

from __future__ import annotations

import functools
import json
import os
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from crm_tui.sync.protocol import (
    EnrolRequest,
    EnrolResponse,
    Mutation,
    PullResponse,
    PushRequest,
    PushResponse,
    version_headers,
)

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

Progress = Callable[[str, int, int | None], None]
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
    """409: the outbox does not continue this device's sequence (restored backup?)."""


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
        limit = min(limit, self.max_page)
        try:
            response = self._request("GET", "/sync/pull", params={"after": after, "limit": limit})
        except SyncError as exc:
            # A server of the previous release caps pages lower and answers 422: ask for
            # its size from now on rather than failing every sync.
            if "HTTP 422" not in str(exc) or limit <= PREVIOUS_MAX_PAGE:
                raise
            self.max_page = PREVIOUS_MAX_PAGE
            return self.pull_page(after, limit)
        return PulledPage.from_json(response.content)


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
            page = json.loads(body)
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
                or change.op not in ("upsert", "remove")
                or not isinstance(change.row_id, str)
                or not (change.data is None or isinstance(change.data, dict))
            ):
                raise SyncError(f"the server sent a malformed change: {change!r}"[:300])
        return pulled


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
    kinds = {401: AuthError, 426: VersionError, 409: SeqConflictError}
    return kinds.get(response.status_code, SyncError)(
        f"{detail} (HTTP {response.status_code})"
        if response.status_code not in kinds
        else str(detail)
    )


def login(
    db: Database,
    url: str,
    *,
    user: str,
    code: str,
    device_name: str = "laptop",
    client: SyncClient | None = None,
) -> EnrolResponse:
    """Exchange an enrolment code for this database's device token and remember who signed
    in (db.state: server_url, user_id, user_name, role); the pull starts from scratch."""
    from crm_tui.storage import sync_store

    request = EnrolRequest(
        user=user,
        code=code,
        device_name=device_name[:100],
        last_client_seq=sync_store.spent_client_seq(db),
    )
    own = client is None
    client = client or SyncClient(url, retries=2)
    try:
        answer = client.enrol(request)
    finally:
        if own:
            client.close()
    url = url.rstrip("/")
    save_login(db.path, Login(url, answer.token, answer.device_id))
    for key, value in (
        ("server_url", url),
        ("user_id", answer.user_id),
        ("user_name", answer.user_name),
        ("role", answer.role),
        ("server_device_id", answer.device_id),
        (sync_store.CURSOR_KEY, "0"),
        ("last_sync_error", None),
    ):
        db.set_state(key, value)
    sync_store.observe_clock(db, answer.server_hlc)
    return answer


# --- one sync ------------------------------------------------------------------------------
@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    duplicates: int = 0
    cursor: int = 0
    seconds: float = 0.0
    rejections: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"pushed {self.pushed}, pulled {self.pulled}, conflicts {self.conflicts}, "
            f"rejected {self.rejected}"
        )


def outbox_mutations(db: Database, limit: int) -> list[Mutation]:
    """The oldest `limit` pending changes as the wire carries them (not validated again
    here: the outbox was written by this app, and the server checks every change)."""
    from crm_tui.storage import sync_store

    return [
        Mutation.model_construct(
            client_seq=r.client_seq,
            mutation_id=r.mutation_id,
            entity=r.entity,
            row_id=r.row_id,
            kind=r.kind,
            payload=r.payload,
            base_version=r.base_version,
            hlc=r.hlc,
        )
        for r in sync_store.outbox_batch(db, limit)
    ]


def push_outbox(
    db: Database,
    client: SyncClient,
    report: SyncReport,
    *,
    batch: int = 200,
    progress: Progress | None = None,
) -> None:
    from crm_tui.storage import sync_store

    total = db.pending_changes()
    while True:
        mutations = outbox_mutations(db, batch)
        if not mutations:
            return
        try:
            response = client.push(PushRequest(mutations=mutations))
        except SyncError as exc:
            sync_store.note_push_failure(db, [m.client_seq for m in mutations], str(exc))
            raise
        outcome = sync_store.apply_push_results(db, mutations, response.results)
        sync_store.observe_clock(db, response.server_hlc)
        report.pushed += len(response.results)
        report.conflicts += outcome.conflicts
        report.rejected += outcome.rejected
        report.duplicates += outcome.duplicates
        report.rejections += [
            f"{r.mutation_id}: {r.reason}"
            for r in response.results
            if (r.first_status or r.status) == "rejected"
        ]
        if progress:
            progress("push", report.pushed, total)
        if len(response.results) < len(mutations):
            raise SyncError("the server answered only part of a push")


def pull_changes(
    db: Database,
    client: SyncClient,
    report: SyncReport,
    *,
    page: int = PULL_PAGE,
    progress: Progress | None = None,
) -> None:
    """Pull every page after the saved cursor, each applied with its cursor in one
    transaction. The next page is fetched while this one is written (the request needs only
    the cursor the server answered), so the server's work and the laptop's overlap; a page
    fetched ahead is dropped unapplied if writing this one fails."""
    from concurrent.futures import ThreadPoolExecutor

    from crm_tui.storage import pull_store, sync_store

    after = int(db.state(pull_store.CURSOR_KEY) or 0)
    pull_store.begin_pull(db)
    ahead = ThreadPoolExecutor(1, thread_name_prefix="crm-pull")
    try:
        fetching = ahead.submit(client.pull_page, after, page)
        while True:
            response = fetching.result()
            more = response.has_more and response.cursor > after
            if more:
                fetching = ahead.submit(client.pull_page, response.cursor, page)
            report.pulled += pull_store.apply_page(db, response.changes, response.cursor, bulk=True)
            sync_store.observe_clock(db, response.server_hlc)
            after = max(after, response.cursor)
            report.cursor = after
            if progress:
                progress("pull", report.pulled, None)
            if not more:
                return
    finally:
        # A page fetched ahead of a failure is dropped; its request is not waited for.
        ahead.shutdown(wait=False, cancel_futures=True)
        pull_store.end_pull(db)


def sync_once(
    db: Database,
    client: SyncClient,
    *,
    batch: int = 200,
    page: int = PULL_PAGE,
    progress: Progress | None = None,
) -> SyncReport:
    """Push everything pending, then pull everything new; records the outcome in db.state
    ('online', 'last_sync_at', 'last_sync_error') for the status bar."""
    report = SyncReport()
    started = time.perf_counter()
    try:
        push_outbox(db, client, report, batch=batch, progress=progress)
        pull_changes(db, client, report, page=page, progress=progress)
    except SyncError as exc:
        db.set_state("online", "0" if isinstance(exc, OfflineError) else "1")
        db.set_state("last_sync_error", str(exc))
        raise
    db.set_state("online", "1")
    db.set_state("last_sync_error", None)
    db.set_state("last_sync_at", db.clock.now().isoformat())
    report.seconds = time.perf_counter() - started
    return report
