"""services/sync.py against a real `crm server`: sign in, sync now, status counts."""

from __future__ import annotations

import uuid

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.services import sync as sync_service
from crm_tui.services.book import Book


def test_sign_in_sync_and_status_through_the_service(server, tmp_path) -> None:  # noqa: ANN001
    name = f"svc-{uuid.uuid4().hex[:8]}"
    code = server.add_user(name)
    book = Book.open(tmp_path / "svc.db", Clock())
    try:
        assert not sync_service.is_signed_in(book)
        with pytest.raises(sync_service.AuthError):
            sync_service.sync_now(book)  # not signed in: a sentence, not a traceback
        answer = sync_service.login(book, server.url, user=name, code=code)
        assert answer.user_name == name and sync_service.is_signed_in(book)
        book.db.repos.customers.create({"name": "Service Co"})
        assert sync_service.status(book).pending == 1
        report = sync_service.sync_now(book)
        assert report.pushed == 1 and "pushed 1" in report.summary()
        status = sync_service.status(book)
        assert (status.pending, status.conflicts, status.parked) == (0, 0, 0)
        assert status.online is True and status.last_error is None and status.last_sync_at
        assert status.user_name == name and status.server_url == server.url
    finally:
        book.close()
