"""Provides the enumerations and business rules of the CRM (stages, statuses, grades)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class CustomerKind(StrEnum):
    COMPANY = "company"
    PERSON = "person"


class CustomerStatus(StrEnum):
    POTENTIAL = "potential"
    CONTACTED = "contacted"
    CLOSED = "closed"
    LOST = "lost"


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class ActivityKind(StrEnum):
    CALL = "call"
    VISIT = "visit"
    MEETING = "meeting"
    EMAIL = "email"
    SMS = "sms"
    TASK = "task"


class Stage(StrEnum):
    LEAD = "lead"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"


class ExpenseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    REIMBURSED = "reimbursed"


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


EXPENSE_CATEGORIES = (
    "travel",
    "lodging",
    "meals",
    "entertainment",
    "transport",
    "gifts",
    "samples",
    "other",
)

DEFAULT_LOST_REASONS = (
    "price",
    "competitor",
    "no budget",
    "no decision",
    "timing",
    "product fit",
    "relationship",
)

# Probability a deal closes when it enters a stage; a rep may override it per deal.
STAGE_PROBABILITY: dict[Stage, int] = {
    Stage.LEAD: 10,
    Stage.QUALIFIED: 25,
    Stage.PROPOSAL: 50,
    Stage.NEGOTIATION: 75,
    Stage.WON: 100,
    Stage.LOST: 0,
}

OPEN_STAGES = (Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
STAGE_ORDER = tuple(Stage)


class RuleError(ValueError):
    """A business rule refused a change; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def next_stage(stage: Stage, step: int) -> Stage:
    """The stage `step` places along the pipeline, clamped to its ends."""
    index = STAGE_ORDER.index(stage) + step
    return STAGE_ORDER[max(0, min(index, len(STAGE_ORDER) - 1))]


def check_stage(stage: Stage, closed_on: date | None, lost_reason: str | None) -> None:
    """Won and lost deals need the date they closed; a lost deal needs its reason."""
    if stage in (Stage.WON, Stage.LOST) and closed_on is None:
        raise RuleError("closed_on", f"a {stage} deal needs the date it closed")
    if stage is Stage.LOST and not (lost_reason or "").strip():
        raise RuleError("lost_reason", "a lost deal needs a reason")


def weighted_amount(amount: int, probability: int) -> int:
    """Expected value in minor units, rounded half up."""
    return (amount * probability + 50) // 100


# Which status changes a claim may make, and who may make them.
EXPENSE_TRANSITIONS: dict[ExpenseStatus, dict[ExpenseStatus, Role]] = {
    ExpenseStatus.DRAFT: {ExpenseStatus.SUBMITTED: Role.REP},
    ExpenseStatus.SUBMITTED: {
        ExpenseStatus.APPROVED: Role.MANAGER,
        ExpenseStatus.REJECTED: Role.MANAGER,
        ExpenseStatus.DRAFT: Role.REP,  # the rep withdraws the claim before a decision
    },
    ExpenseStatus.REJECTED: {ExpenseStatus.DRAFT: Role.REP},
    ExpenseStatus.APPROVED: {ExpenseStatus.REIMBURSED: Role.MANAGER},
    ExpenseStatus.REIMBURSED: {},
}


def check_expense_transition(current: ExpenseStatus, target: ExpenseStatus, role: Role) -> None:
    allowed = EXPENSE_TRANSITIONS[current]
    if target not in allowed:
        raise RuleError("status", f"a {current} claim cannot become {target}")
    needed = allowed[target]
    if needed is Role.MANAGER and role is Role.REP:
        raise RuleError("status", f"only a manager can mark a claim {target}")


def expense_is_editable(status: ExpenseStatus) -> bool:
    """Only drafts (and rejected claims being reworked) may be edited; submitted ones are locked."""
    return status in (ExpenseStatus.DRAFT, ExpenseStatus.REJECTED)
