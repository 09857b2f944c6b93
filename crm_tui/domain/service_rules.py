"""Provides the pure rules of after-sales service (issue 15): a service order's statuses and
who may take each step (rep, manager, engineer), the finish report's checks (hours, costs in
minor units, a 1-5 rating), service numbers (SV-2026-0042, provisional offline) and the
dates and deterministic ids of the visits a service plan creates. No I/O.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum

from crm_tui.domain import sales_docs


class ServiceError(ValueError):
    """A step or value the rules refuse; `field` names what a form should mark."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


class ServiceKind(StrEnum):
    INSTALL = "install"
    REPAIR = "repair"
    MAINTENANCE = "maintenance"
    INSPECTION = "inspection"
    TRAINING = "training"
    COMPLAINT = "complaint"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ServiceStatus(StrEnum):
    NEW = "new"
    REQUESTED = "requested"
    APPROVED = "approved"  # dispatched: the engineer sees it from here on
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Who(StrEnum):
    OWNER = "owner"  # the rep who created the order
    MANAGER = "manager"  # a manager, never on their own request
    ENGINEER = "engineer"  # the assigned engineer
    OWNER_OR_MANAGER = "owner_or_manager"


S = ServiceStatus
# command -> (from statuses, to status, who may)
COMMANDS: dict[str, tuple[frozenset[ServiceStatus], ServiceStatus, Who]] = {
    "request": (frozenset({S.NEW, S.REJECTED}), S.REQUESTED, Who.OWNER),
    "withdraw": (frozenset({S.REQUESTED}), S.NEW, Who.OWNER),
    "approve": (frozenset({S.REQUESTED}), S.APPROVED, Who.MANAGER),
    "reject": (frozenset({S.REQUESTED}), S.REJECTED, Who.MANAGER),
    "start": (frozenset({S.APPROVED}), S.IN_PROGRESS, Who.ENGINEER),
    "finish": (frozenset({S.IN_PROGRESS}), S.DONE, Who.ENGINEER),
    "close": (frozenset({S.DONE}), S.CLOSED, Who.OWNER_OR_MANAGER),
    "cancel": (
        frozenset({S.NEW, S.REQUESTED, S.REJECTED, S.APPROVED}),
        S.CANCELLED,
        Who.OWNER_OR_MANAGER,
    ),
}
# Statuses whose order is still to be done (the desk, `Overdue`, reminders).
OPEN_STATUSES = frozenset({S.NEW, S.REQUESTED, S.APPROVED, S.IN_PROGRESS})
# Fields only the steps write (a plain edit of them is refused, here and on the server).
STEP_FIELDS = frozenset(
    {
        "status",
        "requested_at",
        "approver_id",
        "approved_at",
        "dispatched_to",
        "decision_note",
        "started_at",
        "finished_at",
        "closed_at",
    }
)
# Of those, the ones the server alone sets (who decided, and when each step happened).
SERVER_FIELDS = STEP_FIELDS - {"status", "decision_note"}
# The finish report: written by the `finish` command only once the order is in progress.
REPORT_FIELDS = ("minutes", "parts_cost", "travel_cost", "other_cost", "rating", "feedback")
COST_FIELDS = ("parts_cost", "travel_cost", "other_cost")


START_FIRST = "start the visit before finishing it"


def check_step(command: str, current: str) -> ServiceStatus:
    """The status `command` leads to from `current`, or a ServiceError saying why not."""
    if command not in COMMANDS:
        raise ServiceError("status", f"unknown service step '{command[:40]}'")
    sources, target, _ = COMMANDS[command]
    if ServiceStatus(current) not in sources:
        if command == "finish" and current == S.APPROVED:
            raise ServiceError("status", START_FIRST)  # the CLI and the app add their key
        raise ServiceError("status", f"a {label(current)} service order cannot be {_past(command)}")
    return target


def who_may(command: str) -> Who:
    return COMMANDS[command][2]


def label(status: str) -> str:
    return str(status).replace("_", " ")


def _past(command: str) -> str:
    return {
        "request": "requested",
        "withdraw": "withdrawn",
        "approve": "approved",
        "reject": "rejected",
        "start": "started",
        "finish": "finished",
        "close": "closed",
        "cancel": "cancelled",
    }[command]


def is_editable(status: str) -> bool:
    """Subject, plan and engineer are edited before dispatch; after it the steps rule."""
    return ServiceStatus(status) in (S.NEW, S.REJECTED)


def dispatched(approved_at: object) -> bool:
    """Whether the engineer sees the order: it was approved once (even if cancelled later)."""
    return bool(approved_at)


# --- the finish report ----------------------------------------------------------------------
_HOURS_RE = re.compile(r"^\s*(\d{1,4})(?:[.,](\d{1,2}))?\s*h?\s*$")
_HM_RE = re.compile(r"^\s*(\d{1,4})\s*:\s*([0-5]\d)\s*$")


def parse_hours(text: str | int | float) -> int:
    """Time spent as minutes: '2.5' or '2.5h' -> 150, '1:45' -> 105."""
    if isinstance(text, bool):
        raise ServiceError("minutes", f"'{text}' is not a number of hours")
    if isinstance(text, int | float):
        if text < 0:
            raise ServiceError("minutes", "time spent cannot be negative")
        return round(text * 60)
    raw = str(text).strip()
    if raw.startswith("-"):
        raise ServiceError("minutes", "time spent cannot be negative")
    hm = _HM_RE.match(raw)
    if hm:
        return int(hm.group(1)) * 60 + int(hm.group(2))
    m = _HOURS_RE.match(raw)
    if not m:
        raise ServiceError("minutes", f"'{raw[:20]}' is not a number of hours (e.g. 2.5)")
    frac = m.group(2) or "0"
    return int(m.group(1)) * 60 + round(int(frac) * 60 / 10 ** len(frac))


