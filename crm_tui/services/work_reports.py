"""Provides work reports (日报 / 周报 / 月报, issue 17) for screens and the CLI: write a
draft for a kind and period (from fields or from the `$EDITOR` template), its figures
filled in from the rep's own records, submit it (the figures are frozen then), read it
(a read receipt for the author), comment (threaded), the managers' team view and the
team's due rule ("today's report not written" after its time).

The figures come from storage/office_queries.py on a read-only sqlite3 connection: the
same numbers a plain SQL count gives (tests hold them to it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crm_tui.domain import work_report_specs as office
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.money import format_money
from crm_tui.domain.permissions import is_manager
from crm_tui.storage.engine import connect
from crm_tui.storage.office_queries import due_rules, report_figures

if TYPE_CHECKING:
    from crm_tui.domain.models import ReportComment, ReportRule, WorkReport
    from crm_tui.services.book import Book
    from crm_tui.storage.repos_office import OfficeRepositories

__all__ = [
    "Comment",
    "ReportView",
    "TeamRow",
    "comment",
    "draft",
    "figures_for",
    "figure_text",
    "not_written",
    "period",
    "read",
    "recipients_default",
    "set_rule",
    "submit",
    "team_view",
    "template_for",
    "write_from_text",
]

NOT_MANAGER = "only a manager sees the team's reports"


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def office_repos(book: Book) -> OfficeRepositories:
    return book.db.repos.office


def period(book: Book, kind: str, text: str | None = None) -> office.ReportPeriod:
    """The period of `kind` that `text` names (default: the current one)."""
    try:
        return office.parse_period(kind, text, book.clock.today())
    except office.OfficeError as exc:
        raise _error(exc.field, exc.message) from None


def figures_for(book: Book, owner_id: str | None, p: office.ReportPeriod) -> dict[str, int]:
    """The figures of `owner_id`'s records in the period, counted now."""
    conn = connect(book.path, readonly=True)
    try:
        return report_figures(
            conn,
            owner_id=owner_id,
            start=p.start,
            end=p.end,
            clock=book.clock,
            currency=book.input_context.currency,
        )
    finally:
        conn.close()


def figure_text(book: Book, figures: dict[str, Any]) -> list[str]:
    """'Follow-ups done: 5' lines of a figures block."""
    currency = book.input_context.currency
    return [
        f"{label}: {value}"
        for label, value in office.figure_lines(figures, lambda v: format_money(v, currency))
    ]


def recipients_default(book: Book) -> list[str]:
    """The rep's managers: every manager or admin of the team but the author."""
    users = book.db.repos.users.page(limit=10_000)
    return [u.id for u in users if is_manager(u.role) and u.id != book.user_id]


def _recipient_ids(book: Book, names: list[str] | None) -> str:
    if not names:
        return " ".join(recipients_default(book))
    ids = []
    for name in names:
        found = book.db.repos.users.member_id(name)
        if found is None:
            raise _error("recipients", f"no team member '{name}'")
        ids.append(found)
    return " ".join(dict.fromkeys(ids))


def draft(
    book: Book,
    kind: str,
    period_text: str | None = None,
    *,
    done: str | None = None,
    plan: str | None = None,
    problems: str | None = None,
    to: list[str] | None = None,
) -> WorkReport:
    """Write (or rewrite) the rep's draft of `kind` for the period; returns it."""
    p = period(book, kind, period_text)
    repo = office_repos(book).reports
    texts = {"done": done, "plan": plan, "problems": problems}
    texts = {k: v for k, v in texts.items() if v is not None}
    existing = repo.mine(kind, p.label)
    if existing is not None:
        changes: dict[str, Any] = dict(texts)
        if to is not None:
            changes["recipients"] = _recipient_ids(book, to)
        return repo.update(existing.id, changes) if changes else existing
    values = {
        "kind": kind,
        "period": p.label,
        "period_start": p.start,
        "period_end": p.end,
        "recipients": _recipient_ids(book, to),
        "status": "draft",
    } | texts
    return repo.create(values)


