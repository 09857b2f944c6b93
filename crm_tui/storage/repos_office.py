"""Provides the office repositories (issue 17): work reports, their comments and read
receipts, the team's report rules and the contact log, and `OfficeRepositories`, the five
of them for one database.

A report is the author's own until submitted; submitting freezes its figures (the service
fills them) and its text. Who sees a report (its author, its recipients, the managers) is
the rule book's; comments and read receipts carry the report's audience so they reach the
same people.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from crm_tui.domain import work_report_specs as office
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.models import ContactLog, ReportComment, ReportRead, ReportRule, WorkReport
from crm_tui.domain.permissions import is_manager
from crm_tui.storage.repository import NotFound, Repository, live

if TYPE_CHECKING:
    from crm_tui.storage.store import Store

_FROZEN = {"done", "plan", "problems", "figures", "kind", "period", "period_start", "period_end"}


def _refuse(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


class WorkReportRepo(Repository[WorkReport]):
    """日报 / 周报 / 月报: one per author, kind and period."""

    entity = "work_report"
    default_order = ("period_start", "id")

    def before_create(self, s: Session, rec: WorkReport, values: dict[str, Any]) -> None:
        if rec.status != office.ReportStatus.DRAFT:
            raise _refuse("status", "a report is written as a draft, then submitted")
        if self.of_author(s, rec.owner_id, rec.kind, rec.period) is not None:
            raise _refuse("period", f"you already have a {rec.kind} report for {rec.period}")

    def before_update(self, s: Session, rec: WorkReport, changes: dict[str, Any]) -> None:
        if rec.owner_id not in (None, self.db.user_id):
            raise _refuse("status", "only its author edits a report; comment on it instead")
        if rec.status == office.ReportStatus.SUBMITTED and _FROZEN & set(changes):
            raise _refuse("status", "this report is submitted; its text and figures are final")
        if "status" in changes and changes["status"] != rec.status:
            raise _refuse("status", "use submit to send a report")

    def before_delete(self, s: Session, rec: WorkReport) -> None:
        if rec.status == office.ReportStatus.SUBMITTED:
            raise _refuse("status", "a submitted report cannot be deleted")

    def of_author(
        self, s: Session, owner_id: str | None, kind: str, period: str
    ) -> WorkReport | None:
        query = select(WorkReport).where(
            WorkReport.owner_id == owner_id,
            WorkReport.kind == kind,
            WorkReport.period == period,
            live(WorkReport),
        )
        return s.exec(query.limit(1)).first()

    def mine(self, kind: str, period: str) -> WorkReport | None:
        with self.db.reading() as s:
            return self.of_author(s, self.db.user_id, kind, period)

    def submit(self, row_id: str, figures: str, at: datetime) -> WorkReport:
        """Freeze the figures and the text: status, time and figures in one step."""
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            if rec.owner_id not in (None, self.db.user_id):
                raise _refuse("status", "only its author submits a report")
            if rec.status == office.ReportStatus.SUBMITTED:
                raise _refuse("status", "this report is already submitted")
            if not (rec.done or "").strip() and not (rec.plan or "").strip():
                raise _refuse("done", "write what was done (or the plan) before submitting")
            # A command the server checks (only the author, only a draft) and stamps with
            # its own time; the figures counted here are frozen with it.
            changes = {"status": "submitted", "submitted_at": at, "figures": figures}
            self._write_command(
                s, rec, changes, {"command": "submit", "fields": {"figures": figures}}
            )
            return rec

    def of_period(self, kind: str, period: str) -> list[WorkReport]:
        return self.page(where=[WorkReport.kind == kind, WorkReport.period == period], limit=10_000)


class ReportCommentRepo(Repository[ReportComment]):
    """A report's comments, threaded by `reply_to`; each its writer's."""

    entity = "report_comment"
    default_order = ("report_id", "created_at")

    def before_update(self, s: Session, rec: ReportComment, changes: dict[str, Any]) -> None:
        if rec.owner_id not in (None, self.db.user_id):
            raise _refuse("body", "only its writer edits a comment")

    def of_report(self, report_id: str) -> list[ReportComment]:
        return self.page(
            where=[ReportComment.report_id == report_id],
            order_by=[ReportComment.created_at, ReportComment.id],
            limit=2_000,
        )


class ReportReadRepo(Repository[ReportRead]):
    """Read receipts: one per reader and report."""

    entity = "report_read"
    default_order = ("report_id", "read_at")

    def of_report(self, report_id: str) -> list[ReportRead]:
        return self.page(where=[ReportRead.report_id == report_id], limit=1_000)

    def resolve(self, ref: str, *, include_deleted: bool = False) -> ReportRead:
        """By id or id prefix only: its title (the report's id) would make `crm show
        REPORT_ID` find the report's receipts as well as the report."""
        ref = ref.strip()
        found = self.get(ref, include_deleted=include_deleted)
        if found is not None:
            return found
        rows = (
            self.page(
                where=[col(ReportRead.id).startswith(ref)], limit=2, include_deleted=include_deleted
            )
            if len(ref) >= 4
            else []
        )
        if len(rows) == 1:
            return rows[0]
        raise NotFound(f"no report_read matches '{ref}'" if not rows else f"'{ref}' is ambiguous")

    def by(self, report_id: str, reader_id: str | None) -> ReportRead | None:
        found = self.page(
            where=[ReportRead.report_id == report_id, ReportRead.owner_id == reader_id], limit=1
        )
        return found[0] if found else None

    def read_ids(self, reader_id: str | None) -> set[str]:
        with self.db.reading() as s:
            query = select(ReportRead.report_id).where(
                ReportRead.owner_id == reader_id, live(ReportRead)
            )
            return set(s.exec(query))


class ReportRuleRepo(Repository[ReportRule]):
    """The team's due rules (set by a manager): one live rule per kind."""

    entity = "report_rule"
    default_order = ("kind", "id")

    def _check(self, s: Session, rec: ReportRule, touched: Any) -> None:
        if not is_manager(self.db.role):
            raise _refuse("kind", "only a manager sets the team's report rule")
        try:
            office.parse_weekdays(rec.weekdays)
            office.parse_due_by(rec.due_by)
        except office.OfficeError as exc:
            raise _refuse(exc.field, exc.message) from None
        super()._check(s, rec, touched)

    def of_kind(self, kind: str) -> ReportRule | None:
        found = self.page(
            where=[ReportRule.kind == kind], order_by=[col(ReportRule.updated_at).desc()], limit=1
        )
        return found[0] if found else None


class ContactLogRepo(Repository[ContactLog]):
    """联系记录: every call, visit, e-mail, SMS, WeChat message or meeting with a customer."""

    entity = "contact_log"
    default_order = ("at", "id")

    def before_create(self, s: Session, rec: ContactLog, values: dict[str, Any]) -> None:
        if rec.minutes is not None and rec.minutes < 0:
            raise _refuse("minutes", "minutes cannot be negative")

    def of_customer(self, customer_id: str, limit: int = 200) -> list[ContactLog]:
        return self.page(
            where=[ContactLog.customer_id == customer_id],
            order_by=[col(ContactLog.at).desc(), ContactLog.id],
            limit=limit,
        )

    def of_activity(self, activity_id: str) -> ContactLog | None:
        found = self.page(where=[ContactLog.activity_id == activity_id], limit=1)
        return found[0] if found else None


class OfficeRepositories:
    """The office repositories of one database, by role and by entity name."""

    def __init__(self, db: Store, repos: Any = None) -> None:
        self.reports = WorkReportRepo(db, repos)
        self.comments = ReportCommentRepo(db, repos)
        self.reads = ReportReadRepo(db, repos)
        self.rules = ReportRuleRepo(db, repos)
        self.contact_logs = ContactLogRepo(db, repos)
        self.by_entity: dict[str, Repository[Any]] = {
            repo.entity: repo
            for repo in (self.reports, self.comments, self.reads, self.rules, self.contact_logs)
        }
