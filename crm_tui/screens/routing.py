"""Provides the app's routes: the sections (keys 1-7), `open_record` and the palette's
destinations, each a typed callable over the `Shell` (no strings, importlib or getattr).

This is the one module that imports the concrete screens (the app imports it); screens
themselves navigate through `Shell` (screens/shell.py), so no screen imports another's module
just to show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual.screen import Screen

from crm_tui.screens.desk import DeskScreen
from crm_tui.screens.shell import Destination, Shell
from crm_tui.services.book import Book

# The section screens are imported where they are built: most load the ORM, which must wait
# until the desk (plain sqlite3) has painted. The calls stay typed; nothing is looked up by name.

S = TypeVar("S", bound=Screen[Any])


@dataclass(frozen=True)
class Section:
    """A section of the app: its key, title, what `u` undoes there, and how to build it."""

    mode: str
    key: str
    title: str
    undo_entity: str | None
    make: Callable[[Shell], Screen[Any]]


def _customers(shell: Shell) -> Screen[Any]:
    from crm_tui.screens.customers import CustomersScreen

    return CustomersScreen(shell.book)


def _followups(shell: Shell) -> Screen[Any]:
    from crm_tui.screens.followups import FollowUpsScreen

    return FollowUpsScreen(shell.book)


def _opportunities(shell: Shell) -> Screen[Any]:
    from crm_tui.screens.opportunities import OpportunitiesScreen

    return OpportunitiesScreen(shell.book)


def _expenses(shell: Shell) -> Screen[Any]:
    from crm_tui.screens.expenses import ExpensesScreen

    return ExpensesScreen(shell.book)


def _service(shell: Shell) -> Screen[Any]:
    from crm_tui.screens.service import ServiceScreen  # issue 15

    return ServiceScreen(shell.book)


def _reports(shell: Shell) -> Screen[Any]:
    from crm_tui.screens.reports import ReportsScreen

    return ReportsScreen(shell.book)


SECTIONS: dict[str, Section] = {
    s.mode: s
    for s in (
        Section("desk", "1", "Desk", None, lambda shell: DeskScreen(shell.path, shell.clock)),
        Section("customers", "2", "Customers", "customer", _customers),
        Section("followups", "3", "Follow-ups", "activity", _followups),
        Section("opportunities", "4", "Deals", "opportunity", _opportunities),
        Section("expenses", "5", "Expenses", "expense", _expenses),
        Section("reports", "6", "Reports", None, _reports),
        Section("service", "7", "Service", "service", _service),
    )
}


def open_record(shell: Shell, entity: str, row_id: str, customer_id: str | None = None) -> None:
    """Show a record: a follow-up or a deal in its list with the cursor on it, customers (and
    their contacts, claims) in the customer's page, an announcement in a reader."""
    from crm_tui.screens.customer_detail import CustomerDetailScreen
    from crm_tui.screens.desk import AnnouncementView
    from crm_tui.screens.followups import FollowUpsScreen
    from crm_tui.screens.opportunities import OpportunitiesScreen
    from crm_tui.services import records

    book = shell.book
    if entity == "activity":  # the follow-up in its list, cursor on it (not its edit form)
        _in_section(shell, "followups", FollowUpsScreen, lambda s: s.show_follow_up(row_id))
        return
    if entity == "opportunity":  # the deal in the deals list, cursor on it
        _in_section(shell, "opportunities", OpportunitiesScreen, lambda s: s.show_deal(row_id))
        return
    if entity == "service":  # issue 15: the order's detail over the current screen
        from crm_tui.screens.service_detail import ServiceDetailScreen

        shell.push_screen(ServiceDetailScreen(book, row_id))
        return
    if entity == "announcement":
        record = records.get(book, "announcement", row_id)
        if record is not None:
            shell.push_screen(AnnouncementView(record.title, record.body or ""))
        return
    if entity in ("campaign", "partner"):  # issue 16: screens/campaign_panel.py
        from crm_tui.screens.campaign_panel import open_marketing

        open_marketing(shell, entity, row_id)
        return
    if entity in ("work_report", "report_comment"):  # issue 17: screens/work_reports.py
        from crm_tui.screens.work_reports import open_report

        if entity == "report_comment":
            record = records.get(book, entity, row_id)
            row_id = record.report_id if record is not None else "-"
        open_report(shell, book, row_id)
        return
    tab = {"contact": "contacts", "opportunity": "deals", "expense": "expenses"}.get(entity)
    target = row_id if entity == "customer" else customer_id
    if target is None:
        record = records.get(book, entity, row_id)
        target = getattr(record, "customer_id", None)
    if target is None:
        shell.notify("This record has no customer to show.", severity="warning")
        return
    shell.push_screen(CustomerDetailScreen(book, target, tab=tab))