def template_for(book: Book, kind: str, period_text: str | None = None) -> tuple[Any, str]:
    """(the period, the editor's text): the rep's draft so far and the live figures."""
    p = period(book, kind, period_text)
    existing = office_repos(book).reports.mine(kind, p.label)
    if existing is not None and existing.status == "submitted":
        raise _error("period", f"your {kind} report for {p.label} is already submitted")
    texts = {key: getattr(existing, key) if existing else None for key, _ in office.SECTIONS}
    title = f"{office.KIND_WORDS[kind]} {p.label}"
    figures = figure_text(book, figures_for(book, book.user_id, p))
    return p, office.template(title, texts, figures)


def write_from_text(
    book: Book, kind: str, period_text: str | None, text: str, to: list[str] | None = None
) -> WorkReport | None:
    """Save the edited template as the draft; None (nothing written) when it is empty."""
    parts = office.parse_template(text)
    if not any(parts.values()):
        return None
    return draft(book, kind, period_text, to=to, **parts)


def submit(book: Book, ref: str) -> WorkReport:
    """Submit the rep's report: its figures counted now and frozen with it."""
    repo = office_repos(book).reports
    rec = repo.resolve(ref)
    p = office.period_of(rec.kind, rec.period_start)
    figures = figures_for(book, rec.owner_id, p)
    return repo.submit(rec.id, json.dumps(figures), book.clock.now())


# --- reading --------------------------------------------------------------------------
@dataclass
class Comment:
    id: str
    author: str
    at: datetime
    body: str
    depth: int
    mine: bool


@dataclass
class ReportView:
    report: WorkReport
    author: str
    recipients: list[str]
    figures: list[str]
    frozen: bool
    comments: list[Comment] = field(default_factory=list)
    read_by: list[tuple[str, datetime]] = field(default_factory=list)


def _names(book: Book) -> dict[str, str]:
    return {v: k for k, v in book.db.repos.users.members().items()}


def _thread(rows: list[ReportComment], names: dict[str, str], me: str | None) -> list[Comment]:
    """Comments in reading order: each reply under the one it answers, indented."""
    children: dict[str | None, list[ReportComment]] = {}
    ids = {r.id for r in rows}
    for r in rows:
        parent = r.reply_to if r.reply_to in ids else None
        children.setdefault(parent, []).append(r)
    out: list[Comment] = []

    def walk(parent: str | None, depth: int) -> None:
        for r in children.get(parent, []):
            who = names.get(r.owner_id or "", "me" if r.owner_id == me else "?")
            out.append(Comment(r.id, who, r.created_at, r.body, depth, r.owner_id == me))
            walk(r.id, depth + 1)

    walk(None, 0)
    return out


def view(book: Book, ref: str) -> ReportView:
    """A report with its figures (frozen, or counted now for a draft), comments, readers."""
    repos = office_repos(book)
    rec = repos.reports.resolve(ref)
    names = _names(book)
    if rec.status == "submitted":
        figures = office.load_figures(rec.figures)
    else:
        figures = figures_for(book, rec.owner_id, office.period_of(rec.kind, rec.period_start))
    reads = [
        (names.get(r.owner_id or "", r.owner_id or "?"), book.clock.to_local(r.read_at))
        for r in repos.reads.of_report(rec.id)
    ]
    return ReportView(
        rec,
        names.get(rec.owner_id or "", "me" if rec.owner_id == book.user_id else "?"),
        [names.get(i, i) for i in (rec.recipients or "").split()],
        figure_text(book, figures),
        rec.status == "submitted",
        _thread(repos.comments.of_report(rec.id), names, book.user_id),
        reads,
    )


def _audience(book: Book, rec: WorkReport) -> str:
    """Who a comment or read receipt reaches: the report's author and recipients."""
    ids = [rec.owner_id or "", *(rec.recipients or "").split()]
    return " ".join(i for i in dict.fromkeys(ids) if i and i != book.user_id)


def read(book: Book, ref: str) -> ReportView:
    """`view`, and a read receipt when a recipient (not the author) reads it submitted."""
    found = view(book, ref)
    rec = found.report
    repos = office_repos(book)
    if (
        rec.status == "submitted"
        and rec.owner_id != book.user_id
        and repos.reads.by(rec.id, book.user_id) is None
    ):
        repos.reads.create(
            {"report_id": rec.id, "read_at": book.clock.now(), "audience": _audience(book, rec)}
        )
        found = view(book, rec.id)
    return found


