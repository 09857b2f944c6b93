"""A laptop of this release asks for 5,000-change pages; a server of the previous release
caps pages at 2,000 and answers 422. The laptop must still sync, at the server's size."""

from __future__ import annotations

import json

import httpx
import pytest

from crm_tui.sync.client import PREVIOUS_MAX_PAGE, PULL_PAGE, SyncClient, SyncError


def _old_server(asked: list[int], *, refuse_all: bool = False) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        asked.append(limit)
        if limit > PREVIOUS_MAX_PAGE or refuse_all:
            detail = [{"loc": ["query", "limit"], "msg": "should be <= 2000"}]
            return httpx.Response(422, json={"detail": detail})
        page = {"changes": [], "cursor": 7, "has_more": False, "server_hlc": "0"}
        return httpx.Response(200, content=json.dumps(page).encode())

    return httpx.MockTransport(handle)


def test_a_smaller_page_is_asked_for_once_an_older_server_refuses_the_size() -> None:
    asked: list[int] = []
    client = SyncClient("http://old-server", "token", transport=_old_server(asked))
    assert client.pull_page(0, PULL_PAGE).cursor == 7
    assert client.pull_page(7, PULL_PAGE).cursor == 7
    assert asked == [PULL_PAGE, PREVIOUS_MAX_PAGE, PREVIOUS_MAX_PAGE]


def test_a_refusal_that_is_not_the_page_size_still_fails_with_its_reason() -> None:
    asked: list[int] = []
    client = SyncClient("http://old-server", "token", transport=_old_server(asked, refuse_all=True))
    with pytest.raises(SyncError, match="HTTP 422"):
        client.pull_page(0, PULL_PAGE)
    assert asked == [PULL_PAGE, PREVIOUS_MAX_PAGE]  # one smaller try, then the error
