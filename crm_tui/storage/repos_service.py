"""Provides the after-sales repositories (issue 15): service orders and service plans, and
`ServiceRepositories`, the two of them for one database.

An order's status moves only by its steps (request, approve, start, finish…), each a
command the server checks again (server/crud/service_commands.py); the rules themselves
are domain/service_rules.py. A plan's visits are created with ids made from the plan and
the day, so two laptops offline create one order between them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col

from crm_tui.domain import service_rules as rules
from crm_tui.domain.fields import FieldError, ValidationErrors, to_wire
from crm_tui.domain.models import Service, ServicePlan
from crm_tui.domain.permissions import Actor, why_not_service_step
from crm_tui.storage.repository import NotFound, Repository

if TYPE_CHECKING:
    from crm_tui.storage.store import Store

_PROVISIONAL = re.compile(rf"{rules.PREFIX}-\d{{4}}-P-([0-9A-F]{{6}})")


def _refuse(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def _check_report(values: dict[str, Any]) -> None:
    try:
        rules.check_report(
            values.get("minutes"),
            {k: values[k] for k in rules.COST_FIELDS if values.get(k) is not None},
            values.get("rating"),
        )
    except rules.ServiceError as exc:
        raise _refuse(exc.field, exc.message) from None


class ServiceRepo(Repository[Service]):
    """Service orders: numbered provisionally here, confirmed by the server."""

    entity = "service"
    default_order = ("planned_start", "id")

    def before_create(self, s: Session, rec: Service, values: dict[str, Any]) -> None:
        if rec.status != rules.ServiceStatus.NEW:
            raise _refuse("status", "a new service order starts as new; request dispatch next")
        if (rules.STEP_FIELDS - {"status"}) & {k for k, v in values.items() if v is not None}:
            raise _refuse("status", "approval and visit times are set by the steps")
        _check_report(values)
        plan = s.get(ServicePlan, rec.plan_id) if rec.plan_id else None
        if plan is not None and plan.owner_id:
            # A plan's visit is its owner's, whoever's laptop made it (a manager may).
            rec.owner_id = plan.owner_id
        if not rec.number:
            year = (rec.planned_start or self.db.clock.now()).year
            rec.number = rules.provisional_number(year, rec.id)

    def before_update(self, s: Session, rec: Service, changes: dict[str, Any]) -> None:
        if rules.STEP_FIELDS & set(changes):
            raise _refuse("status", "use request, approve, start, finish… to move an order")
        if "number" in changes and changes["number"] != rec.number:
            raise _refuse("number", "the server numbers service orders")
        if set(changes) & set(rules.REPORT_FIELDS):
            raise _refuse("status", "time, costs and rating are given when finishing (x)")
        if not rules.is_editable(rec.status):
            raise _refuse("status", f"a {rules.label(rec.status)} order is locked")

    def before_delete(self, s: Session, rec: Service) -> None:
        if rec.status not in (rules.ServiceStatus.NEW, rules.ServiceStatus.REJECTED):
            raise _refuse(
                "status", f"a {rules.label(rec.status)} order cannot be deleted; cancel it"
            )

    def step(self, row_id: str, command: str, extra: dict[str, Any] | None = None) -> Service:
        """Take one step here and queue it as a command; the server checks who again and
        sets who decided and when."""
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            try:
                target = rules.check_step(command, rec.status)
            except rules.ServiceError as exc:
                raise _refuse(exc.field, exc.message) from None
            actor = Actor(self.db.user_id, self.db.role)
            reason = why_not_service_step(actor, command, rec.owner_id, rec.engineer_id)
            if reason:
                raise _refuse("status", reason)
            now = self.db.clock.now()
            changes: dict[str, Any] = {"status": target.value}
            changes |= _stamps(command, self.db.user_id, rec.engineer_id, now)
            sent: dict[str, Any] = {}
            if extra:
                sent = dict(extra)
                changes |= sent
            payload = {"command": command, "fields": {k: to_wire(v) for k, v in sent.items()}}
            self._write_command(s, rec, changes, payload)
            return rec

    def finish(self, row_id: str, report: dict[str, Any]) -> Service:
        """Finish a started visit with its report (time in minutes, costs, rating, feedback)."""
        unknown = set(report) - set(rules.REPORT_FIELDS) - {"currency"}
        if unknown:
            raise _refuse(sorted(unknown)[0], "is not part of a finish report")
        _check_report(report)
        return self.step(row_id, "finish", {k: v for k, v in report.items() if v is not None})

    def resolve(self, ref: str, *, include_deleted: bool = False) -> Service:
        """Also by number: SV-2026-0042, or the provisional SV-2026-P-73678C."""
        try:
            return super().resolve(ref, include_deleted=include_deleted)
        except NotFound:
            wanted = ref.strip().upper()
            found = self.page(
                where=[Service.number == wanted], limit=2, include_deleted=include_deleted
            )
            if len(found) == 1:
                return found[0]
            match = _PROVISIONAL.fullmatch(wanted)
            if not match:
                raise
        tail = match.group(1).lower()
        found = self.page(
            where=[func.lower(func.replace(Service.id, "-", "")).like(f"%{tail}")],
            limit=2,
            include_deleted=include_deleted,
        )
        if len(found) == 1:
            return found[0]
        raise NotFound(f"no service matches '{ref}'" if not found else f"'{ref}' is ambiguous")

    def seed_history(self, row_id: str, changes: dict[str, Any]) -> Service:
        """Demo data only: write a past order's steps and report directly (no commands, no
        undo entry; the demo empties the outbox of its seed data afterwards)."""
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            return self._apply(s, rec, changes, kind="patch", record_undo=False)

    def of_customer(self, customer_id: str, limit: int = 200) -> list[Service]:
        return self.page(
            where=[Service.customer_id == customer_id],
            order_by=[col(Service.planned_start).desc(), Service.id],
            limit=limit,
        )


def _stamps(command: str, user_id: str | None, engineer: str | None, now: Any) -> dict[str, Any]:
    """What a step writes besides the status, as the server will (it sets them again)."""
    if command == "request":
        return {"requested_at": now, "approver_id": None, "decision_note": None}
    if command == "approve":
        return {"approver_id": user_id, "approved_at": now, "dispatched_to": engineer}
    if command == "reject":
        return {"approver_id": user_id}
    stamp = {"start": "started_at", "finish": "finished_at", "close": "closed_at"}.get(command)
    return {stamp: now} if stamp else {}


class ServicePlanRepo(Repository[ServicePlan]):
    """Recurring schedules; `every` is checked by the rules (2w, 1m, 3m…)."""

    entity = "service_plan"
    default_order = ("starts_on", "id")

    def _check(self, s: Session, rec: ServicePlan, touched: Any) -> None:
        errors: list[FieldError] = []
        try:
            rules.parse_every(rec.every)
        except rules.ServiceError as exc:
            errors.append(FieldError(exc.field, exc.message))
        if rec.ends_on is not None and rec.starts_on and rec.ends_on < rec.starts_on:
            errors.append(FieldError("ends_on", "ends before it starts"))
        try:
            super()._check(s, rec, touched)
        except ValidationErrors as exc:
            errors = exc.errors + errors
        if errors:
            raise ValidationErrors(errors)

    def of_customer(self, customer_id: str) -> list[ServicePlan]:
        return self.page(where=[ServicePlan.customer_id == customer_id], limit=200)

    def active(self) -> list[ServicePlan]:
        return self.page(where=[col(ServicePlan.active).is_(True)], limit=10_000)


class ServiceRepositories:
    """The after-sales repositories of one database, by role and by entity name."""

    def __init__(self, db: Store, repos: Any = None) -> None:
        self.services = ServiceRepo(db, repos)
        self.service_plans = ServicePlanRepo(db, repos)
        self.by_entity: dict[str, Repository[Any]] = {
            "service": self.services,
            "service_plan": self.service_plans,
        }
