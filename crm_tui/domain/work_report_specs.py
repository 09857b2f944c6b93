"""Provides the office records of issue 17 (work reports 日报/周报/月报, their comments and
read receipts, the team's due rule, the contact log 联系记录) as field specs, plus their
pure rules: the period of a kind for a day, which kinds are due when, the figures block,
the editor template and how long a customer of each grade may go without contact.
`domain/fields.py` adds the specs to the one registry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from crm_tui.domain.field_values import EntitySpec
from crm_tui.domain.field_values import FieldSpec as F

# Periods and the due rule live in a light module (crm remind loads only that one).
from crm_tui.domain.report_rules import (  # noqa: F401 - re-exported
    DEFAULT_RULES,
    DueRule,
    OfficeError,
    ReportPeriod,
    format_weekdays,
    not_written_text,
    overdue_kinds,
    parse_due_by,
    parse_period,
    parse_weekdays,
    period_of,
)


class ReportKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Channel(StrEnum):
    CALL = "call"
    VISIT = "visit"
    EMAIL = "email"
    SMS = "sms"
    WECHAT = "wechat"
    MEETING = "meeting"


class Direction(StrEnum):
    OUT = "out"
    IN = "in"


KIND_WORDS = {"daily": "Daily report", "weekly": "Weekly report", "monthly": "Monthly report"}
# A follow-up's kind -> the contact-log channel its done follow-up is logged as (a task
# is no contact with the customer).
CHANNEL_OF_ACTIVITY = {k: k for k in ("call", "visit", "meeting", "email", "sms")}


def _values(enum_type: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_type)


OFFICE_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        "work_report",
        "work_report",
        "period",
        (
            F("kind", "enum", choices=_values(ReportKind), required=True),
            F("period", "text", max_len=20, required=True),
            F("period_start", "date", required=True),
            F("period_end", "date", required=True),
            F("done", "longtext", "What was done", max_len=20_000),
            F("plan", "longtext", "Plan", max_len=20_000),
            F("problems", "longtext", "Problems / help needed", max_len=20_000),
            F("recipients", "text", max_len=2_000),
            F("figures", "longtext", max_len=20_000),
            F("status", "enum", choices=_values(ReportStatus)),
            F("submitted_at", "datetime"),
        ),
        plural="reports",
        aliases=("work_reports", "report", "日报"),
    ),
    EntitySpec(
        "report_comment",
        "report_comment",
        "body",
        (
            F("report_id", "ref", "Report", required=True, ref="work_report"),
            F("reply_to", "ref", "Reply to", ref="report_comment"),
            F("body", "longtext", required=True, max_len=5_000),
            F("audience", "text", max_len=2_000),
        ),
        plural="report_comments",
        aliases=("comment", "comments"),
    ),
    EntitySpec(
        "report_read",
        "report_read",
        "report_id",
        (
            F("report_id", "ref", "Report", required=True, ref="work_report"),
            F("read_at", "datetime", required=True),
            F("audience", "text", max_len=2_000),
        ),
        plural="report_reads",
    ),
    EntitySpec(
        "report_rule",
        "report_rule",
        "kind",
        (
            F("kind", "enum", choices=_values(ReportKind), required=True),
            F("weekdays", "text", max_len=40, required=True),
            F("due_by", "text", "Due by", max_len=5, required=True),
        ),
        plural="report_rules",
    ),
    EntitySpec(
        "contact_log",
        "contact_log",
        "summary",
        (
            F("customer_id", "ref", "Customer", required=True, ref="customer"),
            F("contact_id", "ref", "Contact", ref="contact"),
            F("channel", "enum", choices=_values(Channel), required=True),
            F("direction", "enum", choices=_values(Direction)),
            F("at", "datetime", "When", required=True),
            F("minutes", "int"),
            F("summary", "longtext", max_len=5_000),
            F("activity_id", "ref", "Follow-up", ref="activity"),
        ),
        plural="contact_logs",
        aliases=("log", "logs", "contacts_log", "联系记录"),
    ),
)




# --- figures ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    money: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("followups_done", "Follow-ups done"),
    Figure("visits", "Visits"),
    Figure("contacts_logged", "Contacts logged"),
    Figure("new_customers", "New customers"),
    Figure("deals_created", "Deals created"),
    Figure("deals_created_amount", "Deals created, amount", money=True),
    Figure("deals_won", "Deals won"),
    Figure("deals_won_amount", "Deals won, amount", money=True),
    Figure("claims", "Claims"),
    Figure("claims_amount", "Claims, amount", money=True),
    Figure("payments", "Payments received"),
    Figure("payments_amount", "Payments received, amount", money=True),
    Figure("service_done", "Service orders finished"),
)


def figure_lines(figures: dict[str, Any], money: Any) -> list[tuple[str, str]]:
    """(label, shown value) of every figure present; `money(int) -> str` formats amounts.
    A count's amount goes beside it: ("Deals won", "2 (¥30,000.00)")."""
    out: list[tuple[str, str]] = []
    for fig in FIGURES:
        if fig.key in figures and figures[fig.key] is not None:
            value = figures[fig.key]
            if fig.money and out and fig.label == f"{out[-1][0]}, amount":
                out[-1] = (out[-1][0], f"{out[-1][1]} ({money(value)})")
                continue
            out.append((fig.label, money(value) if fig.money else str(value)))
    return out


def load_figures(text: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


# --- the editor template (crm report write, like git commit) ---------------------------
SECTIONS = (("done", "What was done"), ("plan", "Plan for next period"), ("problems", "Problems"))


def template(title: str, texts: dict[str, str | None], figure_text: list[str]) -> str:
    """The file a rep edits: a `[section]` line before each part; `#` lines are ignored."""
    lines = [
        f"# {title}",
        "# Write under each [section]. Lines starting with '#' are ignored;",
        "# an empty report aborts.",
    ]
    for key, label in SECTIONS:
        lines += ["", f"[{key}]  # {label}", (texts.get(key) or "").rstrip()]
    lines += ["", "# Figures (filled in; frozen when the report is submitted):"]
    lines += [f"#   {line}" for line in figure_text] or ["#   (none)"]
    return "\n".join(lines) + "\n"


def parse_template(text: str) -> dict[str, str]:
    """The sections of an edited template; every value '' when the rep wrote nothing."""
    out = {key: [] for key, _ in SECTIONS}  # type: dict[str, list[str]]
    current: str | None = None
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        head = re.match(r"\s*\[(\w+)\]", line)
        if head and head[1] in out:
            current = head[1]
            continue
        if current is not None:
            out[current].append(line)
    return {key: "\n".join(lines).strip() for key, lines in out.items()}


# --- contact rules ---------------------------------------------------------------------
# A customer of a grade is "not contacted" after this many days (configurable).
QUIET_DAYS: dict[str, int] = {"A": 14, "B": 30, "C": 90}


def parse_quiet_days(text: str | None) -> dict[str, int]:
    """'A=14,B=30,C=90' (any subset) over the defaults."""
    days = dict(QUIET_DAYS)
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        grade, eq, value = part.partition("=")
        grade = grade.strip().upper()
        if not eq or grade not in QUIET_DAYS or not value.strip().isdigit():
            raise OfficeError("days", f"'{part}' is not GRADE=DAYS such as A=14")
        days[grade] = int(value)
    return days
