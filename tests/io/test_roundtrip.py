"""Export then import gives the same records: CSV for every importable type, vCard, backup."""

from __future__ import annotations

import io
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_tui.domain.dates import Clock
from crm_tui.io.csv_export import export_csv, stored_rows
from crm_tui.io.csv_import import import_csv
from crm_tui.storage.database import open_database

CLOCK = Clock(
    fixed=datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    zone=ZoneInfo("Asia/Shanghai"),
)
# Derived bookkeeping that a new database makes afresh (its own clocks and write times).
VOLATILE = {"created_at", "updated_at", "field_hlc"}
ORDER = ("customer", "contact", "opportunity", "activity")

_alphabet = st.sampled_from(
    list("abcXYZ 019")
    + list("张伟北京华信科技有限公司重庆长乐")
    + list(",\"';|\t\n")
    + ["\r\n", "，"]
)
text = st.lists(_alphabet, min_size=1, max_size=25).map("".join).filter(lambda s: s.strip())
maybe = lambda strategy: st.none() | strategy  # noqa: E731
phone = st.from_regex(r"\+?[0-9]{3,4}[ -]?[0-9]{4,8}", fullmatch=True)
email = st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.(cn|com)", fullmatch=True)
day = st.dates(min_value=date(1950, 1, 1), max_value=date(2040, 12, 31))
tags = st.lists(st.sampled_from(["vip", "cold", "出口", "a-b"]), max_size=3, unique=True)

customer = st.fixed_dictionaries(
    {"name": text},
    optional={
        "kind": st.sampled_from(["company", "person"]),
        "status": st.sampled_from(["potential", "contacted", "closed", "lost"]),
        "grade": st.sampled_from(["A", "B", "C"]),
        "city": text,
        "address": text,
        "notes": text,
        "industry": text,
        "phone": phone,
        "email": email,
        "birthday": day,
        "tags": tags.map(",".join),
    },
)
contact = st.fixed_dictionaries(
    {"name": text},
    optional={
        "title": text,
        "mobile": phone,
        "phone": phone,
        "email": email,
        "birthday": day,
        "notes": text,
    },
)
deal = st.fixed_dictionaries(
    {
        "title": text,
        "amount": st.tuples(st.integers(0, 10**9), st.sampled_from(["CNY", "USD", "JPY", "KWD"])),
    },
    optional={
        "stage": st.sampled_from(["lead", "qualified", "proposal"]),
        "expected_close": day,
        "next_step": text,
        "probability": st.integers(0, 100),
    },
)
followup = st.fixed_dictionaries(
    {"subject": text},
    optional={
        "kind": st.sampled_from(["call", "visit", "email"]),
        "notes": text,
        "due_at": st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)),
        "outcome": text,
    },
)
dataset = st.lists(
    st.tuples(
        customer,
        st.lists(contact, max_size=2),
        st.lists(deal, max_size=2),
        st.lists(followup, max_size=2),
    ),
    min_size=1,
    max_size=4,
)


def _fill(db, data) -> None:
    repos = db.repos
    for cust, contacts, deals, followups in data:
        c = repos.customers.create(cust)
        for values in contacts:
            repos.contacts.create(values | {"customer_id": c.id})
        for values in deals:
            minor, currency = values["amount"]
            repos.opportunities.create(
                values | {"customer_id": c.id, "amount": minor, "currency": currency}
            )
        for values in followups:
            values = dict(values)
            if "due_at" in values:
                values["due_at"] = values["due_at"].replace(tzinfo=ZoneInfo("UTC"))
            repos.activities.create(values | {"customer_id": c.id})


def _records(db, entity: str) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in stored_rows(db, entity)]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=dataset)
def test_csv_export_then_import_gives_the_same_records(data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = open_database(Path(tmp) / "a.db", CLOCK)
        target = open_database(Path(tmp) / "b.db", CLOCK)
        _fill(source, data)
        for entity in ORDER:
            buf = io.StringIO(newline="")
            export_csv(source, entity, buf)
            path = Path(tmp) / f"{entity}.csv"
            path.write_text(buf.getvalue(), encoding="utf-8-sig", newline="")
            result, _plan = import_csv(target, path, entity)
            assert not result.rejected, result.rejected
            assert _records(target, entity) == _records(source, entity)
            assert entity != "customer" or len(_records(target, entity)) == len(data)
        source.close()
        target.close()


def test_importing_our_own_export_again_finds_every_record_a_duplicate(db, tmp_path) -> None:
    c = db.repos.customers.create({"name": 'Acme, "Big" Ltd', "city": "北京"})
    db.repos.contacts.create({"customer_id": c.id, "name": "张伟"})
    for entity in ("customer", "contact"):
        path = tmp_path / f"{entity}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            export_csv(db, entity, fh)
        result, _plan = import_csv(db, path, entity)
        assert result.created == 0 and len(result.duplicates) == 1


_messy = st.lists(
    st.sampled_from(
        [
            "name",
            "phone",
            "客户名称",
            ",",
            ";",
            "\t",
            '"',
            "\n",
            "\r",
            "\x00",
            "\xff",
            "é",
            "Acme",
            "13800138000",
            "2026-02-30",
            "abc",
            " ",
        ]
    ),
    max_size=40,
).map(lambda parts: "".join(parts))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_messy, encoding=st.sampled_from(["utf-8", "gb18030", "latin-1"]))
def test_any_messy_file_gives_a_result_or_a_clear_refusal(text, encoding) -> None:
    from crm_tui.io.results import ImportFailed

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "m.db", CLOCK)
        path = Path(tmp) / "m.csv"
        path.write_bytes(text.encode(encoding, errors="replace"))
        try:
            result, _plan = import_csv(db, path, "customer")
        except ImportFailed as exc:
            assert str(exc) and "\n" not in str(exc)
            assert db.repos.customers.count() == 0
        else:
            assert db.repos.customers.count() == result.created
            assert result.rows == result.created + len(result.rejected) + len(result.duplicates)
        db.close()


_card_parts = st.lists(
    st.sampled_from(
        [
            "BEGIN:VCARD\r\n",
            "END:VCARD\r\n",
            "VERSION:3.0\r\n",
            "FN:张伟\r\n",
            "N:张;伟;;;\r\n",
            "ORG:Acme\r\n",
            "TEL;TYPE=CELL:138\r\n",
            "TEL:abc\r\n",
            "EMAIL:x@\r\n",
            "BDAY:2026-02-30\r\n",
            "ADR:;;;\r\n",
            "NOTE:a\\,b\r\n",
            "UID:xyz\r\n",
            "PHOTO:abc\r\n",
            ";;;\r\n",
            " folded\r\n",
            "\x00",
        ]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_card_parts)
def test_any_messy_vcard_file_gives_a_result_or_a_clear_refusal(text) -> None:
    from crm_tui.io.results import ImportFailed
    from crm_tui.io.vcard import import_vcard

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "v.db", CLOCK)
        path = Path(tmp) / "m.vcf"
        path.write_text(text, encoding="utf-8")
        try:
            customers, contacts = import_vcard(db, path)
        except ImportFailed as exc:
            assert str(exc) and db.repos.customers.count() == 0
        else:
            assert db.repos.contacts.count() == contacts.created
            assert db.repos.customers.count() == customers.created + contacts.customers_created
        db.close()