def hours_text(minutes: int | None) -> str:
    if not minutes:
        return ""
    h, m = divmod(int(minutes), 60)
    return f"{h}h{m:02d}" if m else f"{h}h"


def check_rating(rating: int | None) -> None:
    if rating is not None and not 1 <= int(rating) <= 5:
        raise ServiceError("rating", f"{rating} is not a rating from 1 to 5")


def planned_error(start: object, end: object) -> str | None:
    """Why a visit's planned window is impossible (it ends before it starts), or None.
    Checked with the whole record (fields.check_record): CLI, form, import and server."""
    if start is None or end is None:
        return None
    try:
        return "ends before it starts" if end < start else None  # type: ignore[operator]
    except TypeError:  # one naive, one aware: compare the wall clock as stored (UTC)
        naive = [v.replace(tzinfo=None) if hasattr(v, "tzinfo") else v for v in (start, end)]
        return "ends before it starts" if naive[1] < naive[0] else None


MAX_MINUTES = 31 * 24 * 60  # one order's time: at most a month (a typo is not a visit)


def check_report(minutes: int | None, costs: dict[str, int], rating: int | None) -> None:
    """A finish report's values: time and costs zero or more, a rating from 1 to 5."""
    if minutes is not None and minutes < 0:
        raise ServiceError("minutes", "time spent cannot be negative")
    if minutes is not None and minutes > MAX_MINUTES:
        raise ServiceError("minutes", f"{minutes} minutes is more than a month; check the time")
    for name, amount in costs.items():
        if name not in COST_FIELDS:
            raise ServiceError(name, f"unknown cost '{name}' (parts, travel or other)")
        if amount < 0:
            raise ServiceError(name, "a cost cannot be negative")
    check_rating(rating)


def total_cost(parts: int | None, travel: int | None, other: int | None) -> int:
    return int(parts or 0) + int(travel or 0) + int(other or 0)


# --- numbers (shared with contracts: sales_docs makes them, the server confirms them) --------
PREFIX = "SV"


def _prefixed(contract_number: str) -> str:
    # The contract scheme (HT-<year>-P-<id tail>, HT-<year>-<seq>) with this prefix.
    return PREFIX + contract_number[contract_number.index("-") :]


def provisional_number(year: int, row_id: str) -> str:
    """SV-2026-P-73678C: made offline; the server replaces it with SV-2026-0042."""
    return _prefixed(sales_docs.provisional_number(year, row_id))


def confirmed_number(year: int, seq: int) -> str:
    return _prefixed(sales_docs.confirmed_number(year, seq))


is_provisional = sales_docs.is_provisional
_CONFIRMED_RE = re.compile(rf"^{PREFIX}-(\d{{4}})-(\d{{4,}})$")


def confirmed_seq(number: str | None, year: int) -> int:
    """The sequence of a confirmed number of `year` (0 for any other number)."""
    m = _CONFIRMED_RE.match(str(number or ""))
    return int(m.group(2)) if m and int(m.group(1)) == year else 0


# --- service plans -------------------------------------------------------------------------
_EVERY_RE = re.compile(r"^\s*(\d{1,3})\s*([wm])\s*$", re.IGNORECASE)
# uuid is imported where it is used: it loads `platform` (~3 ms of every query command).
PLAN_NAMESPACE = "6f1c1a52-8a64-4c0e-9d59-4a1f3e2b7c15"


def parse_every(text: str) -> tuple[int, str]:
    """'3m' -> (3, 'm'), '2w' -> (2, 'w'): a plan recurs every N weeks or months."""
    m = _EVERY_RE.match(text or "")
    if not m or int(m.group(1)) == 0:
        raise ServiceError(
            "every", f"'{(text or '')[:20]}' is not an interval (try 2w, 1m, 3m, 12m)"
        )
    return int(m.group(1)), m.group(2).lower()


def nth_visit(starts_on: date, every: str, index: int) -> date:
    n, unit = parse_every(every)
    if unit == "w":
        return starts_on + timedelta(weeks=n * index)
    return sales_docs.add_months(starts_on, n * index)


def visits_due(
    starts_on: date, every: str, ends_on: date | None, today: date, lead_days: int
) -> list[date]:
    """The plan's visit days from today up to `lead_days` ahead (within starts_on..ends_on)."""
    horizon = today + timedelta(days=max(0, lead_days))
    out: list[date] = []
    for index in range(10_000):
        day = nth_visit(starts_on, every, index)
        if day > horizon or (ends_on is not None and day > ends_on):
            break
        if day >= today:
            out.append(day)
    return out


def visit_id(plan_id: str, day: date) -> str:
    """The one id of a plan's visit on `day`: every laptop makes the same, so two laptops
    offline create one order between them (the server merges the second create)."""
    import uuid

    return str(uuid.uuid5(uuid.UUID(PLAN_NAMESPACE), f"{plan_id}:{day.isoformat()}"))


# --- statistics ----------------------------------------------------------------------------
REPEAT_DAYS = 90
