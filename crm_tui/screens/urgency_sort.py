"""Provides `UrgencySort`, the `s` key of the follow-ups and customers lists, and
`keep_urgency_fresh`, the app's background refresh of the stored urgency scores.

`s` switches a list between its own order (due date, name) and most urgent first. Both are
keyset-paged reads of an index: urgency is a stored column (crm_tui/storage/urgency_store.py)
that a background worker brings up to date when the app opens and when the local day (or the
weights) change, so the first paint never waits for it. The choice is kept per screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding

from crm_tui.screens.base import ListScreen
from crm_tui.screens.shell import book_of
from crm_tui.widgets.record_table import Column

if TYPE_CHECKING:
    from textual.app import App

    from crm_tui.domain.filter import Filter
    from crm_tui.services.book import Book

CHECK_SECONDS = 60.0  # how often the app looks for a new day or new weights
# The first check waits this long: the database may open before the desk has painted (its
# 1.5 s fallback on a slow start), and a refresh must not compete with that paint.
START_DELAY_SECONDS = 3.0
URGENCY_COLUMN = Column(
    "urgency", "Urg▼", 5, align="right", text=lambda row: f"{row.get('urgency') or 0:.1f}"
)


def sort_binding(screen: str) -> Binding:
    return Binding(
        "s",
        "sort",
        "Sort",
        show=False,
        id=f"{screen}.sort",
        tooltip="Switch the order: most urgent first, or back (w explains a score)",
    )


class UrgencySort:
    """For a ListScreen: `s` switches between the screen's own order and most urgent first."""

    book: Book
    entity: ClassVar[str]
    own_order: ClassVar[str] = "due date"  # what the screen sorts by otherwise

    _urgent: bool | None = None  # the stored choice, read once per screen

    @property
    def by_urgency(self) -> bool:
        if self._urgent is None:
            from crm_tui.services import desk

            self._urgent = desk.list_order(self.book, self.entity) == "urgency"
        return self._urgent and self.urgency_applies()

    def urgency_applies(self) -> bool:
        """False where every row scores 0 (done follow-ups): the list keeps its own order."""
        return True

    def urgency_source(self, filter_: Filter) -> Any:
        from crm_tui.services import lists

        return lists.urgency_source(self.book, self.entity, filter_)

    def with_urgency(self, columns: list[Column]) -> list[Column]:
        """The screen's columns, led by the score while the list is sorted by it."""
        return [URGENCY_COLUMN, *columns] if self.by_urgency else columns

    def action_sort(self) -> None:
        screen: Any = self
        if not self.urgency_applies():
            screen.notify("Done follow-ups are not urgent: sorted by when they were done.")
            return
        urgent = not self.by_urgency
        from crm_tui.services import desk, urgency

        desk.set_list_order(self.book, self.entity, "urgency" if urgent else None)
        self._urgent = urgent
        table = screen.table
        table.columns = screen.columns()
        table.set_source(screen.make_source())
        if screen.query_text:
            screen.apply_filter()
        if urgent:
            stale = urgency.is_stale(self.book)
            note = " (scores are being updated for today)" if stale else ""
            screen.notify(f"Most urgent first{note}; s: back to {self.own_order}", timeout=3)
            keep_urgency_fresh(screen.app, check_only=True)
        else:
            screen.notify(f"Sorted by {self.own_order}", timeout=2)


def keep_urgency_fresh(app: App[Any], *, check_only: bool = False) -> None:
    """Refresh the stored scores in a thread when stale: soon after start, then every minute;
    a list sorted by urgency on screen reloads when the scores change."""
    if not check_only:
        app.set_timer(START_DELAY_SECONDS, lambda: keep_urgency_fresh(app, check_only=True))
        app.set_interval(CHECK_SECONDS, lambda: keep_urgency_fresh(app, check_only=True))
        return
    if any(w.group == "urgency" and not w.is_finished for w in app.workers):
        return  # one refresh at a time; the next check starts another if still needed
    book = book_of(app)

    def run() -> None:
        from textual.worker import get_current_worker

        from crm_tui.services import urgency

        worker = get_current_worker()
        done = urgency.refresh(book, cancelled=lambda: worker.is_cancelled)
        if done.kind in ("day", "full"):
            app.call_from_thread(_reload_sorted, app)

    app.run_worker(run, thread=True, group="urgency", name="urgency", exit_on_error=False)


def _reload_sorted(app: App[Any]) -> None:
    screen = app.screen
    if isinstance(screen, ListScreen) and isinstance(screen, UrgencySort) and screen.by_urgency:
        screen.reload()
