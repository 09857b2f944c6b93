"""Provides service orders (issue 15) for screens and the CLI: add one, its steps (request
dispatch, withdraw, approve / reject, start, finish with the report, close, cancel), the
approvals queue, a customer's orders, and the finish report read from typed text.

Who may take a step is the rule book's (domain/permissions.py); the repository checks each
step and queues it as a command the server checks again. Refusals arrive as
`ValidationErrors` whose messages are sentences for the rep.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm_tui.domain import service_rules as rules
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.money import parse_money
from crm_tui.domain.permissions import can_approve, why_not_service_step

if TYPE_CHECKING:
    from crm_tui.domain.models import Service
    from crm_tui.services.book import Book
    from crm_tui.storage.repos_service import ServiceRepo


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def _repo(book: Book) -> ServiceRepo:
    return book.db.repos.service.services


def get(book: Book, service_id: str) -> Service | None:
    return _repo(book).get(service_id)


def resolve(book: Book, ref: str) -> Service:
    """An order by id, id prefix, subject or number (SV-2026-0042 or its provisional one)."""
    return _repo(book).resolve(ref)


def create(book: Book, values: Mapping[str, Any]) -> Service:
    """A new order (status new). A deal given without a customer books it to the deal's."""
    out = dict(values)
    deal_id = out.get("opportunity_id")
    if deal_id and not out.get("customer_id"):
        deal = book.db.repos.opportunities.get(deal_id)
        if deal is not None:
            out["customer_id"] = deal.customer_id
    return _repo(book).create(out)


def update(book: Book, service_id: str, changes: Mapping[str, Any]) -> Service:
    return _repo(book).update(service_id, dict(changes))


def step(book: Book, service_id: str, command: str, note: str | None = None) -> Service:
    """request, withdraw, approve, reject (with a note), start, close or cancel."""
    if command == "reject" and not (note or "").strip():
        raise _error("decision_note", "say why the dispatch is rejected")
    if command == "request":
        rec = _repo(book).require(service_id)
        if not rec.engineer_id:
            raise _error("engineer_id", "name the engineer to send before requesting dispatch")
    extra = {"decision_note": note.strip()} if command in ("approve", "reject") and note else None
    return _repo(book).step(service_id, command, extra)


def finish(book: Book, service_id: str, report: Mapping[str, Any]) -> Service:
    """Finish a started visit with its report: minutes, costs (minor units), rating 1-5,
    feedback."""
    return _repo(book).finish(service_id, dict(report))


