"""Provides the laptop's sync run: `login`, `sync_once(db, client)` (push, then pull) and
the recovery of a laptop restored from a backup.

A sync pushes the outbox in batches (the server answers each change; answers are recorded
and the outbox rows dropped in one transaction), then pulls pages after the cursor, each
page applied with its cursor in one transaction. HTTP, errors and the saved login are in
sync/http.py (re-exported here for callers).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crm_tui.storage import outbox
from crm_tui.sync.http import (
    PREVIOUS_MAX_PAGE,
    PULL_PAGE,
    AuthError,
    Login,
    OfflineError,
    PulledPage,
    SeqConflictError,
    SyncClient,
    SyncError,
    VersionError,
    WireChange,
    _tls_context,
    load_login,
    login_path,
    save_login,
)
from crm_tui.sync.protocol import SEQ_GAP, SEQ_REUSED, EnrolRequest, EnrolResponse, Mutation
from crm_tui.sync.protocol import PushRequest as PushRequest

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

__all__ = [
    "PREVIOUS_MAX_PAGE",
    "PULL_PAGE",
    "AuthError",
    "Login",
    "OfflineError",
    "Progress",
    "PulledPage",
    "SeqConflictError",
    "SyncClient",
    "SyncError",
    "SyncReport",
    "VersionError",
    "WireChange",
    "_tls_context",
    "load_login",
    "login",
    "login_path",
    "outbox_mutations",
    "pull_changes",
    "push_outbox",
    "renew_device",
    "save_login",
    "sync_once",
]

Progress = Callable[[str, int, int | None], None]
# Second-generation collections between full ones while pulling (launch.GEN2_THRESHOLD).
FULL_COLLECTIONS_AFTER = 10_000


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
    previous = db.state(outbox.USER_ID_KEY)
    if previous and previous != answer.user_id:
        # Another user on this file: the server binds a clock node id to its first user.
        db.new_clock_node()
    for key, value in (
        (outbox.SERVER_URL_KEY, url),
        (outbox.USER_ID_KEY, answer.user_id),
        (outbox.USER_NAME_KEY, answer.user_name),
        (outbox.ROLE_KEY, answer.role),
        (outbox.SERVER_DEVICE_ID_KEY, answer.device_id),
        (outbox.CURSOR_KEY, "0"),
        (outbox.LAST_SYNC_ERROR_KEY, None),
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
    rejections: list[str] = field(default_factory=list)  # "entity row_id: reason"
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (entity, row_id, reason)
    parked: int = 0  # pulled rows this laptop could not apply (listed by services.sync)
    notes: list[str] = field(default_factory=list)  # what else happened, one line each

    def summary(self) -> str:
        text = (
            f"pushed {self.pushed}, pulled {self.pulled}, conflicts {self.conflicts}, "
            f"rejected {self.rejected}"
        )
        if self.parked:
            text += f", {self.parked} pulled rows parked (see the conflicts view)"
        return "; ".join([text, *self.notes])


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
        # Named by the record (a mutation id is nothing `crm show` can find).
        sent = {m.mutation_id: m for m in mutations}
        for r in response.results:
            if (r.first_status or r.status) == "rejected" and r.mutation_id in sent:
                m = sent[r.mutation_id]
                report.refused.append((m.entity, m.row_id, r.reason or ""))
                report.rejections.append(f"{m.entity} {m.row_id}: {r.reason}")
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
    from crm_tui.storage import pull_store

    pages = 0
    # Full collections rare while pulling (young ones still run): each decoded page
    # outlives the young generations, and a full pass walked the whole heap every few
    # pages (a tenth of the page writes' CPU, py-spy at 100k). The app sets the same.
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, max(full, FULL_COLLECTIONS_AFTER))
    try:
        pages = _pull_pages(db, client, report, page=page, progress=progress)
    finally:
        gc.set_threshold(young, middle, full)
        if pages > 1:
            # What the pages left in cycles goes before the indexes are built: their
            # memory is reused there instead of adding to the peak (a first sync's RSS).
            gc.collect()
        pull_store.end_pull(db)


def _pull_pages(
    db: Database, client: SyncClient, report: SyncReport, *, page: int, progress: Progress | None
) -> int:
    """Fetch and apply the pages; returns how many were applied (end_pull is the caller's)."""
    from concurrent.futures import ThreadPoolExecutor

    from crm_tui.storage import pull_store, sync_store

    after = int(db.state(pull_store.CURSOR_KEY) or 0)
    # Rows parked last time because they could not be applied get another chance first.
    report.pulled += pull_store.retry_parked(db)
    pull_store.begin_pull(db)
    # The page ahead waits as bytes and is decoded here, once this one is written: one
    # decoded page in memory, not two (decoding holds the GIL wherever it runs). A client
    # without `pull_body` (a wrapper) fetches decoded pages.
    fetch = getattr(client, "pull_body", None)
    decode = PulledPage.from_json if fetch is not None else _as_is
    fetch = fetch or client.pull_page
    ahead = ThreadPoolExecutor(1, thread_name_prefix="crm-pull")
    applied = 0
    try:
        fetching = ahead.submit(fetch, after, page)
        while True:
            response = None  # the page written last goes before the next is decoded
            response = decode(fetching.result())
            more = response.has_more and response.cursor > after
            fetching = ahead.submit(fetch, response.cursor, page) if more else None
            report.pulled += pull_store.apply_page(db, response.changes, response.cursor, bulk=True)
            applied += 1
            # A value of this rep overwritten on the server (storage/conflict_notices.py).
            report.conflicts += sum(c.op == "conflict" for c in response.changes)
            sync_store.observe_clock(db, response.server_hlc)
            after = max(after, response.cursor)
            report.cursor = after
            if progress:
                progress("pull", report.pulled, None)
            if fetching is None:
                return applied
    finally:
        # A page fetched ahead of a failure is dropped; its request is not waited for.
        ahead.shutdown(wait=False, cancel_futures=True)


def _as_is(page: PulledPage) -> PulledPage:
    return page


RENEWED = (
    "this laptop's changes were already used by another copy (restored backup?); "
    "re-registered as a new device and pushed {n} pending changes"
)


def renewable(exc: SeqConflictError) -> bool:
    """A 409 the laptop can recover from by becoming a new device: a seq another copy of
    this file already used, or a gap nothing on this laptop explains. (An older server's
    409 without a code stands as before.)"""
    return exc.code in (SEQ_REUSED, SEQ_GAP)


def renew_device(db: Database, client: SyncClient) -> int:
    """Re-register this laptop as a new device of the same account (its token is still
    valid: no enrolment code), save the new login (0600), renumber the pending changes
    1..n for the new device's sequence; returns n. Raises `SyncError` if the server
    refuses."""
    answer = client.renew()
    old = load_login(db.path)
    url = old.server_url if old else client.base_url
    save_login(db.path, Login(url, answer.token, answer.device_id))
    with db.transaction() as s:
        pending = outbox.renumber(s)
        db.write_state(s, outbox.SERVER_DEVICE_ID_KEY, answer.device_id)
    return pending


def sync_once(
    db: Database,
    client: SyncClient,
    *,
    batch: int = 200,
    page: int = PULL_PAGE,
    progress: Progress | None = None,
) -> SyncReport:
    """Push everything pending, then pull everything new; records the outcome in db.state
    ('online', 'last_sync_at', 'last_sync_error') for the status bar.

    On a 409 saying this laptop's change numbers were already used (a restored backup or a
    copied file), it re-registers as a new device, renumbers its pending changes and pushes
    them once; `report.notes` says so. If that fails, the 409 stands."""
    from crm_tui.storage import pull_store

    report = SyncReport()
    started = time.perf_counter()
    try:
        try:
            push_outbox(db, client, report, batch=batch, progress=progress)
        except SeqConflictError as exc:
            if not renewable(exc):
                raise
            try:
                pending = renew_device(db, client)
            except SyncError:
                raise exc from None
            push_outbox(db, client, report, batch=batch, progress=progress)
            report.notes.append(RENEWED.format(n=pending))
        pull_changes(db, client, report, page=page, progress=progress)
    except SyncError as exc:
        db.set_state(outbox.ONLINE_KEY, "0" if isinstance(exc, OfflineError) else "1")
        db.set_state(outbox.LAST_SYNC_ERROR_KEY, str(exc))
        raise
    report.parked = pull_store.parked_count(db)
    db.set_state(outbox.ONLINE_KEY, "1")
    db.set_state(outbox.LAST_SYNC_ERROR_KEY, None)
    db.set_state(outbox.LAST_SYNC_AT_KEY, db.clock.now().isoformat())
    report.seconds = time.perf_counter() - started
    return report
