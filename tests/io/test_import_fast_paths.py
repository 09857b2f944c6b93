"""The import's fast paths give what the general paths give: compiled field parsers, the
cached pinyin sort key, the one-pass search text, and the bulk writer's stored rows, outbox
payloads and search documents (equal to a record made through the repository)."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from crm_tui.domain.field_parsers import values_parser
from crm_tui.domain.field_values import FieldError, InputContext, compile_parser, parse_value
from crm_tui.domain.fields import ENTITIES, ValidationErrors, parse_values
from crm_tui.domain.search_text import _CJK, index_text
from crm_tui.io.csv_import import import_csv
from crm_tui.storage.search import pinyin_key
from crm_tui.storage.sort_keys import sort_key

# The per-part indexing the one-pass index_text replaced, as its reference.
_RUN_RE = re.compile(f"[{_CJK}]+|[^\\W_]+", re.UNICODE)
_CJK_RE = re.compile(f"^[{_CJK}]+$")

TEXTS = [
    "", "  ", "Acme", "  Acme  ", "x" * 201, " " + "x" * 200 + " ", "\ud800bad", "张伟",
    "potential", "POTENTIAL", "Company", "nope", "a@b.cn", "a@b", "ann@x.co.uk ",
    "138 0013 8000", "+86 (10) 8888-1234 ext 12", "010-1234 转 5", "12", "1" * 21, "１２３４",
    "12345678901", "acme.cn", "https://acme.cn/x?y=1", "not a url", "vip,key", "vip key vip",
    "+a,，b VIP vip", "a\tb", ",", "42", "-3", "101", "50%", "1000000001", "yes", "否", "maybe",
    "2024-02-29", "2024-02-30", "1899-12-31", "fri", "0/0/00", "USD 120", "12.5", "CNY",
    "2026-11-30 14:30", "\u3000张伟\u3000", "张" * 201, " " + "张" * 200 + " ", "北京\ud800",
    "重庆 ", "vip,重点", "ＶＩＰ", "é@x.cn",
]  # fmt: skip


def _outcome(call, *args):
    try:
        return ("ok", call(*args))
    except FieldError as exc:
        return ("error", exc.field, exc.message)
    except ValidationErrors as exc:
        return ("errors", [(e.field, e.message) for e in exc.errors])


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_compiled_parsers_give_what_parse_value_gives(entity) -> None:
    ctx = InputContext()
    for spec in ENTITIES[entity].fields:
        parse = compile_parser(spec)
        for text in TEXTS:
            assert _outcome(parse, text, ctx) == _outcome(parse_value, spec, text, ctx), (
                spec.name,
                text,
            )


@pytest.mark.parametrize("entity", ["customer", "contact", "activity", "opportunity"])
def test_compiled_rows_give_what_parse_values_gives(entity) -> None:
    ctx = InputContext()
    names = [f.name for f in ENTITIES[entity].fields] + ["no_such_field"]
    rnd = random.Random(entity)
    for _ in range(400):
        raw = {name: rnd.choice(TEXTS) for name in rnd.sample(names, rnd.randint(1, 6))}
        assert _outcome(values_parser(entity), raw, ctx) == _outcome(
            parse_values, entity, raw, ctx
        ), raw


def test_sort_key_equals_pypinyin_on_dictionary_phrases_and_mixed_text() -> None:
    from pypinyin.constants import PHRASES_DICT

    phrases = sorted(PHRASES_DICT)
    rnd = random.Random(21)
    extra = list("重长行乐〇的了 abcＡ1２，。・-") + ["\U00020000", "Zhao Ltd"]
    names = []
    for _ in range(3000):
        parts = [rnd.choice(phrases) for _ in range(rnd.randint(1, 4))]
        parts += [rnd.choice(extra) for _ in range(rnd.randint(0, 3))]
        rnd.shuffle(parts)
        names.append("".join(parts))
    names += [n + "1" for n in names[:200]]  # the same runs again, from the cache
    assert [sort_key(n) for n in names] == [pinyin_key(n) for n in names]


def _index_text_per_part(parts) -> str:
    """The index body as it was built before: each part normalized and split alone."""
    tokens: list[str] = []
    for part in parts:
        if not part:
            continue
        for run in _RUN_RE.findall(unicodedata.normalize("NFKC", part)):
            if _CJK_RE.match(run) and len(run) > 1:
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
                tokens.append(run[-1])
            else:
                tokens.append(run)
    return " ".join(tokens)


def test_search_text_of_a_record_equals_indexing_its_fields_one_by_one() -> None:
    rnd = random.Random(5)
    pool = list("北京abc Z1２３，。・ーあカ한국_-\u0301\u00a8\u1100\u1161ｶﾞ①Ａx.@\n中") + ["ﬁ"]
    for _ in range(5000):
        parts = [
            "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 8)))
            if rnd.random() > 0.2
            else None
            for _ in range(rnd.randint(0, 5))
        ]
        assert index_text(parts) == _index_text_per_part(parts), parts


def _rows(path: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


MADE_HERE = {"id", "created_at", "updated_at", "field_hlc"}


def test_an_imported_customer_is_stored_queued_and_indexed_as_the_repository_does(
    db, write
) -> None:
    values = {
        "name": "重庆银行 Ltd", "kind": "person", "status": "potential", "grade": "A",
        "phone": "138 0013 8000", "email": "a@b.cn", "city": "重庆", "tags": "vip key",
        "birthday": "1980-02-03", "website": "acme.cn", "notes": "年底有采购计划",
    }  # fmt: skip
    made = db.repos.customers.create(dict(values))
    csv_text = ",".join(values) + "\n" + ",".join(values.values()) + "\n"
    result, _plan = import_csv(db, write("c.csv", csv_text), "customer", on_duplicate="create")
    assert result.created == 1, result.rejected
    rows = _rows(db.path, "SELECT * FROM customer ORDER BY rowid")
    assert rows[0]["id"] == made.id
    assert {k: v for k, v in rows[1].items() if k not in MADE_HERE} == {
        k: v for k, v in rows[0].items() if k not in MADE_HERE
    }
    assert rows[1]["birthday"] == "1980-02-03" and rows[1]["tags"] == "vip,key"
    stored = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")  # as SQLAlchemy writes
    assert all(stored.match(r[k]) for r in rows for k in ("created_at", "updated_at"))
    assert set(json.loads(rows[1]["field_hlc"])) == set(json.loads(rows[0]["field_hlc"]))
    outbox = _rows(db.path, "SELECT row_id, kind, payload FROM outbox ORDER BY client_seq")
    assert [(o["row_id"], o["kind"]) for o in outbox] == [(r["id"], "create") for r in rows]
    assert json.loads(outbox[1]["payload"]) == _sent(outbox[0]["payload"])
    bodies = _rows(
        db.path,
        "SELECT d.row_id, f.body FROM search_doc d JOIN search_fts f ON f.rowid = d.docid",
    )
    by_id = {b["row_id"]: b["body"] for b in bodies}
    assert by_id[rows[1]["id"]] == by_id[rows[0]["id"]]


def test_an_imported_contact_is_stored_and_queued_as_the_repository_does(db, write) -> None:
    acme = db.repos.customers.create({"name": "北京华信科技有限公司"})
    values = {"name": "张伟", "title": "经理", "mobile": "13800138000", "birthday": "1990-05-06"}
    made = db.repos.contacts.create({**values, "customer_id": acme.id})
    csv_text = "customer_id," + ",".join(values) + "\n" + acme.id + "," + ",".join(values.values())
    result, _plan = import_csv(db, write("k.csv", csv_text), "contact", on_duplicate="create")
    assert result.created == 1, result.rejected
    rows = _rows(db.path, "SELECT * FROM contact ORDER BY rowid")
    assert rows[0]["id"] == made.id
    assert {k: v for k, v in rows[1].items() if k not in MADE_HERE} == {
        k: v for k, v in rows[0].items() if k not in MADE_HERE
    }
    outbox = _rows(db.path, "SELECT payload FROM outbox WHERE entity = 'contact'")
    assert json.loads(outbox[1]["payload"]) == _sent(outbox[0]["payload"])


def _sent(payload: str) -> dict:
    """A repository create's payload as the import sends it: the same, nulls included (a
    field missing from the server's copy would keep a lost edit in a laptop's row:
    tests/io/test_import_sync.py)."""
    return json.loads(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "重庆银行 Ltd", "tags": "vip,key", "locked": False, "owner_id": None},
        {"amount": 2**70, "name": "big"},  # past 64 bits: orjson refuses, json writes it
        {"name": "\ud800bad"},  # a lone surrogate: orjson refuses
        {"clv": float("nan"), "risk": float("inf")},  # orjson would write null
        {"probability": 0.1, "amount": -3, "x": 1e16, "y": [1, "二"], "z": {"a": None}},
        {"quote": '"\\\n\t\u2028', "emoji": "👍🏻"},
    ],
)
def test_a_queued_payload_reads_back_as_json_dumps_writes_it(payload) -> None:
    from crm_tui.storage.bulk import payload_json

    text = payload_json(payload)
    # Told which keys may hold floats (what BulkWriter knows from the model): the same text.
    assert payload_json(payload, [k for k, v in payload.items() if type(v) is float]) == text
    assert json.loads(text) == json.loads(json.dumps(payload, ensure_ascii=False)) or (
        payload.get("clv") != payload.get("clv") and text == json.dumps(payload)
    )


def test_imported_records_take_the_clock_values_one_tick_each_would(db, write) -> None:
    from crm_tui.domain.hlc import Timestamp

    made = db.repos.customers.create({"name": "before"})
    before = Timestamp.decode(db.state("last_hlc"))
    lines = "".join(f"客户{i},138{i:08d}\n" for i in range(2500))  # two chunks
    result, _plan = import_csv(db, write("c.csv", "name,phone\n" + lines), "customer")
    assert result.created == 2500
    after = db.repos.customers.create({"name": "after"})
    stamps = [r["hlc"] for r in _rows(db.path, "SELECT hlc FROM outbox ORDER BY client_seq")]
    assert stamps[0] == before.encode() and made.id and after.id
    # The test clock stands still: each tick is the previous counter + 1 on one node.
    assert stamps[:-1] == [
        Timestamp(before.wall_ms, before.counter + i, before.node).encode()
        for i in range(len(stamps) - 1)
    ]
    assert stamps[-1] > stamps[-2]  # the next edit orders after every imported record
    stored = _rows(db.path, "SELECT id, field_hlc FROM customer ORDER BY rowid")
    by_row = dict(_rows_pairs(db.path, "SELECT row_id, hlc FROM outbox"))
    assert all(json.loads(r["field_hlc"]) == {"*": by_row[r["id"]]} for r in stored)
    assert db.state("last_hlc") == stamps[-1]  # persisted


def test_a_clock_counter_near_its_six_digits_is_ticked_one_by_one(db) -> None:
    from crm_tui.domain.hlc import Timestamp
    from crm_tui.storage.bulk import BulkWriter

    ahead = db.hlc.wall() + 10**6  # the clock behind the last stamp: the counter counts
    db.hlc.last = Timestamp(ahead, 999_990, db.hlc.node)
    with db.transaction() as session:
        stamps = BulkWriter(db, session, "customer")._stamps(20)
    # Past 999,999 the clock moves on a millisecond, as HybridClock.tick does: six digits,
    # in issue order as text (a seventh digit sorted wrongly and failed the protocol).
    node = db.hlc.node
    expected = [Timestamp(ahead, 999_991 + i, node).encode() for i in range(9)]
    expected += [Timestamp(ahead + 1, i, node).encode() for i in range(11)]
    assert stamps == expected == sorted(stamps)
    assert db.hlc.last == Timestamp(ahead + 1, 10, node)


def _rows_pairs(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()
