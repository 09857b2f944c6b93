"""A re-read that a newer one superseded is not shown when it finishes last (a busy laptop):
`widgets.deliver` drops it on the UI thread, where the newer read started."""

from __future__ import annotations

import threading

import pytest
from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Static

from crm_tui.widgets.deliver import deliver
from tests.tui.pilot import until

pytestmark = pytest.mark.anyio


class Reader(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.release: dict[str, threading.Event] = {}
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("nothing yet", id="figure")

    def show(self, value: str) -> None:
        self.shown.append(value)
        self.query_one("#figure", Static).update(value)

    @work(thread=True, exclusive=True, group="read", exit_on_error=False)
    def read(self, value: str) -> None:
        self.release[value] = threading.Event()
        self.release[value].wait(5)  # the read takes as long as the test says
        deliver(self, self.show, value)


async def test_a_superseded_read_that_finishes_last_is_not_shown() -> None:
    app = Reader()
    async with app.run_test() as pilot:
        app.read("old figures")  # begun before a change
        assert await until(pilot, lambda: "old figures" in app.release)
        app.read("new figures")  # after the change: cancels the older read
        assert await until(pilot, lambda: "new figures" in app.release)
        app.release["new figures"].set()
        assert await until(pilot, lambda: app.shown == ["new figures"])
        app.release["old figures"].set()  # the older read finishes last
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.shown == ["new figures"]
        assert str(app.query_one("#figure", Static).render()) == "new figures"


async def test_a_read_nobody_superseded_is_shown() -> None:
    app = Reader()
    async with app.run_test() as pilot:
        app.read("figures")
        assert await until(pilot, lambda: "figures" in app.release)
        app.release["figures"].set()
        assert await until(pilot, lambda: app.shown == ["figures"])
