"""Provides `CheckInDeskScreen`: the registration desk at the door, full screen.

Type a few phone digits or a piece of a name (CJK too) and the matching members show at
once — from an in-memory index of the campaign's members loaded once in a worker, never a
query per key; `enter` checks the highlighted person in (now); someone not on the list is
a walk-in: `enter` with no match (or `ctrl+n`) opens a short form, and they become a lead
(a new customer with this campaign as its source, a contact, and a follow-up). Everything
is local, so the desk works offline all day and syncs later.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from crm_tui.screens.contracts import refusal
from crm_tui.screens.forms import RecordForm
from crm_tui.services import campaign_members, campaigns
from crm_tui.services.book import Book

SHOWN = 50  # matches listed per keystroke


class CheckInDeskScreen(Screen[None]):
    """Check people in at a campaign's door."""

    CSS_PATH = "marketing.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
        Binding("ctrl+n", "walk_in", "Walk-in", id="desk.walk_in", tooltip="Someone not listed"),
        Binding("escape", "leave", "Back", id="desk.back"),
    ]

    def __init__(self, book: Book, campaign_id: str) -> None:
        super().__init__()
        self.book = book
        self.campaign_id = campaign_id
        self.index: Any = None  # services.check_in.CheckInIndex, once loaded
        self.campaign_name = ""
        self.matches: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("Registration desk", id="desk-title")
        yield Static("loading the list…", id="desk-counts")
        yield Input(placeholder="phone digits or a name · enter checks in", id="desk-input")
        yield OptionList(id="desk-matches")
        yield Static("", id="desk-last")
        yield Static(
            "enter: check in · ↑↓ choose · ctrl+n: walk-in (not on the list) · escape: back",
            id="desk-keys",
        )

    def on_mount(self) -> None:
        self.query_one("#desk-input", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="desk-load", exit_on_error=False)
    def _load(self) -> tuple[str, Any]:
        campaign = campaigns.find(self.book, self.campaign_id)
        return campaign.name, campaign_members.desk_index(self.book, campaign.id)

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.query_one("#desk-last", Static).update(
                f"[red]{refusal(event.worker.error)}[/red]"  # type: ignore[arg-type]
            )
            return
        if event.state is not WorkerState.SUCCESS:
            return
        if event.worker.group == "desk-load":
            self.campaign_name, self.index = event.worker.result  # type: ignore[misc]
            self.query_one("#desk-title", Static).update(
                f"Registration desk · {self.campaign_name}"
            )
            self._show(self.query_one("#desk-input", Input).value)
        elif event.worker.group == "desk-check-in":
            member = event.worker.result
            self._checked_in(member)

    @property
    def loaded(self) -> bool:
        return self.index is not None

    # --- typing: answers from memory -----------------------------------------------------
    @on(Input.Changed, "#desk-input")
    def _typed(self, event: Input.Changed) -> None:
        if self.loaded:
            self._show(event.value)

    def _show(self, text: str) -> None:
        self.matches = self.index.search(text, SHOWN)
        options = self.query_one("#desk-matches", OptionList)
        options.clear_options()
        options.add_options([Option(self._line(r), id=r.id) for r in self.matches])
        if self.matches:
            options.highlighted = 0
        self._counts()

    def _line(self, row: Any) -> str:
        if row.status == "attended":
            at = self.book.clock.to_local(_moment(row.attended_at)) if row.attended_at else None
            mark = f"✓ {at:%H:%M}" if at else "✓      "
        else:
            mark = "       "
        company = f"  {row.company}" if row.company else ""
        phone = f"  {row.phone}" if row.phone else ""
        status = "" if row.status == "attended" else f"  ({row.status.replace('_', '-')})"
        return f"{mark}  {row.name}{company}{phone}{status}"

    def _counts(self) -> None:
        rows = self.index.rows
        attended = sum(r.status == "attended" for r in rows)
        self.query_one("#desk-counts", Static).update(
            f"{attended} checked in · {len(rows)} on the list"
        )

    def action_move(self, step: int) -> None:
        options = self.query_one("#desk-matches", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    # --- enter: check in, or a walk-in ---------------------------------------------------
    @on(Input.Submitted, "#desk-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if not self.loaded:
            return
        options = self.query_one("#desk-matches", OptionList)
        if not self.matches or options.highlighted is None:
            if event.value.strip():
                self.action_walk_in()
            return
        row = self.matches[options.highlighted]
        if row.status == "attended":
            at = self.book.clock.to_local(_moment(row.attended_at)) if row.attended_at else None
            when = f" at {at:%H:%M}" if at else ""
            self._say(f"{row.name} is already checked in{when}.", "yellow")
            return
        self._check_in(row.id)

    @work(thread=True, group="desk-check-in", exit_on_error=False)
    def _check_in(self, member_id: str) -> Any:
        return campaign_members.step(self.book, member_id, "attended")

    def _checked_in(self, member: Any) -> None:
        self.index.update(
            member.id,
            name=member.name,
            company=member.company,
            phone=member.phone,
            email=member.email,
            status=member.status,
            attended_at=member.attended_at,
        )
        at = self.book.clock.to_local(member.attended_at)
        self._say(f"✓ {member.name} checked in at {at:%H:%M}.", "green")
        box = self.query_one("#desk-input", Input)
        box.value = ""
        box.focus()
        self._show("")

    def _say(self, text: str, colour: str) -> None:
        self.query_one("#desk-last", Static).update(f"[{colour}]{text}[/{colour}]")

    def action_walk_in(self) -> None:
        if not self.loaded:
            return
        typed = self.query_one("#desk-input", Input).value.strip()
        digits = typed.replace(" ", "").replace("-", "")
        initial = {"phone": typed} if digits.isdigit() else {"name": typed}
        book, cid = self.book, self.campaign_id
        self.app.push_screen(
            RecordForm(
                "campaign_member",
                title=f"Walk-in at {self.campaign_name}: becomes a lead",
                initial=initial,
                fields=["name", "phone", "company", "email"],
                save=lambda values: campaign_members.walk_in(book, cid, values),
                book=book,
            ),
            self._walked_in,
        )

    def _walked_in(self, member: Any) -> None:
        if member is not None:
            self._checked_in(member)
            self.notify(f"{member.name} is a new lead with a follow-up.", timeout=4)

    def action_leave(self) -> None:
        self.app.pop_screen()


def _moment(value: Any) -> Any:
    """The desk's rows carry attended_at as SQLite stored it (text, UTC)."""
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
