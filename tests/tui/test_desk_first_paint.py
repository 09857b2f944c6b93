"""The desk's first paint (issue 20 item 3): the first frame shows the first read's figures
(overdue, the week, this month), read by the launcher while Textual imports; the other
sections say "…" until they are read (never "nothing"), then fill in; the app's start imports
no other screen and no ORM; `crm --now T` opens the app without the Typer CLI."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from crm_tui.screens.desk import READING, DeskList, DeskScreen
from crm_tui.services import desk as desk_service
from crm_tui.storage.desk import load_desk, read_first, read_rest
from tests.tui.pilot import settle

pytestmark = pytest.mark.anyio


def prompts(screen: DeskScreen, section: str) -> list[str]:
    return [str(option.prompt) for option in screen.query_one(f"#{section}", DeskList).options]


async def test_the_first_frame_shows_the_prefetched_figures_before_the_rest_is_read(
    app, monkeypatch
):
    desk_service.prefetch(app.path, app.clock)
    assert desk_service._PREFETCHED[str(app.path)].done.wait(30)
    release = threading.Event()
    real_rest = desk_service.rest

    def held_rest(*args, **kwargs):  # the rest waits until the first frame was checked
        release.wait(30)
        return real_rest(*args, **kwargs)

    monkeypatch.setattr(desk_service, "rest", held_rest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        assert screen.query_one("#overdue", DeskList).border_title == "Overdue (2)"
        assert prompts(screen, "overdue")[0].startswith("11-20 15:00 call: Send the quote")
        assert [p.split()[0] for p in prompts(screen, "schedule")] == ["today", "Wed"]
        won = {f.label: f for f in screen.desk.numbers}["Amount won"]
        assert won.this_month == "¥12,000.00"
        # Not read yet: "…", never "No birthdays this week."
        assert prompts(screen, "birthdays") == [READING]
        assert prompts(screen, "announcements") == [READING]
        assert app.focused is screen.query_one("#overdue", DeskList)
        release.set()
        await settle(pilot)
        assert any("Wang Fang" in p for p in prompts(screen, "birthdays"))
        assert any("Q4 push" in p for p in prompts(screen, "announcements"))
        assert prompts(screen, "overdue")[0].startswith("11-20 15:00 call: Send the quote")
        assert screen.desk.complete


async def test_without_a_prefetch_the_worker_reads_both_halves(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#overdue", DeskList).border_title == "Overdue (2)"
        assert any("阀门 200 套" in p for p in prompts(screen, "closing"))
        await pilot.press("r")  # a re-read keeps every section while its first half shows
        await settle(pilot)
        assert any("阀门 200 套" in p for p in prompts(screen, "closing"))
        assert screen.desk.complete


def test_the_two_halves_read_what_load_desk_reads(book):
    db, _ = book
    first = read_first(db.path, db.clock)
    assert not first.complete
    assert (first.birthdays, first.closing, first.recent, first.announcements) == ([],) * 4
    assert first.overdue_total == 2
    assert read_rest(db.path, db.clock, first) == load_desk(db.path, db.clock)


def test_a_prefetch_is_used_once_and_only_for_its_clock(book):
    db, _ = book
    desk_service.prefetch(db.path, db.clock)
    job = desk_service._PREFETCHED[str(db.path)]
    assert desk_service.first(db.path, db.clock) is job.desk
    assert desk_service.prefetched(db.path, db.clock) is None  # taken
    from crm_tui.domain.dates import Clock

    desk_service.prefetch(db.path, db.clock)
    other = Clock(fixed=db.clock.now())
    fresh = desk_service.first(db.path, other)  # another clock: read again, same figures
    assert fresh is not desk_service._PREFETCHED.get(str(db.path))
    assert fresh.overdue_total == 2


def test_the_app_starts_without_the_other_screens_or_the_orm():
    code = (
        "import sys, crm_tui.launch, crm_tui.services.desk, crm_tui.app; "
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'typer', 'crm_tui.screens.base', "
        "'crm_tui.screens.insight', 'crm_tui.screens.campaign_panel', "
        "'crm_tui.screens.office_desk', 'crm_tui.widgets.record_table', "
        "'crm_tui.screens.customers', 'crm_tui.screens.help') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _launch(argv: list[str]) -> subprocess.CompletedProcess[str]:
    # run_app replaced: print what the app would open with, and whether Typer was loaded.
    code = (
        "import sys, crm_tui.launch as launch\n"
        "def run_app(path, clock):\n"
        "    print(path.name, clock.now().isoformat(), 'typer' in sys.modules)\n"
        "launch.run_app = run_app\n"
        f"sys.argv = ['crm', *{argv!r}]\n"
        "launch.main()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_crm_now_opens_the_app_without_the_cli(tmp_path):
    out = _launch(["--db", str(tmp_path / "b.db"), "--now", "2026-11-23T09:00+08:00"])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["b.db", "2026-11-23T01:00:00+00:00", "False"]  # now in UTC


def test_plain_crm_opens_the_app_on_a_live_clock(tmp_path, monkeypatch):
    monkeypatch.delenv("CRM_NOW", raising=False)
    out = _launch(["--db", str(tmp_path / "b.db")])
    assert out.returncode == 0, out.stderr
    name, now, typer_loaded = out.stdout.split()
    assert (name, typer_loaded) == ("b.db", "False")
    from datetime import UTC, datetime, timedelta

    assert abs(datetime.fromisoformat(now) - datetime.now(UTC)) < timedelta(hours=1)


def test_a_bad_now_is_the_clis_one_line_error(tmp_path):
    out = _launch(["--db", str(tmp_path / "b.db"), "--now", "yesterday"])
    assert out.returncode == 1
    assert out.stderr.startswith("error: --now: 'yesterday' is not an ISO date-time")
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("untuned", ["", "1"])
def test_collection_is_back_on_once_the_app_is_built(untuned):
    # run_app turns collection off while the app's modules import; tune_gc turns it back on.
    code = (
        "import gc, os, crm_tui.launch as launch\n"
        f"os.environ['CRM_NO_GC_TUNING'] = {untuned!r}\n"
        "gc.disable(); launch.tune_gc(); print(gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_quitting_while_the_database_opens_does_not_wait_for_it(book, tmp_path):
    # A real app.run() in its own process: the open is held as if SQLAlchemy were still
    # importing, and the app quits as soon as the open has started. The process must end
    # without waiting for the open (a worker-pool thread is joined at exit: it would finish
    # and leave its mark).
    db, _ = book
    mark = tmp_path / "open-finished"
    code = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from crm_tui.app import make_app\n"
        "from crm_tui.services.quick import clock_for\n"
        "def held_open(path, clock):\n"
        "    app.call_from_thread(app.exit)\n"
        "    threading.Event().wait(10)\n"
        "    Path(sys.argv[3]).write_text('finished')\n"
        "app = make_app(path=Path(sys.argv[1]), clock=clock_for(sys.argv[2]), open_db=held_open)\n"
        "app.run(headless=True)\n"
        "print('app closed')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db.path), db.clock.now().isoformat(), str(mark)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.strip().splitlines()[-1:] == ["app closed"], out.stderr
    assert not mark.exists(), out.stdout


async def test_a_superseded_desk_read_reads_no_more_panels(app, monkeypatch):
    # The app closing (which waits for the worker's thread) or a newer read (r) cancels the
    # load worker: it stops before the other modules' panels instead of reading them all.
    release = threading.Event()
    real_rest, real_pinned = desk_service.rest, desk_service.pinned
    rests, pinned = [], []

    def held_rest(*args, **kwargs):
        rests.append(1)
        if len(rests) == 1:
            release.wait(30)  # the first read is held until a newer one has run
        return real_rest(*args, **kwargs)

    def counted_pinned(path):
        pinned.append(path)
        return real_pinned(path)

    monkeypatch.setattr(desk_service, "rest", held_rest)
    monkeypatch.setattr(desk_service, "pinned", counted_pinned)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(600):
            await pilot.pause()
            if rests:
                break
        await pilot.press("r")
        for _ in range(600):  # until the newer read has reached its panels
            await pilot.pause()
            if pinned:
                break
        assert len(pinned) == 1
        release.set()
        await settle(pilot)
        assert len(pinned) == 1  # the superseded read stopped before its panels
        assert any("Q4 push" in p for p in prompts(app.screen, "announcements"))


def test_the_app_process_ends_as_a_normal_exit_without_the_teardown():
    # run_app ends with exit_without_teardown: other threads are joined (an idle pool's too),
    # atexit handlers run and buffered output is written, and the exit code is kept.
    code = (
        "import atexit, threading, time\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from crm_tui.launch import exit_without_teardown\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "ThreadPoolExecutor(1).submit(lambda: None).result()\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print('thread finished')\n"
        "threading.Thread(target=late).start()\n"
        "print('buffered', end=' ')\n"
        "exit_without_teardown(3)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 3, out.stderr
    assert out.stdout.split() == ["buffered", "thread", "finished", "atexit", "ran"]