@dataclass(frozen=True)
class Report:
    """A finish report read from text, before it is written."""

    minutes: int | None = None
    parts_cost: int | None = None
    travel_cost: int | None = None
    other_cost: int | None = None
    rating: int | None = None
    feedback: str | None = None

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def read_report(
    book: Book,
    *,
    hours: str | None = None,
    minutes: str | None = None,
    costs: Mapping[str, str] | None = None,
    rating: str | None = None,
    feedback: str | None = None,
) -> Report:
    """Typed text -> a Report; every bad value is reported at once, beside its field
    ('2.5' hours or '150' minutes; costs like {'parts': '300'}; rating 1-5)."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    if minutes is not None and str(minutes).strip():  # the finish form asks minutes
        text = str(minutes).strip()
        if not text.isdigit():
            errors.append(FieldError("minutes", f"'{text[:20]}' is not a number of minutes"))
        else:
            values["minutes"] = int(text)
    if hours is not None and str(hours).strip():
        try:
            values["minutes"] = rules.parse_hours(hours)
        except rules.ServiceError as exc:
            errors.append(FieldError(exc.field, exc.message))
    for name, text in (costs or {}).items():
        field_name = name if name.endswith("_cost") else f"{name}_cost"
        if field_name not in rules.COST_FIELDS:
            errors.append(FieldError(name, f"unknown cost '{name}' (parts, travel or other)"))
            continue
        raw = str(text).strip()
        if not raw:
            continue
        if raw.startswith("-"):
            errors.append(FieldError(field_name, "a cost cannot be negative"))
            continue
        try:
            values[field_name] = parse_money(raw, book.input_context.currency)[0]
        except ValueError as exc:
            errors.append(FieldError(field_name, str(exc)))
    if rating is not None and str(rating).strip():
        try:
            values["rating"] = int(str(rating).strip())
            rules.check_rating(values["rating"])
        except rules.ServiceError as exc:
            errors.append(FieldError(exc.field, exc.message))
        except ValueError:
            errors.append(FieldError("rating", f"'{str(rating)[:10]}' is not a rating from 1 to 5"))
    if feedback is not None and feedback.strip():
        values["feedback"] = feedback.strip()
    if errors:
        raise ValidationErrors(errors)
    return Report(**values)


def why_not(book: Book, rec: Any, command: str) -> str | None:
    """Why this user cannot take `command` on `rec` (a record, or a list row's dict) now
    (None: they can): greys out keys. No database read."""
    get = rec.get if isinstance(rec, dict) else lambda name: getattr(rec, name, None)
    try:
        rules.check_step(command, str(get("status") or "new"))
    except rules.ServiceError as exc:
        return exc.message
    return why_not_service_step(book.actor, command, get("owner_id"), get("engineer_id"))


def is_manager(book: Book) -> bool:
    return can_approve(book.actor)


def waiting_approval(book: Book, limit: int = 500) -> list[Service]:
    """Dispatch requests waiting for a manager (not this manager's own), oldest first."""
    from sqlalchemy import or_
    from sqlmodel import col

    from crm_tui.domain.models import Service

    where: list[Any] = [col(Service.status) == rules.ServiceStatus.REQUESTED.value]
    if book.user_id:  # an unowned request (made before sign-in) is not the manager's own
        owner = col(Service.owner_id)
        where.append(or_(owner.is_(None), owner != book.user_id))
    return _repo(book).page(
        where=where, order_by=[col(Service.requested_at), col(Service.id)], limit=limit
    )


def decide(book: Book, service_id: str, *, approve: bool, note: str) -> str:
    """Approve or reject one dispatch request; returns a message, or raises `ValueError`
    with the rule's sentence."""
    try:
        rec = step(book, service_id, "approve" if approve else "reject", note)
    except ValidationErrors as exc:
        raise ValueError("; ".join(e.message for e in exc.errors)) from None
    verb = "Dispatched" if approve else "Rejected"
    return f"{verb} {rec.number or ''} {rec.subject}; they see it after the next sync."


def of_customer(book: Book, customer_id: str, limit: int = 200) -> list[Service]:
    return _repo(book).of_customer(customer_id, limit)


def total_cost(rec: Service) -> int:
    return rules.total_cost(rec.parts_cost, rec.travel_cost, rec.other_cost)


START_FIRST = rules.START_FIRST  # why `finish` is refused on a dispatched, unstarted order


def _form_report(book: Book, values: Mapping[str, str]) -> Report:
    costs = {k: values[k] for k in rules.COST_FIELDS if k in values}
    return read_report(
        book,
        minutes=values.get("minutes"),
        costs=costs,
        rating=values.get("rating"),
        feedback=values.get("feedback"),
    )


def finish_form_errors(book: Book, values: Mapping[str, str]) -> dict[str, str]:
    """Every bad value of the `x` dialog by field (a rating of 6 beside a negative cost),
    so the dialog marks them all in one round. Reads nothing."""
    try:
        _form_report(book, values)
    except ValidationErrors as exc:
        return exc.by_field()
    return {}


def finish_from_form(book: Book, service_id: str, values: Mapping[str, str]) -> Service:
    """The `x` dialog's fields (minutes, parts_cost, travel_cost, other_cost, rating,
    feedback) as typed: checked together, then the order is finished."""
    return finish(book, service_id, _form_report(book, values).values())


def step_summary(rec: Service, names: Mapping[str | None, str], when: Any) -> list[str]:
    """The order's history, one line per step taken: 'requested 11-23 10:00', 'approved by
    李经理 …' (`when` formats a UTC moment in local time)."""
    lines = [f"created {when(rec.created_at)}"]
    if rec.requested_at:
        lines.append(f"dispatch requested {when(rec.requested_at)}")
    if rec.approved_at:
        lines.append(
            f"dispatched by {names.get(rec.approver_id or '', 'a manager')} {when(rec.approved_at)}"
        )
    elif rec.status == "rejected":
        note = f": {rec.decision_note}" if rec.decision_note else ""
        lines.append(f"rejected by {names.get(rec.approver_id or '', 'a manager')}{note}")
    if rec.started_at:
        lines.append(f"started {when(rec.started_at)}")
    if rec.finished_at:
        lines.append(f"finished {when(rec.finished_at)} ({rules.hours_text(rec.minutes)})")
    if rec.closed_at:
        lines.append(f"closed {when(rec.closed_at)}")
    if rec.status == "cancelled":
        lines.append("cancelled")
    return lines
