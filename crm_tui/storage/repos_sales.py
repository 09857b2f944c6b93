"""Provides the sales repositories: follow-ups (done -> next), deals (stage moves) and their
lines, and expense claims (edits locked once submitted; steps as server-checked commands).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col

from crm_tui.domain import rules
from crm_tui.domain.fields import FieldError, ValidationErrors, to_wire
from crm_tui.domain.models import Activity, Expense, Opportunity, OpportunityLine
from crm_tui.storage.repository import Repository


class ActivityRepo(Repository[Activity]):
    """Follow-ups: calls, visits, meetings, e-mails, SMS and tasks."""

    entity = "activity"
    default_order = ("due_at", "id")

    def _default_remind(self, rec: Activity) -> None:
        # Remind at the due time, or at 09:00 on the due day when only a day was given.
        if rec.due_at is None or rec.done_at is not None:
            return
        if rec.all_day:
            day = self.db.clock.to_local(rec.due_at).date()
            rec.remind_at = self.db.clock.at_local(day, time(9, 0))
        else:
            rec.remind_at = rec.due_at

    def before_create(self, s: Session, rec: Activity, values: dict[str, Any]) -> None:
        if rec.remind_at is None:
            self._default_remind(rec)

    def before_update(self, s: Session, rec: Activity, changes: dict[str, Any]) -> None:
        if ("due_at" in changes or "all_day" in changes) and "remind_at" not in changes:
            probe = Activity.model_validate(rec.model_dump() | changes)
            self._default_remind(probe)
            changes["remind_at"] = probe.remind_at

    def done(
        self,
        row_id: str,
        *,
        outcome: str | None = None,
        next_due: str | datetime | None = None,
        next_subject: str | None = None,
        next_kind: str | None = None,
    ) -> tuple[Activity, Activity | None]:
        """Close a follow-up and, in the same transaction, schedule the next one."""
        with self.db.transaction():
            rec = self.require(row_id)
            if rec.done_at is not None:
                raise ValidationErrors([FieldError("done_at", "this follow-up is already done")])
            closed = self.update(
                row_id, {"done_at": self.db.clock.now(), "outcome": outcome or rec.outcome}
            )
            follow = None
            if next_due is not None:
                values: dict[str, Any] = {
                    "customer_id": rec.customer_id,
                    "contact_id": rec.contact_id,
                    "opportunity_id": rec.opportunity_id,
                    "kind": next_kind or rec.kind,
                    "subject": next_subject or rec.subject,
                }
                if isinstance(next_due, str):
                    from crm_tui.domain.dates import parse_when

                    try:
                        values["due_at"], values["all_day"] = parse_when(next_due, self.db.clock)
                    except ValueError as exc:
                        raise ValidationErrors([FieldError("next", str(exc))]) from None
                else:
                    values["due_at"] = next_due
                follow = self.create(values)
            return closed, follow

    def of_customer(self, customer_id: str, limit: int = 200) -> list[Activity]:
        return self.page(
            where=[Activity.customer_id == customer_id],
            order_by=[col(Activity.due_at).desc(), Activity.id],
            limit=limit,
        )


class OpportunityRepo(Repository[Opportunity]):
    entity = "opportunity"
    default_order = ("expected_close", "id")

    def before_create(self, s: Session, rec: Opportunity, values: dict[str, Any]) -> None:
        if "probability" not in values:
            rec.probability = rules.STAGE_PROBABILITY[rules.Stage(rec.stage)]
        rec.stage_changed_at = self.db.clock.now()

    def before_update(self, s: Session, rec: Opportunity, changes: dict[str, Any]) -> None:
        stage = changes.get("stage")
        if stage and stage != rec.stage:
            changes.setdefault("probability", rules.STAGE_PROBABILITY[rules.Stage(stage)])
            changes["stage_changed_at"] = self.db.clock.now()
            if rules.Stage(stage) in rules.OPEN_STAGES:
                changes.setdefault("closed_on", None)
                changes.setdefault("lost_reason", None)

    def move(
        self,
        row_id: str,
        step: int,
        *,
        closed_on: date | None = None,
        lost_reason: str | None = None,
        lost_note: str | None = None,
    ) -> Opportunity:
        """Move a deal `step` stages along the pipeline (won/lost ask for date and reason)."""
        rec = self.require(row_id)
        target = rules.next_stage(rules.Stage(rec.stage), step)
        changes: dict[str, Any] = {"stage": target.value}
        if target in (rules.Stage.WON, rules.Stage.LOST):
            changes["closed_on"] = closed_on or self.db.clock.today()
        if target is rules.Stage.LOST:
            changes["lost_reason"] = lost_reason
            changes["lost_note"] = lost_note
        return self.update(row_id, changes)

    def of_customer(self, customer_id: str) -> list[Opportunity]:
        return self.page(where=[Opportunity.customer_id == customer_id], limit=500)


class OpportunityLineRepo(Repository[OpportunityLine]):
    entity = "opportunity_line"

    def of_opportunity(self, opportunity_id: str) -> list[OpportunityLine]:
        return self.page(where=[OpportunityLine.opportunity_id == opportunity_id], limit=500)


class ExpenseRepo(Repository[Expense]):
    """Claims: drafts are edited freely; status changes go through commands the server checks."""

    entity = "expense"
    default_order = ("spent_on", "id")

    def before_create(self, s: Session, rec: Expense, values: dict[str, Any]) -> None:
        if rec.status != rules.ExpenseStatus.DRAFT:
            raise ValidationErrors([FieldError("status", "a new claim starts as a draft")])

    def before_update(self, s: Session, rec: Expense, changes: dict[str, Any]) -> None:
        if "status" in changes and changes["status"] != rec.status:
            raise ValidationErrors(
                [
                    FieldError(
                        "status",
                        "use submit, withdraw, approve or reject to change a claim's status",
                    )
                ]
            )
        if not rules.expense_is_editable(rules.ExpenseStatus(rec.status)):
            raise ValidationErrors(
                [FieldError("status", f"a {rec.status} claim is locked; withdraw it to edit")]
            )

    def before_delete(self, s: Session, rec: Expense) -> None:
        if not rules.expense_is_editable(rules.ExpenseStatus(rec.status)):
            raise ValidationErrors(
                [FieldError("status", f"a {rec.status} claim cannot be deleted")]
            )

    def _command(self, row_id: str, target: rules.ExpenseStatus, extra: dict[str, Any]) -> Expense:
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            try:
                rules.check_expense_transition(
                    rules.ExpenseStatus(rec.status), target, rules.Role(self.db.role)
                )
            except rules.RuleError as exc:
                raise ValidationErrors([FieldError(exc.field, exc.message)]) from None
            changes = {"status": target.value} | extra
            payload = {
                "command": target.value,
                "fields": {k: to_wire(v) for k, v in changes.items()},
            }
            self._write_command(s, rec, changes, payload)
            return rec

    def submit(self, row_id: str) -> Expense:
        return self._command(
            row_id, rules.ExpenseStatus.SUBMITTED, {"submitted_at": self.db.clock.now()}
        )

    def withdraw(self, row_id: str) -> Expense:
        return self._command(row_id, rules.ExpenseStatus.DRAFT, {"submitted_at": None})

    def approve(self, row_id: str, note: str | None = None) -> Expense:
        return self._command(
            row_id,
            rules.ExpenseStatus.APPROVED,
            {
                "decided_at": self.db.clock.now(),
                "decision_note": note,
                "approver_id": self.db.user_id,
            },
        )

    def reject(self, row_id: str, note: str) -> Expense:
        if not note.strip():
            raise ValidationErrors([FieldError("decision_note", "say why the claim is rejected")])
        return self._command(
            row_id,
            rules.ExpenseStatus.REJECTED,
            {
                "decided_at": self.db.clock.now(),
                "decision_note": note,
                "approver_id": self.db.user_id,
            },
        )
