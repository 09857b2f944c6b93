"""Pilot: a photo whose name has a space, completed with → in the check-in dialog, saves as
completed (review s13 #2: the completion gave `my photo.png` unescaped and the dialog then
split it into two missing files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_tui.screens.checkin_dialog import CheckInDialog, complete_path, split_photos
from tests.pool.test_checkin_photos import _open_dialog, _photo, _visit
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio


async def _completed(pilot, field) -> None:
    """Press → once the suggester has answered (it runs in a worker)."""
    for _ in range(200):
        if field._suggestion:
            break
        await pilot.pause()
    assert field._suggestion, "no completion was offered"
    await pilot.press("right")


async def test_a_completed_name_with_a_space_saves_as_one_photo(db, short_tmp_path: Path) -> None:
    from crm_tui.screens.followups import FollowUpsScreen

    tmp_path = short_tmp_path  # typed key by key: a short path is fewer rounds of the app

    _, visit = _visit(db)
    (tmp_path / "Camera Roll").mkdir()
    _photo(tmp_path / "Camera Roll", "IMG 1234.jpg")
    app = Host(db, FollowUpsScreen)
    async with app.run_test(size=(110, 30)) as pilot:
        await _open_dialog(pilot, app)
        field = app.screen.query_one("#photos")
        await pilot.press("tab", *f"{tmp_path}/Cam")
        await _completed(pilot, field)  # the folder
        await pilot.press(*"IM")
        await _completed(pilot, field)  # the file in it
        assert split_photos(field.value) == [f"{tmp_path}/Camera Roll/IMG 1234.jpg"]
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CheckInDialog), str(
            app.screen.query_one("#photos-error").content
        )
    made = db.repos.pool.checkins.of_activity(visit.id)
    assert [a.name for a in db.repos.files.attachments.of_record(made.id)] == ["IMG 1234.jpg"]


def test_completion_reads_back_as_the_file_it_names(tmp_path: Path) -> None:
    shot = _photo(tmp_path, "Screenshot 2026-12-05 at 10.00.00.png")
    odd = _photo(tmp_path, 'a "quoted" name.jpg')
    for typed, want in (
        (f"{tmp_path}/Scr", shot),  # escaped, as a terminal writes a dropped file
        (f'x.jpg "{tmp_path}/Scr', shot),  # inside an open quote: the quote is closed
        (f"'{tmp_path}/Scr", shot),
        (f"{tmp_path}/a", odd),
        (f'"{tmp_path}/a', odd),
    ):
        done = complete_path(typed)
        assert done is not None and done.startswith(typed)  # → appends, as the field shows
        assert split_photos(done)[-1] == str(want), done
    # after an escaped space the next → still completes the same name
    assert complete_path(f"{tmp_path}/Screenshot\\ 2026") == complete_path(f"{tmp_path}/Scr")
    assert complete_path(f"{tmp_path}/Scr ") is None  # after a space: a new, empty path
