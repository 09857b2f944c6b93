"""Issue 21: a pull page is decoded by orjson, but to exactly what json.loads gives — a JSON
integer past 64 bits stays an integer (orjson would make it a float, and a garbage amount
would be stored instead of the row being parked), and NaN, Infinity and lone surrogates
still decode (a row holding one is parked with the reason, never a refused page)."""

from __future__ import annotations

import json

import pytest

from crm_tui.sync.http import PulledPage, SyncError


def _page(fields: str) -> bytes:
    return (
        '{"changes":[{"seq":7,"entity":"expense","row_id":"e-1","op":"upsert","data":'
        '{"fields":' + fields + ',"owner_id":"u-1","deleted":false,"version":7}},'
        '{"seq":8,"entity":"customer","row_id":"c-1","op":"remove","data":null}],'
        '"cursor":8,"has_more":false,"server_hlc":"0000000000000009-000000-node"}'
    ).encode()


@pytest.mark.parametrize(
    "fields",
    [
        '{"amount": 12300, "note": "差旅 \\u4e2d"}',
        '{"amount": 1000000000000000000000000000000}',  # 10**30
        '{"amount": -9223372036854775809}',  # one below SQLite's smallest INTEGER
        '{"amount": 18446744073709551616}',  # 2**64
        '{"lines": [[1, 100000000000000000000000]]}',  # nested
        '{"amount": NaN, "rate": Infinity}',
        '{"note": "\\ud800"}',  # a lone surrogate
        '{"amount": 1.5e300, "tiny": 5e-324}',
    ],
)
def test_a_page_decodes_to_what_json_loads_gives(fields: str) -> None:
    body = _page(fields)
    page = PulledPage.from_json(body)
    expected = json.loads(body)
    assert page.cursor == 8 and page.has_more is False
    assert page.server_hlc == expected["server_hlc"]
    upsert, remove = page.changes
    got, want = upsert.data["fields"], expected["changes"][0]["data"]["fields"]
    # NaN != NaN: compare the JSON text (json.dumps writes NaN back as NaN).
    assert json.dumps(got) == json.dumps(want)
    assert [type(v) for v in got.values()] == [type(v) for v in want.values()]
    assert (remove.op, remove.row_id, remove.data) == ("remove", "c-1", None)


def test_a_huge_integer_in_a_pulled_amount_stays_an_integer() -> None:
    page = PulledPage.from_json(_page('{"amount": 1000000000000000000000000000000}'))
    assert page.changes[0].data["fields"]["amount"] == 10**30


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"changes": [], "cursor": 1}',
        b'{"changes": [{"seq": 1.5, "entity": "customer", "row_id": "c", "op": "upsert"}],'
        b' "cursor": 1, "has_more": false, "server_hlc": "x"}',
        b'{"changes": [{"seq": 1, "entity": "customer", "row_id": "c", "op": "explode"}],'
        b' "cursor": 1, "has_more": false, "server_hlc": "x"}',
    ],
)
def test_a_malformed_page_is_one_sync_error(body: bytes) -> None:
    with pytest.raises(SyncError, match="malformed"):
        PulledPage.from_json(body)
