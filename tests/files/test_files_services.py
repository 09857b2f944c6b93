"""Files through the services on a real SQLite file: attach to a record and to the library,
content stored once by SHA-256, limits refused before anything is copied, open / save a
copy / delete, and local garbage collection only when no attachment uses the content."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crm_tui.domain import file_specs
from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import files
from crm_tui.services.book import Book
from crm_tui.storage import repos_files
from crm_tui.storage.blobs import blob_root


@pytest.fixture
def book(db) -> Book:
    return Book(db)


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    path = tmp_path / "合同扫描.pdf"
    path.write_bytes(b"%PDF-1.4 signed contract " * 1000)
    return path


def _stored(book: Book) -> list[Path]:
    return [p for p in blob_root(book.path).glob("??/*")]


def test_attach_stores_content_once_and_lists_the_records_files(book, db, scan) -> None:
    acme = db.repos.customers.create({"name": "上海机电"})
    first = files.attach(book, "customer", acme.id, scan)
    second = files.attach_to(book, acme.id[:13], scan, name="copy.pdf")
    assert first.sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
    assert first.size == scan.stat().st_size and first.mime == "application/pdf"
    assert [f.name for f in files.files_of(book, "customer", acme.id)] == [
        "copy.pdf",
        "合同扫描.pdf",
    ]
    assert second.sha256 == first.sha256
    assert len(_stored(book)) == 1  # one blob for both
    # The content is ours: editing the original file later does not change the attachment.
    scan.write_bytes(b"changed")
    opened = files.open_path(book, first.id)
    assert hashlib.sha256(opened.read_bytes()).hexdigest() == first.sha256
    # Metadata goes through the outbox like any record.
    assert db.repos.find_any(first.id)[0] == "attachment"


def test_a_file_over_the_limit_is_refused_before_anything_is_copied(
    book, db, tmp_path, monkeypatch
) -> None:
    acme = db.repos.customers.create({"name": "广州物流"})
    big = tmp_path / "video.mp4"
    with big.open("wb") as fh:  # sparse: 25 MB + 1 byte without writing them
        fh.truncate(file_specs.MAX_FILE_BYTES + 1)
    with pytest.raises(ValidationErrors, match=r"video.mp4 is 26,214,401 bytes; files are limited"):
        files.attach(book, "customer", acme.id, big)
    assert _stored(book) == []
    assert files.files_of(book, None, acme.id) == []


def test_the_team_quota_is_checked_before_copying(book, db, scan, monkeypatch) -> None:
    acme = db.repos.customers.create({"name": "北京钢管"})
    files.attach(book, "customer", acme.id, scan)
    other = scan.with_name("b.pdf")
    other.write_bytes(b"x" * 10)
    monkeypatch.setattr(file_specs, "TEAM_QUOTA_BYTES", scan.stat().st_size + 5)
    with pytest.raises(ValidationErrors, match="team's limit"):
        files.attach(book, "customer", acme.id, other)
    assert len(_stored(book)) == 1


def test_bad_targets_are_refused(book, db, scan, tmp_path) -> None:
    with pytest.raises(ValidationErrors, match="no customer with id nope"):
        files.attach(book, "customer", "nope", scan)
    with pytest.raises(ValidationErrors, match="no file at"):
        files.attach(book, None, None, tmp_path / "missing.txt")
    with pytest.raises(ValidationErrors, match="cannot hang on a user"):
        files.attach(book, "user", "x", scan)


def test_library_folders_and_files(book, scan) -> None:
    folder = files.new_folder(book, "合同模板")
    sub = files.new_folder(book, "2026", parent_id=folder.id)
    top = files.attach(book, None, None, scan)
    inside = files.attach(book, None, None, scan, name="模板.pdf", folder_id=folder.id)
    folders, loose = files.library(book)
    assert [f.name for f in folders] == ["合同模板"] and [f.id for f in loose] == [top.id]
    folders, inner = files.library(book, folder.id)
    assert [f.id for f in folders] == [sub.id] and [f.id for f in inner] == [inside.id]


def test_save_copy_never_overwrites(book, db, scan, tmp_path) -> None:
    acme = db.repos.customers.create({"name": "深圳电子"})
    att = files.attach(book, "customer", acme.id, scan)
    out = tmp_path / "out"
    out.mkdir()
    copy = files.save_copy(book, att.id, out)
    assert (
        copy == out / "合同扫描.pdf"
        and copy.read_bytes() == files.open_path(book, att.id).read_bytes()
    )
    with pytest.raises(ValidationErrors, match="exists already"):
        files.save_copy(book, att.id, out)


def test_content_and_record_of_an_attachment_are_fixed(book, db, scan) -> None:
    acme = db.repos.customers.create({"name": "杭州纺织"})
    att = files.attach(book, "customer", acme.id, scan)
    db.repos.files.attachments.update(att.id, {"note": "signed copy"})
    with pytest.raises(ValidationErrors, match="fixed"):
        db.repos.files.attachments.update(att.id, {"sha256": "0" * 64})


def test_unused_content_goes_only_when_no_attachment_uses_it(book, db, scan) -> None:
    from crm_tui.storage.blobs import BlobStore

    acme = db.repos.customers.create({"name": "成都食品"})
    deal = db.repos.opportunities.create({"customer_id": acme.id, "title": "冷库"})
    one = files.attach(book, "customer", acme.id, scan)
    two = files.attach(book, "opportunity", deal.id, scan)
    files.delete_file(book, one.id)
    store = BlobStore(blob_root(book.path))
    assert repos_files.unreferenced(db, list(store.shas())) == []
    files.delete_file(book, two.id)
    assert repos_files.unreferenced(db, list(store.shas())) == [one.sha256]
    # Nothing to upload for content no live attachment uses.
    assert repos_files.pending_uploads(db) == []


def test_open_with_the_system_viewer(book, db, scan, tmp_path, monkeypatch) -> None:
    """A fake `xdg-open` on PATH records what it was asked to open."""
    import sys
    import time

    log = tmp_path / "opened.txt"
    fake = tmp_path / "bin" / ("open" if sys.platform == "darwin" else "xdg-open")
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$1" > {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    acme = db.repos.customers.create({"name": "武汉钢铁"})
    att = files.attach(book, "customer", acme.id, scan)
    shown = files.show_in_viewer(book, att.id)
    assert shown.name == "合同扫描.pdf" and shown.read_bytes() == scan.read_bytes()
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert log.read_text().strip() == str(shown)


def test_two_folders_of_one_name_from_two_laptops_are_listed_with_their_ids(book) -> None:
    """new_folder refuses a taken name, but two laptops offline may each make one: then
    `--folder NAME` lists both with the ids that tell them apart."""
    from crm_tui.services.records import NotFound

    first = files.new_folder(book, "合同模板")
    with pytest.raises(files.ValidationErrors, match="already there"):
        files.new_folder(book, " 合同模板 ")
    second = files.repos(book).folders.create({"name": "合同模板"})  # as a sync brings it
    with pytest.raises(NotFound) as caught:
        files.find_folder(book, "合同模板")
    message = str(caught.value)
    assert "give the id" in message
    assert first.id[:4] in message and second.id[:4] in message
