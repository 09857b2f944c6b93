"""services/transfer.py: the import screen's preview and import, and the calendar export."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_tui.services import records, transfer
from crm_tui.services.book import Book


@pytest.fixture
def book(db):  # noqa: ANN001, ANN201 - the suite's Database, as a Book
    return Book(db)


CSV = "公司名称,城市,电话\n北京科技有限公司,北京,13800138000\n上海贸易,上海,notaphone\n"


def test_preview_changes_nothing_and_shows_the_first_rows(book, write) -> None:
    path = write("customers.csv", CSV)
    seen = transfer.preview_file(book, path, "customer", "skip")
    assert seen.path == path and seen.headers[:2] == ["name", "city"]
    assert [line for line, _values, _refused in seen.rows] == [2, 3]
    assert seen.results[0].dry_run
    assert book.db.repos.customers.count() == 0


def test_import_writes_and_reports_refused_rows_next_to_the_file(book, write) -> None:
    path = write("customers.csv", CSV)
    done = transfer.import_file(book, path, "customer", "skip")
    assert done.results[0].created == 1 and len(done.results[0].rejected) == 1
    assert done.report == str(path.with_name("customers.rejected.csv"))
    assert "notaphone" in Path(done.report).read_text("utf-8-sig")
    assert records.resolve(book, "customer", "北京科技有限公司").city == "北京"


def test_vcard_files_import_people_as_contacts_of_their_company(book, write) -> None:
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nORG:北京科技有限公司\r\nEND:VCARD\r\n"
    path = write("people.vcf", card)
    assert transfer.is_vcard(path)
    done = transfer.import_file(book, path, "customer", "skip")
    assert done.report is None
    assert [r.entity for r in done.results] == ["customer", "contact"]
    assert records.resolve(book, "contact", "张伟").customer_id


def test_calendar_has_the_open_follow_ups_due_soon(book) -> None:
    acme = records.create(book, "customer", {"name": "Acme"})
    records.create(book, "activity", {"customer_id": acme.id, "subject": "call", "due_at": "+1d"})
    records.create(book, "activity", {"customer_id": acme.id, "subject": "far", "due_at": "+60d"})
    data, count = transfer.calendar(book, days=30)
    assert count == 1 and b"SUMMARY:call" in data and b"far" not in data
    _data, none = transfer.calendar(book, "kind:visit", days=30)
    assert none == 0
