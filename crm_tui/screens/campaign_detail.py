"""Provides `CampaignDetailScreen`: one campaign — what, when, where, its partners and its
figures (registrations, attendance, cost, return) above its members on the lazy table, by
status (`s` steps all → invited → registered → attended → declined → no-show).

Keys: `i` invites the contacts of the customers a query picks (`grade:A city:上海`), `r`
registers a person, `a` checks the member under the cursor in, `x` marks them declined,
`o` a no-show, `d` opens the registration desk. Each has a CLI verb (cli/marketing.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from crm_tui.domain.filter import Filter, OneOf
from crm_tui.domain.marketing_specs import MemberStatus
from crm_tui.domain.money import format_money
from crm_tui.screens.base import ListScreen
from crm_tui.screens.contracts import refusal
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import campaign_members, campaign_roi, campaigns
from crm_tui.services.book import Book
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column

VIEWS: tuple[str | None, ...] = (None, *(s.value for s in MemberStatus))
PERSON_FIELDS = ["name", "phone", "company", "email"]


class InvitePrompt(PromptScreen):
    """Ask for the query that picks whom to invite; refuses a query that does not parse."""

    def __init__(self, book: Book, campaign_name: str) -> None:
        super().__init__(
            f"Invite to {campaign_name}: the contacts of the customers this query picks",
            placeholder="grade:A city:上海",
            validate=self._check,
        )
        self.book = book

    def _check(self, text: str) -> str | None:
        from crm_tui.services import lists

        if not text.strip():
            return "type a query, e.g. grade:A city:上海"
        try:
            lists.compile(self.book, "customer", text)
        except lists.QueryError as exc:
            return exc.message
        return None

    def hint(self, text: str) -> str:
        return "customers' fields: city, grade, status, industry, tags (+vip), owner:me…"


class CampaignDetailScreen(ListScreen):
    """A campaign's members, by status."""

    entity = "campaign_member"
    noun = "members"
    undo_entity = "campaign_member"
    CSS_PATH = "marketing.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "invite", "Invite", id="campaign.invite", tooltip="Invite from a query"),
        Binding("r", "register", "Register", id="campaign.register", tooltip="Register a person"),
        Binding("a", "step('attended')", "Attended", id="campaign.attend"),
        Binding("x", "step('declined')", "Declined", id="campaign.decline"),
        Binding("o", "step('no_show')", "No-show", id="campaign.no_show"),
        Binding("s", "next_view", "Status", id="campaign.view", tooltip="Members by status"),
        Binding("d", "desk", "Desk", id="campaign.desk", tooltip="Registration desk"),
        Binding("p", "partner", "Partner", id="campaign.partner", tooltip="Link a partner"),
        Binding(
            "I",
            "import_list",
            "Import",
            id="campaign.import",
            tooltip="Import a registration list (CSV: 姓名, 手机, 公司…)",
        ),
        Binding("slash", "focus_query", "Filter", id="campaign.filter"),
        Binding("escape", "back", "Back", id="campaign.back"),
    ]

    def __init__(self, book: Book, campaign_id: str) -> None:
        self.campaign_id = campaign_id
        self.view: str | None = None
        super().__init__(book)

    def base_filter(self) -> Filter:
        terms: list[Any] = [OneOf("campaign_id", (self.campaign_id,))]
        if self.view:
            terms.append(OneOf("status", (self.view,)))
        return Filter(self.entity, tuple(terms))

    def make_source(self) -> Any:
        from crm_tui.services import lists

        return lists.source(self.book, self.entity, self.opening_filter(), order=["sort_key", "id"])

    def columns(self) -> list[Column]:
        return [
            # Name and company share the spare width (a company name is the longer one).
            Column("name", "Name", 0),
            Column("company", "Company", 0, drop=2),
            Column("phone", "Phone", 14),
            Column("status", "Status", 10, "left", lambda r: str(r["status"]).replace("_", "-")),
            Column(
                "source", "Source", 10, "left", lambda r: str(r["source"]).replace("_", "-"), drop=1
            ),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("", id="campaign-head", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: name, phone, company"
        self.refresh_head()

    # --- the header (read in a worker: the ROI figures are a few queries) ----------------
    def refresh_head(self) -> None:
        self._load_head()

    @work(thread=True, exclusive=True, group="campaign-head", exit_on_error=False)
    def _load_head(self) -> str:
        book = self.book
        campaign = campaigns.get(book, self.campaign_id)
        if campaign is None:
            return "This campaign was deleted."
        counts = campaign_members.counts(book, campaign.id)
        figures = campaign_roi.of_campaign(book, campaign.id)
        partners = ", ".join(p.name for p in campaigns.partners_of(book, campaign)) or "none"
        when = f"{campaign.starts_on or '?'} – {campaign.ends_on or campaign.starts_on or '?'}"
        money = lambda v: format_money(v, campaign.currency)  # noqa: E731
        line1 = (
            f"[b]{campaign.name}[/b]  {campaign.kind} · {campaign.status} · {when} · "
            f"{campaign.place or ''}  partners: {partners}"
        )
        shown = " · ".join(f"{s.replace('_', '-')} {n}" for s, n in sorted(counts.items()))
        view = f"   [dim]showing: {self.view or 'all'} (s)[/dim]"
        line2 = f"{shown or 'no members yet (i invites)'}{view}"
        line3 = ""
        if figures is not None:
            line3 = (
                f"budget {money(campaign.budget)} · cost {money(figures.cost)} · "
                f"{figures.deals} deals · won {money(figures.won)}"
            )
        return "\n".join((line1, line2, line3))

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if event.state is WorkerState.ERROR:
            self.notify(refusal(event.worker.error), severity="error")  # type: ignore[arg-type]
            return
        if event.state is not WorkerState.SUCCESS:
            return
        if group == "campaign-head":
            self.query_one("#campaign-head", Static).update(str(event.worker.result))
        elif group == "campaign-import":
            self.notify(str(event.worker.result), timeout=8)
            self.reload()
        elif group == "campaign-invite":
            added, already = event.worker.result  # type: ignore[misc]
            self.notify(f"Invited {added}; {already} already on the campaign.")
            self.reload()

    def reload(self) -> None:
        super().reload()
        self.refresh_head()

    # --- actions ---------------------------------------------------------------------------
    def action_next_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.apply_filter()
        self.refresh_head()

    def action_invite(self) -> None:
        campaign = campaigns.get(self.book, self.campaign_id)
        name = campaign.name if campaign else "this campaign"
        self.app.push_screen(InvitePrompt(self.book, name), self._invite)

    def _invite(self, text: str | None) -> None:
        if text:
            self._run_invite(text)

    @work(thread=True, exclusive=True, group="campaign-invite", exit_on_error=False)
    def _run_invite(self, text: str) -> tuple[int, int]:
        result = campaign_members.invite(self.book, self.campaign_id, text)
        return len(result.added), len(result.already)

    def action_register(self) -> None:
        book, cid = self.book, self.campaign_id
        self.app.push_screen(
            RecordForm(
                "campaign_member",
                title="Register a person",
                fields=PERSON_FIELDS,
                save=lambda values: campaign_members.register(book, cid, values),
                book=book,
            ),
            self._saved,
        )

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"{record.name}: {record.status}.")
            self.reload()

    def action_step(self, status: str) -> None:
        row = self.table.current_row
        if row is None:
            return
        try:
            member = campaign_members.step(self.book, str(row["id"]), status)
        except Exception as exc:  # a refused step: said where the rep pressed the key
            self.notify(refusal(exc), severity="warning")
            return
        self.notify(f"{member.name}: {member.status.replace('_', '-')}.")
        self.reload()

    def action_partner(self) -> None:
        """Link a partner by name (`-name` unlinks it)."""
        book, cid = self.book, self.campaign_id

        def check(text: str) -> str | None:
            from crm_tui.services import partners

            try:
                partners.find(book, text.strip().lstrip("-"))
            except Exception as exc:
                return refusal(exc)
            return None

        def done(text: str | None) -> None:
            from crm_tui.services import partners

            if not text:
                return
            name = text.strip()
            step = partners.unlink_partner if name.startswith("-") else partners.link_partner
            step(book, cid, name.lstrip("-"))
            self.refresh_head()

        prompt = PromptScreen(
            "Link a partner (its name; -name unlinks it)",
            placeholder="国家会展中心",
            validate=check,
        )
        self.app.push_screen(prompt, done)

    def action_import_list(self) -> None:
        """Import a registration list: everyone registered once, refused rows reported."""
        from pathlib import Path

        def check(text: str) -> str | None:
            return None if Path(text.strip()).expanduser().is_file() else "no file there"

        def done(text: str | None) -> None:
            if text:
                self._run_import(str(Path(text.strip()).expanduser()))

        prompt = PromptScreen("Import a registration list (CSV)", validate=check)
        self.app.push_screen(prompt, done)

    @work(thread=True, exclusive=True, group="campaign-import", exit_on_error=False)
    def _run_import(self, path: str) -> str:
        from pathlib import Path

        from crm_tui.services import campaign_import

        source = Path(path)
        result = campaign_import.import_registrations(self.book, self.campaign_id, source)
        if result.rejected or result.duplicates:
            report = source.with_name(source.stem + ".rejected.csv")
            headers = campaign_import.plan(source).headers
            campaign_import.write_report(report, result, headers)
            return f"{result.summary()}; refused rows in {report}"
        return result.summary()

    def action_desk(self) -> None:
        from crm_tui.screens.check_in_desk import CheckInDeskScreen

        self.app.push_screen(
            CheckInDeskScreen(self.book, self.campaign_id), lambda _: self.reload()
        )

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        else:
            self.app.pop_screen()