def show_list(shell: Shell, mode: str, query: str = "", view: str | None = None) -> None:
    """A list section showing `query` (the follow-ups in `view`): the desk's "all N →"."""
    from crm_tui.screens.base import ListScreen

    _in_section(shell, mode, ListScreen, lambda s: s.show_query(query, view))


def _in_section(shell: Shell, mode: str, screen_type: type[S], run: Callable[[S], None]) -> None:
    """Show a section's main screen and run `run` on it once it is up."""
    shell.show_section(mode)

    def after() -> None:
        if isinstance(shell.screen, screen_type):
            run(shell.screen)

    shell.call_after_refresh(after)


# --- the palette's destinations ------------------------------------------------------------
def _go(mode: str) -> Callable[[Shell], None]:
    return lambda shell: shell.show_section(mode)


def _then(mode: str, screen_type: type[S], run: Callable[[S], None]) -> Callable[[Shell], None]:
    """Go to a section, then run one of its screen's actions (e.g. `action_new`)."""
    return lambda shell: _in_section(shell, mode, screen_type, run)


def _over(make: Callable[[Book], Screen[Any]]) -> Callable[[Shell], None]:
    """Push a screen over the current one, once the book is open."""

    def push(shell: Shell) -> None:
        if not shell.book_ready:
            shell.notify("Opening the database…", timeout=2)
            return
        shell.push_screen(make(shell.book))

    return push


def _views(shell: Shell) -> None:
    """Open the saved views of the list on screen (customers when none is)."""
    from crm_tui.screens.base import ListScreen

    if isinstance(shell.screen, ListScreen):
        shell.screen.action_views()
        return

    def after() -> None:
        if isinstance(shell.screen, ListScreen):
            shell.screen.action_views()

    shell.show_section("customers")
    shell.call_after_refresh(after)