def comment(book: Book, ref: str, body: str, reply_to: str | None = None) -> ReportComment:
    repos = office_repos(book)
    rec = repos.reports.resolve(ref)
    if not body.strip():
        raise _error("body", "write the comment")
    values = {"report_id": rec.id, "body": body.strip(), "audience": _audience(book, rec)}
    if reply_to:
        parent = repos.comments.resolve(reply_to)
        if parent.report_id != rec.id:
            raise _error("reply_to", "that comment is on another report")
        values["reply_to"] = parent.id
    return repos.comments.create(values)


def team(book: Book) -> dict[str, str]:
    """The team on this laptop, name -> id."""
    return book.db.repos.users.members()


def read_ids(book: Book) -> set[str]:
    """The reports I have read (my read receipts)."""
    return office_repos(book).reads.read_ids(book.user_id)


def mine_for(book: Book, kind: str, label: str) -> WorkReport | None:
    """The rep's own report of `kind` for the period labelled `label`, if written."""
    return office_repos(book).reports.mine(kind, label)


# --- lists -----------------------------------------------------------------------------
def mine(book: Book, limit: int = 200) -> list[WorkReport]:
    """The rep's own reports, newest period first."""
    from crm_tui.domain.models import WorkReport as Model

    return office_repos(book).reports.page(
        where=[Model.owner_id == book.user_id],
        order_by=[Model.period_start.desc(), Model.kind],  # type: ignore[attr-defined]
        limit=limit,
    )


@dataclass(frozen=True)
class TeamRow:
    """One member's report of a kind and period in the managers' team view."""

    user_id: str
    name: str
    report_id: str | None
    status: str  # missing | draft | submitted
    submitted_at: datetime | None
    read: bool


def team_view(book: Book, kind: str, period_text: str | None = None) -> list[TeamRow]:
    """Every team member (but me): has or has not submitted; unread first, then missing."""
    if not is_manager(book.role):
        raise PermissionError(NOT_MANAGER)
    p = period(book, kind, period_text)
    repos = office_repos(book)
    reports = {r.owner_id: r for r in repos.reports.of_period(kind, p.label)}
    read_ids = repos.reads.read_ids(book.user_id)
    rows = []
    for user in book.db.repos.users.page(limit=10_000):
        if user.id == book.user_id:
            continue
        rec = reports.get(user.id)
        status = rec.status if rec else "missing"
        submitted = rec is not None and status == "submitted"
        rows.append(
            TeamRow(
                user.id,
                user.name,
                rec.id if submitted and rec else None,
                status,
                book.clock.to_local(rec.submitted_at) if submitted and rec.submitted_at else None,
                submitted and rec is not None and rec.id in read_ids,
            )
        )
    order = {"submitted": 0, "draft": 1, "missing": 2}
    return sorted(rows, key=lambda r: (order[r.status], r.read, r.name))


# --- the team's rule -------------------------------------------------------------------
def set_rule(book: Book, kind: str, weekdays: str, due_by: str) -> ReportRule:
    """A manager sets when `kind` is due: weekdays ('mon-fri') by a time ('18:00')."""
    if not is_manager(book.role):
        raise _error("kind", "only a manager sets the team's report rule")
    try:
        days = office.format_weekdays(office.parse_weekdays(weekdays))
        by = office.parse_due_by(due_by).strftime("%H:%M")
    except office.OfficeError as exc:
        raise _error(exc.field, exc.message) from None
    if kind not in office.KIND_WORDS:
        raise _error("kind", f"'{kind}' is not one of daily, weekly, monthly")
    repo = office_repos(book).rules
    existing = repo.of_kind(kind)
    values = {"kind": kind, "weekdays": days, "due_by": by}
    return repo.update(existing.id, values) if existing else repo.create(values)


def rules(book: Book) -> tuple[office.DueRule, ...]:
    """The team's due rules (the newest of each kind; the default until one is set)."""
    conn = connect(book.path, readonly=True)
    try:
        return due_rules(conn)
    finally:
        conn.close()


def not_written(book: Book) -> list[str]:
    """ "today's daily report not written" for each kind due now and not yet submitted."""
    from crm_tui.services.office_reminders import reports_due

    return [line for _, line, _, _ in reports_due(book.path, book.clock)]
