"""Provides `VisitCheckinsScreen` (拜访签到, issue 18): one customer's visit check-ins, newest
first — when, the visit, where, how long, flagged when far from the customer, and how many
photos; `enter` opens the check-in's photos (services/files.py's screen: `o` opens one
with the system viewer, `a` adds another). Reached with `V` on the customer page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.screens.base import CrmScreen
from crm_tui.services import checkins
from crm_tui.widgets.deliver import deliver

LIMIT = 50  # a customer's newest check-ins; `crm visits` has every one


def _local(book: Any, moment: datetime) -> datetime:
    return book.clock.to_local(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def checkin_line(book: Any, rec: Any, subject: str, photos: int) -> Text:
    """'2026-12-04 10:00  拜访外滩公司  人民广场  30 min  flagged  2 photos'."""
    start = _local(book, rec.checked_in_at)
    if rec.checked_out_at is None:
        stay = ("checked in", "yellow")
    else:
        stay = (f"{checkins.minutes(rec.checked_in_at, rec.checked_out_at)} min", "")
    flag = f"  flagged {rec.distance_m:,} m away" if rec.flagged and rec.distance_m else ""
    pics = f"  {photos} photo{'s' if photos != 1 else ''}" if photos else "  no photos"
    return Text.assemble(
        (f"{start:%Y-%m-%d %H:%M}", "bold"),
        f"  {subject}",
        (f"  {rec.place}" if rec.place else "", "italic"),
        "  ",
        stay,
        (flag, "red"),
        (pics, "green" if photos else "dim"),
    )


class VisitCheckinsScreen(CrmScreen):
    """A customer's visit check-ins and their photos."""

    DEFAULT_CSS = """
    VisitCheckinsScreen .section-summary { height: auto; padding: 0 1; background: $boost; }
    VisitCheckinsScreen #checkins-list { height: 1fr; }
    VisitCheckinsScreen #checkins-status { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "photos", "Photos", id="checkins.photos", tooltip="This visit's photos"),
        Binding("escape", "back", "Back", id="checkins.back"),
    ]

    def __init__(self, book: Any, customer_id: str, *, title: str = "") -> None:
        super().__init__(book)
        self.customer_id = customer_id
        self.title_text = title or "Visit check-ins"
        self.by_id: dict[str, Any] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(self.title_text, id="checkins-title", classes="section-summary")
        yield OptionList(id="checkins-list")
        yield Static("Loading…", id="checkins-status", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#checkins-list", OptionList).focus()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="checkins-load", exit_on_error=False)
    def _load(self) -> None:
        book = self.book
        found = checkins.checkins_of(book, self.customer_id, limit=LIMIT)
        acts = book.db.repos.activities
        rows = []
        for rec in found:
            act = acts.get(rec.activity_id)
            subject = act.subject if act is not None else "(visit deleted)"
            rows.append(
                (rec, checkin_line(book, rec, subject, len(checkins.photos_of(book, rec.id))))
            )
        deliver(self.app, self._show, rows)

    def _show(self, rows: list[tuple[Any, Text]]) -> None:
        listing = self.query_one("#checkins-list", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        self.by_id = {rec.id: rec for rec, _ in rows}
        for rec, line in rows:
            listing.add_option(Option(line, id=rec.id))
        status = self.query_one("#checkins-status", Static)
        if not rows:
            status.update("No check-ins yet: i on a visit in Follow-ups checks in.")
            return
        listing.highlighted = min(highlighted or 0, len(rows) - 1)
        more = f" (the newest {LIMIT}; crm visits lists all)" if len(rows) == LIMIT else ""
        status.update(f"{len(rows)} check-in(s){more} · enter: its photos")

    def current(self) -> Any | None:
        listing = self.query_one("#checkins-list", OptionList)
        if listing.highlighted is None or not listing.option_count:
            return None
        return self.by_id.get(listing.get_option_at_index(listing.highlighted).id or "")

    @on(OptionList.OptionSelected, "#checkins-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_photos()

    def action_photos(self) -> None:
        from crm_tui.screens.files import FilesScreen

        rec = self.current()
        if rec is None:
            self.notify("No check-in here yet.", timeout=2)
            return
        when = _local(self.book, rec.checked_in_at)
        title = f"{self.title_text} · {when:%Y-%m-%d %H:%M} photos"
        self.app.push_screen(FilesScreen(self.book, "checkin", rec.id, title=title))

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.reload()  # photos added on the files screen count here

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