def destinations() -> list[Destination]:
    """Every palette entry, in the order the palette lists them."""
    from crm_tui.screens.announcements import AnnouncementsScreen
    from crm_tui.screens.approvals import ApprovalsScreen
    from crm_tui.screens.campaigns import CampaignsScreen
    from crm_tui.screens.competitors import CompetitorsScreen
    from crm_tui.screens.conflicts import ConflictsScreen
    from crm_tui.screens.contact_log import ContactLogScreen
    from crm_tui.screens.contracts import ContractsScreen
    from crm_tui.screens.customers import CustomersScreen
    from crm_tui.screens.duplicates import DuplicatesScreen
    from crm_tui.screens.expenses import ExpensesScreen
    from crm_tui.screens.files import FilesScreen
    from crm_tui.screens.followups import FollowUpsScreen
    from crm_tui.screens.import_preview import ImportScreen
    from crm_tui.screens.insight import insight_destinations
    from crm_tui.screens.kb import KnowledgeScreen, QuestionsScreen
    from crm_tui.screens.opportunities import OpportunitiesScreen
    from crm_tui.screens.partners import PartnersScreen
    from crm_tui.screens.payments import PaymentsScreen
    from crm_tui.screens.pool import PoolScreen
    from crm_tui.screens.pool_rules import PoolRulesScreen
    from crm_tui.screens.products import ProductsScreen
    from crm_tui.screens.quotes import QuotesScreen
    from crm_tui.screens.service import ServicePlansScreen, ServiceScreen
    from crm_tui.screens.targets import TargetsScreen
    from crm_tui.screens.work_reports import TeamReportsScreen, WorkReportsScreen

    return [
        Destination("Go to desk", "Today's desk", _go("desk")),
        Destination("Go to customers", "All customers", _go("customers")),
        Destination("Go to follow-ups", "Calls, visits and tasks", _go("followups")),
        Destination("Go to deals", "Deals: list and board by stage", _go("opportunities")),
        Destination("Go to expenses", "Your expense claims: submit, withdraw", _go("expenses")),
        Destination(
            "Go to reports", "Sales, pipeline, activity and claims reports", _go("reports")
        ),
        Destination(
            "New customer",
            "Add a customer",
            _then("customers", CustomersScreen, lambda s: s.action_new()),
        ),
        Destination(
            "New follow-up",
            "Schedule a call, visit or task",
            _then("followups", FollowUpsScreen, lambda s: s.action_new()),
        ),
        Destination(
            "Deals board",
            "The pipeline by stage, with totals",
            _then("opportunities", OpportunitiesScreen, lambda s: s.action_show_board()),
        ),
        Destination(
            "New deal",
            "Add a deal",
            _then("opportunities", OpportunitiesScreen, lambda s: s.action_new()),
        ),
        Destination(
            "New expense claim",
            "Claim money spent (receipt, customer or deal)",
            _then("expenses", ExpensesScreen, lambda s: s.action_new()),
        ),
        Destination(
            "Competitors",
            "Who we are up against",
            _over(CompetitorsScreen),
        ),
        Destination(
            "Announcements",
            "News from the managers",
            _over(AnnouncementsScreen),
        ),
        Destination(
            "Import a file",
            "Customers, contacts, follow-ups or deals from CSV or vCard, with a preview",
            _over(ImportScreen),
        ),
        Destination("Undo", "Undo your last change on this screen", lambda s: s.action_undo()),
        Destination("Help", "Every key on this screen", lambda s: s.action_help()),
        Destination("Saved views", "This list's saved views (v)", _views),
        Destination("Quit", "Leave crm (q)", lambda s: s.exit()),
        Destination("Sync now", "Push your changes, pull the team's", lambda s: s.action_sync()),
        Destination(
            "Conflicts",
            "Values that lost a conflict or were refused: yours / theirs, restore yours",
            _over(ConflictsScreen),
        ),
        Destination(
            "Approvals",
            "Managers: the team's claims and dispatch requests to approve or reject",
            _over(ApprovalsScreen),
        ),
        Destination(
            "Duplicates",
            "Customers two reps both claim: open either; managers merge or reassign",
            _over(DuplicatesScreen),
        ),
        # Quote to cash (issue 19, H's screens).
        Destination(
            "Quotes",
            "Quotes of every deal: send, revise, accept, make the contract",
            _over(QuotesScreen),
        ),
        Destination(
            "Contracts", "Contracts, their payment plans and payments", _over(ContractsScreen)
        ),
        Destination(
            "Payments due (回款)",
            "Every instalment: due:overdue, $ records a payment",
            _over(PaymentsScreen),
        ),
        Destination("Products", "The price list quotes pick from", _over(ProductsScreen)),
        # After-sales service (issue 15): screens/service.py.
        Destination(
            "Go to service (售后)", "Service orders: dispatch, visits, finish", _go("service")
        ),
        Destination(
            "New service order",
            "An install, repair or maintenance visit for a customer",
            _then("service", ServiceScreen, lambda s: s.action_new()),
        ),
        Destination(
            "Service plans (服务计划)",
            "Recurring visits: every N weeks or months, made ahead of time",
            _over(ServicePlansScreen),
        ),
        # Office (issue 17): screens/work_reports.py, screens/contact_log.py.
        Destination(
            "Work reports (日报)",
            "Write today's report (n), read and comment on the team's",
            _over(WorkReportsScreen),
        ),
        Destination(
            "Team reports",
            "Managers: who has and has not submitted today's report, unread first",
            _over(TeamReportsScreen),
        ),
        Destination(
            "Contact log (联系记录)",
            "Every call, visit, e-mail, SMS, WeChat and meeting logged",
            _over(ContactLogScreen),
        ),
        # The customer pool and targets (issue 18): screens/pool.py, screens/targets.py.
        Destination(
            "Pool (公海)", "Customers nobody follows up: / to filter, c to claim", _over(PoolScreen)
        ),
        Destination(
            "Pool rules (公海规则)",
            "Per grade: days to release, exemptions, warning, cap, reclaim wait (managers edit)",
            _over(PoolRulesScreen),
        ),
        Destination(
            "Targets", "This month against the targets, with the pace needed", _over(TargetsScreen)
        ),
        # Files and knowledge Q&A (issue 17): screens/files.py, screens/kb.py.
        Destination(
            "Files (文件)", "The team library: folders, templates, shared files", _over(FilesScreen)
        ),
        Destination(
            "Knowledge (知识)",
            "Articles the team wrote; / finds any word, 中文 too",
            _over(KnowledgeScreen),
        ),
        Destination(
            "Questions (问答)", "Ask the team; answer, vote, accept", _over(QuestionsScreen)
        ),
        # Marketing (issue 16): screens/campaigns.py, campaign_detail.py, check_in_desk.py.
        Destination(
            "Campaigns (市场活动)",
            "Trade shows, seminars: members, d registration desk, return on spend",
            _over(CampaignsScreen),
        ),
        Destination(
            "Partners (合作伙伴)", "Co-organisers, sponsors, venues", _over(PartnersScreen)
        ),
        *insight_destinations(),  # customer insight (issue 22): screens/insight.py
    ]


def open_article(shell: Shell, article_id: str) -> None:
    """Read one knowledge article (the palette's "Article …" hits)."""
    from crm_tui.screens.kb import ArticleView

    shell.push_screen(ArticleView(shell.book, article_id))
