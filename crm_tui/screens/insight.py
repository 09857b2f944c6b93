"""Provides the customer insight pieces of the screens (issue 22): the customers list's
segment column, the customer page's insight panel (latest score and trend, segment, churn
risk with its reasons, lifetime value), the survey form (`S` on the customer page and on
the follow-ups list, after a call or visit), and the desk's "Valuable customers at risk".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import work
from textual.widgets import Static
from textual.worker import get_current_worker

from crm_tui.domain.insight import BY_KEY, SEGMENT_VIEWS
from crm_tui.domain.money import format_money
from crm_tui.services import insight, surveys
from crm_tui.services.desk import DeskItem
from crm_tui.widgets.deliver import deliver
from crm_tui.widgets.record_table import Column

if TYPE_CHECKING:
    from textual.app import App

    from crm_tui.services.book import Book

HIGH_RISK = 0.6  # the list marks a customer at or above this risk with "!"
SURVEY_FIELDS = ["score", "comment", "source"]
# The desk's "all N →": the customers list with the panel's own rule, as a query.
AT_RISK_QUERY = SEGMENT_VIEWS[0][1]


def segment_cell(row: dict[str, Any]) -> str:
    """'重要价值' (and '!' when the churn risk is high) for the customers list."""
    found = BY_KEY.get(row.get("segment") or "")
    mark = "!" if (row.get("risk") or 0) >= HIGH_RISK else ""
    return (found.chinese if found else "") + mark


SEGMENT_COLUMN = Column("segment", "Segment", 9, text=segment_cell, drop=2)


def panel_text(found: insight.Panel | None, currency: str) -> str:
    """The customer page's insight lines (Rich markup)."""
    if found is None:
        return ""
    parts = []
    if found.latest_score is not None:
        series = " ".join(str(s) for s in found.scores)
        parts.append(f"Satisfaction [b]{found.latest_score}/5[/b] {found.trend}  ({series})")
    else:
        parts.append("Satisfaction: not asked yet (S)")
    parts.append(escape(found.segment) if found.segment else "no purchases yet")
    parts.append(f"CLV {format_money(found.clv, currency)}")
    lines = ["  ·  ".join(parts)]
    style = "$error" if found.risk >= HIGH_RISK else "$warning" if found.risk else "$success"
    risk = f"[{style}]Churn risk {found.risk:.2f}[/]"
    if found.reasons:
        strongest = sorted(found.reasons, key=lambda t: -t.score)
        reasons = "; ".join(escape(t.detail) for t in strongest)
        at_risk = format_money(found.value_at_risk, currency)
        lines.append(f"{risk}: {reasons}  ({at_risk}/yr at risk)")
    else:
        lines.append(f"{risk}: no signs of drifting away")
    return "\n".join(lines)


class InsightPanel(Static):
    """The customer page's insight lines, read in a worker."""

    DEFAULT_CSS = "InsightPanel { padding: 0 1; height: auto; }"

    def __init__(self, book: Book, customer_id: str) -> None:
        super().__init__(id="insight-panel")
        self.book = book
        self.customer_id = customer_id
        self.loaded = False

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="insight-panel", exit_on_error=False)
    def load(self) -> None:
        # Made from this customer's rows now (what a refresh would store), so the panel
        # never waits for a new day's refresh of every customer.
        found = insight.panel(self.book, self.customer_id)
        text = panel_text(found, self.book.input_context.currency)
        if not get_current_worker().is_cancelled:
            deliver(self.app, self._paint, text)

    def _paint(self, text: str) -> None:
        self.update(text)
        self.loaded = True


def open_survey(
    app: App[Any],
    book: Book,
    customer_id: str,
    then: Callable[[Any], None] | None = None,
    *,
    source: str = "call",
    activity_id: str | None = None,
) -> None:
    """The survey form: score (1-5, refused inline otherwise), comment, source."""
    from crm_tui.screens.forms import RecordForm

    def save(values: dict[str, str]) -> surveys.Taken:
        return surveys.take(
            book,
            customer_id,
            values.get("score", ""),
            comment=values.get("comment") or None,
            source=values.get("source") or source,
            activity_id=activity_id,
        )

    def done(taken: surveys.Taken | None) -> None:
        if taken is not None:
            app.notify(said(taken))
        if then is not None:
            then(taken)

    app.push_screen(
        RecordForm(
            "survey",
            title="Satisfaction (1 very unhappy … 5 very happy)",
            initial={"source": source},
            fields=SURVEY_FIELDS,
            save=save,
            book=book,
        ),
        done,
    )


def said(taken: surveys.Taken) -> str:
    note = f"Satisfaction {taken.survey.score}/5 saved"
    if taken.follow_up is not None and taken.reused:
        note += "; the call-back already scheduled stays (no second one)"
    elif taken.follow_up is not None:
        note += "; a call-back is scheduled for tomorrow"
    return note


def at_risk_items(rows: list[insight.AtRisk], currency: str) -> list[DeskItem]:
    """The desk's lines: value at risk a year, the customer, its group and risk."""
    return [
        DeskItem(
            "customer",
            r.customer_id,
            format_money(r.value_at_risk, currency).split(".")[0],
            r.name,
            # The risk before the group: a narrow panel cuts the end of the line.
            f"risk {r.risk:.2f} {BY_KEY[r.segment].chinese if r.segment in BY_KEY else ''}".strip(),
            r.customer_id,
        )
        for r in rows
    ]


def show_at_risk(
    screen: Any, rows: list[insight.AtRisk], total: int, make_list: Callable[..., Any]
) -> None:
    """Mount (or update, or remove when empty) the desk's "Valuable customers at risk",
    most yearly value at risk first; `make_list` is the desk's list widget class."""
    found = screen.query("#at-risk")
    if not rows:
        found.remove()
        return
    widget = found.first() if found else make_list(id="at-risk", classes="desk-section")
    widget.border_title = f"Valuable customers at risk ({total:,})"
    if not found:
        screen.query_one("#desk-grid").mount(widget, before=screen.query_one("#numbers"))
    widget.show(at_risk_items(rows, "CNY"), "", total)


def load_at_risk(screen: Any, make_list: Callable[..., Any]) -> None:
    """Make the figures current and read the desk's panel in a thread worker of its own
    (a new day remakes every customer: the rest of the desk does not wait for it)."""

    def work() -> None:
        insight.refresh_quietly(screen.path, screen.clock)
        rows, total = insight.at_risk(screen.path)
        deliver(screen.app, show_at_risk, screen, rows, total, make_list)

    screen.run_worker(work, thread=True, group="desk-insight", exclusive=True, exit_on_error=False)


def insight_destinations() -> list[Any]:
    """The palette's entries (screens/routing.py lists them): the customers at risk, and
    the Segments and Churn reports."""
    from crm_tui.screens.shell import Destination

    def report(name: str) -> Callable[[Any], None]:
        def go(shell: Any) -> None:
            shell.show_section("reports")

            def after() -> None:
                show = getattr(shell.screen, "action_show_report", None)
                if callable(show):
                    show(name)

            shell.call_after_refresh(after)

        return go

    return [
        Destination(
            "Customers at risk (流失风险)",
            "Valuable (重要) customers whose churn risk is 0.4 or more",
            lambda shell: shell.show_list("customers", AT_RISK_QUERY),
        ),
        Destination(
            "Segments report (客户细分)",
            "Customers per RFM group, their value, and who moved this month",
            report("segments"),
        ),
        Destination(
            "Churn report (客户流失)",
            "Customers lost this period and why; risk by segment, owner, competitor",
            report("churn"),
        ),
    ]
