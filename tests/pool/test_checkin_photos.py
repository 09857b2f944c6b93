"""Pilot: photos on a visit check-in from the app (issue 18) — attached from the check-in
dialog in one save with the check-in, refused inline (missing, not an image) with nothing
saved, and listed and openable from the customer page's visit check-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_tui.screens.checkin_dialog import CheckInDialog, complete_path, split_photos
from crm_tui.services.book import Book
from tests.pool.conftest import sign_in
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio


def _visit(db):
    sign_in(db, "u-rep")
    cust = db.repos.customers.create({"name": "外滩公司", "address": "中山东一路 1 号"})
    visit = db.repos.activities.create(
        {"customer_id": cust.id, "kind": "visit", "subject": "拜访外滩公司", "due_at": "today"}
    )
    return cust, visit


def _photo(folder: Path, name: str = "门头.jpg") -> Path:
    path = folder / name
    path.write_bytes(b"\xff\xd8\xff\xe0 a jpeg " + name.encode())
    return path


def _outbox(db) -> int:
    from crm_tui.storage import outbox

    return len(outbox.rows(db.engine))


def _error(app, which: str) -> str:
    return str(app.screen.query_one(which).content)


async def _open_dialog(pilot, app) -> None:
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(app.screen, CheckInDialog)


async def test_photos_attached_from_the_dialog_are_listed_on_the_customer_page(
    db, short_tmp_path: Path
) -> None:
    from crm_tui.screens.customer_detail import CustomerDetailScreen
    from crm_tui.screens.files import FilesScreen
    from crm_tui.screens.followups import FollowUpsScreen
    from crm_tui.screens.visit_checkins import VisitCheckinsScreen

    tmp_path = short_tmp_path  # typed key by key: a short path is fewer rounds of the app
    cust, visit = _visit(db)
    front, desk = _photo(tmp_path), _photo(tmp_path, "my desk.png")
    app = Host(db, FollowUpsScreen)
    async with app.run_test(size=(110, 30)) as pilot:
        await _open_dialog(pilot, app)
        await pilot.press("tab", *f'{front} "{desk}"', "enter")  # where empty: the address
        await settle(pilot)
        assert not isinstance(app.screen, CheckInDialog)
        assert any("2 photos" in str(n.message) for n in app._notifications)
    made = db.repos.pool.checkins.of_activity(visit.id)
    assert made.place == "中山东一路 1 号"
    shots = db.repos.files.attachments.of_record(made.id)
    assert sorted(a.name for a in shots) == ["my desk.png", "门头.jpg"]

    app = Host(db, lambda d: CustomerDetailScreen(Book(d), cust.id))
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        assert isinstance(app.screen, VisitCheckinsScreen)
        listing = app.screen.query_one("#checkins-list")
        line = str(listing.get_option_at_index(0).prompt)
        assert "拜访外滩公司" in line and "2 photos" in line and "checked in" in line
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FilesScreen)
        files_list = app.screen.query_one("#files-list")
        names = [str(files_list.get_option_at_index(i).prompt) for i in range(2)]
        assert any("门头.jpg" in n for n in names) and any("my desk.png" in n for n in names)
        from crm_tui.services import files

        opened = files.open_path(Book(db), shots[0].id)  # what `o` hands the viewer
        assert opened.read_bytes() in (front.read_bytes(), desk.read_bytes())


async def test_a_bad_photo_is_refused_in_the_dialog_and_nothing_is_saved(
    db, short_tmp_path: Path
) -> None:
    from crm_tui.screens.followups import FollowUpsScreen

    tmp_path = short_tmp_path  # typed key by key: a short path is fewer rounds of the app

    _, visit = _visit(db)
    good = _photo(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    before = _outbox(db)
    app = Host(db, FollowUpsScreen)
    async with app.run_test(size=(110, 30)) as pilot:
        await _open_dialog(pilot, app)
        await pilot.press("tab", *f"{good} {tmp_path / 'gone.jpg'} {notes}", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckInDialog)  # still open, with what was typed
        said = _error(app, "#photos-error")
        assert "no file at" in said and "gone.jpg" in said
        assert "notes.txt is not an image" in said
        assert db.repos.pool.checkins.of_activity(visit.id) is None
        assert _outbox(db) == before
        await pilot.press("end", *("backspace",) * len(f" {tmp_path / 'gone.jpg'} {notes}"))
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CheckInDialog)
    made = db.repos.pool.checkins.of_activity(visit.id)
    assert [a.name for a in db.repos.files.attachments.of_record(made.id)] == ["门头.jpg"]


async def test_a_photo_too_large_is_refused_before_the_check_in(db, tmp_path: Path) -> None:
    from crm_tui.domain.file_specs import MAX_FILE_BYTES
    from crm_tui.screens.followups import FollowUpsScreen

    _, visit = _visit(db)
    big = tmp_path / "big.jpg"
    with big.open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)  # sparse: no 25 MB written
    app = Host(db, FollowUpsScreen)
    async with app.run_test(size=(110, 30)) as pilot:
        await _open_dialog(pilot, app)
        await pilot.press("tab", *str(big), "enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckInDialog)
        assert "big.jpg" in _error(app, "#photos-error")
    assert db.repos.pool.checkins.of_activity(visit.id) is None


def test_photo_paths_split_and_complete(tmp_path: Path) -> None:
    assert split_photos('a.jpg "my desk.png"') == ["a.jpg", "my desk.png"]
    with pytest.raises(ValueError, match="quote"):
        split_photos('"a.jpg')
    (tmp_path / "门头照片.jpg").write_bytes(b"x")
    (tmp_path / "visits").mkdir()
    assert complete_path(f"a.jpg {tmp_path}/门") == f"a.jpg {tmp_path}/门头照片.jpg"
    assert complete_path(f"{tmp_path}/vi") == f"{tmp_path}/visits/"
    assert complete_path(f"{tmp_path}/nothing") is None


def test_crm_checkin_refuses_a_photo_that_is_no_image_or_given_twice(
    book_path: Path, tmp_path: Path
) -> None:
    from tests.pool.conftest import crm, open_book
    from tests.pool.test_field_cli import _outbox, _visit

    visit, _ = _visit(book_path)
    photo, notes = _photo(tmp_path), tmp_path / "拜访纪要.docx"
    notes.write_bytes(b"PK\x03\x04 not a photo")
    before = _outbox(book_path)
    for args, words in (
        (("--photo", str(notes)), "photo: 拜访纪要.docx is not an image"),
        (("--photo", str(photo), "--photo", str(photo)), "photo: 门头.jpg is given twice"),
    ):
        bad = crm(book_path, "checkin", visit, *args)
        assert bad.exit_code == 1 and words in bad.stderr, bad.output
    assert _outbox(book_path) == before
    db = open_book(book_path)
    try:
        assert db.repos.pool.checkins.of_activity(visit) is None
    finally:
        db.close()
