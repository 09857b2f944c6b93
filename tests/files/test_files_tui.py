"""Pilot: a customer's files screen — attach by path (a file over the limit refused inline
before anything is copied), open with a fake viewer, pin, delete; the team library with a
folder."""

from __future__ import annotations

import sys

import pytest

from crm_tui.domain import file_specs
from crm_tui.screens.files import FilesScreen
from crm_tui.screens.pickers import ConfirmScreen, PromptScreen
from crm_tui.services import files
from crm_tui.services.book import Book
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


async def _type(pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await settle(pilot)


async def _until(pilot, done, tries: int = 100) -> None:
    for _ in range(tries):
        if done():
            return
        await settle(pilot)
    assert done()


async def test_attach_open_pin_and_delete_a_customers_file(db, tmp_path, monkeypatch) -> None:
    acme = db.repos.customers.create({"name": "上海机电"})
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF contract")
    big = tmp_path / "big.mp4"
    with big.open("wb") as fh:
        fh.truncate(file_specs.MAX_FILE_BYTES + 1024 * 1024)
    log = tmp_path / "viewer.log"
    fake = tmp_path / "bin" / ("open" if sys.platform == "darwin" else "xdg-open")
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$1" > {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    app = Host(db, lambda d: FilesScreen(Book(d), "customer", acme.id, title="上海机电 · files"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await _type(pilot, str(big))
        # Refused in the dialog, before anything is copied.
        assert isinstance(app.screen, PromptScreen)
        error = str(app.screen.query_one("#prompt-error").render())
        assert "big.mp4 is 26.0 MB; files are limited to 25.0 MB each" in error
        assert files.files_of(Book(db), None, acme.id) == []
        app.screen.query_one("#prompt-input").value = ""
        await _type(pilot, str(scan))
        await _until(pilot, lambda: len(files.files_of(Book(db), None, acme.id)) == 1)
        await _until(pilot, lambda: app.screen.query_one("#files-list").option_count == 1)
        await pilot.press("o")
        await _until(pilot, log.exists)
        await pilot.press("p")
        att = files.files_of(Book(db), None, acme.id)[0]
        await _until(pilot, lambda: files.is_pinned(Book(db), att))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await _until(pilot, lambda: files.files_of(Book(db), None, acme.id) == [])


async def test_the_library_has_folders(db, tmp_path) -> None:
    folder = files.new_folder(Book(db), "合同模板")
    doc = tmp_path / "模板.docx"
    doc.write_bytes(b"PK")
    files.attach(Book(db), None, None, doc, folder_id=folder.id)
    app = Host(db, lambda d: FilesScreen(Book(d)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listing = app.screen.query_one("#files-list")
        await _until(pilot, lambda: listing.option_count == 1)
        await pilot.press("enter")  # into the folder
        await _until(pilot, lambda: app.screen.folder_path == [(folder.id, "合同模板")])
        await _until(pilot, lambda: "模板.docx" in str(listing.get_option_at_index(0).prompt))
        await pilot.press("backspace")
        await _until(pilot, lambda: app.screen.folder_path == [])


async def test_n_refuses_a_folder_name_already_in_the_library(db) -> None:
    """`n` with a name the folder already has says so in the dialog; nothing is made twice
    (review s12); a new name is made."""
    from textual.widgets import Static

    files.new_folder(Book(db), "合同模板")
    app = Host(db, lambda d: FilesScreen(Book(d)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listing = app.screen.query_one("#files-list")
        await _until(pilot, lambda: listing.option_count == 1)
        await pilot.press("n")
        await _until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"合同模板", "enter")
        error = app.screen.query_one("#prompt-error", Static)
        await _until(pilot, lambda: "already there" in str(error.render()))
        await pilot.press("ctrl+u", *"报价单", "enter")
        await _until(pilot, lambda: isinstance(app.screen, FilesScreen))
        await _until(pilot, lambda: listing.option_count == 2)
    names = sorted(f.name for f in files.library(Book(db))[0])
    assert names == ["合同模板", "报价单"]


async def test_the_customer_page_shows_the_customers_files(db, tmp_path) -> None:
    from crm_tui.screens.customer_detail import CustomerDetailScreen

    acme = db.repos.customers.create({"name": "上海机电"})
    scan = tmp_path / "合同.pdf"
    scan.write_bytes(b"%PDF")
    files.attach(Book(db), "customer", acme.id, scan)
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await _until(pilot, lambda: isinstance(app.screen, FilesScreen))
        listing = app.screen.query_one("#files-list")
        await _until(pilot, lambda: listing.option_count == 1)
        assert "合同.pdf" in str(listing.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, CustomerDetailScreen))
