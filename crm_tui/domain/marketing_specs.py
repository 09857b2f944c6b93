"""Provides the marketing records (issue 16, 市场管理): campaigns, their members and partners —
field specs for the one registry, and the pure rules: member status steps, the dedupe key of
a person on a campaign and the member id made from it (so two laptops adding one person
offline make one row), and the fields whose earliest value wins a merge.

No I/O and no ORM: storage and services call these with plain values.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from crm_tui.domain.customer_keys import normalise_name
from crm_tui.domain.field_values import EntitySpec
from crm_tui.domain.field_values import FieldSpec as F


class CampaignKind(StrEnum):
    EXHIBITION = "exhibition"
    SEMINAR = "seminar"
    WEBINAR = "webinar"
    PROMOTION = "promotion"
    VISIT_DAY = "visit_day"  # customer visit day
    OTHER = "other"


class CampaignStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"  # open for registration
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class MemberStatus(StrEnum):
    INVITED = "invited"
    REGISTERED = "registered"
    ATTENDED = "attended"
    DECLINED = "declined"
    NO_SHOW = "no_show"


class MemberSource(StrEnum):
    INVITATION = "invitation"
    WEB_FORM = "web_form"  # a registration list from a web form or Excel
    WALK_IN = "walk_in"


class PartnerKind(StrEnum):
    CO_ORGANISER = "co_organiser"
    SPONSOR = "sponsor"
    VENUE = "venue"
    RESELLER = "reseller"
    SUPPLIER = "supplier"


def _values(enum_type: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_type)


MARKETING_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        "campaign",
        "campaign",
        "name",
        (
            F("name", "text", required=True),
            F("kind", "enum", choices=_values(CampaignKind)),
            F("status", "enum", choices=_values(CampaignStatus)),
            F("starts_on", "date", "Start"),
            F("ends_on", "date", "End"),
            F("place", "text", max_len=300),
            F("budget", "money"),
            F("currency", "currency"),
            F("partner_ids", "text", "Partners", max_len=2_000),
            F("notes", "longtext", max_len=4_000),
        ),
        plural="campaigns",
        aliases=("event", "events", "市场活动"),
    ),
    EntitySpec(
        "campaign_member",
        "campaign_member",
        "name",
        (
            F("campaign_id", "ref", "Campaign", required=True, ref="campaign"),
            F("contact_id", "ref", "Contact", ref="contact"),
            F("customer_id", "ref", "Customer", ref="customer"),
            F("name", "text", required=True),
            F("company", "text"),
            F("phone", "phone"),
            F("email", "email"),
            F("status", "enum", choices=_values(MemberStatus)),
            F("source", "enum", choices=_values(MemberSource)),
            F("invited_at", "datetime"),
            F("registered_at", "datetime"),
            F("attended_at", "datetime"),
            F("attended_by", "text", max_len=64),
            F("declined_at", "datetime"),
            F("status_by", "text", max_len=64),
            F("notes", "longtext", max_len=4_000),
        ),
        plural="members",
        aliases=("campaign_members", "member", "registrant", "registrants"),
    ),
    EntitySpec(
        "partner",
        "partner",
        "name",
        (
            F("name", "text", required=True),
            F("kind", "enum", choices=_values(PartnerKind)),
            F("contact_person", "text"),
            F("phone", "phone"),
            F("email", "email"),
            F("notes", "longtext", max_len=4_000),
        ),
        plural="partners",
        aliases=("合作伙伴",),
    ),
)

# A merge keeps the earliest check-in whatever its clock: two desks checking one person in
# offline converge to one attended record with the earliest time; the companion fields
# (who checked them in) follow the time they belong to. Read by both merges.
EARLIEST_WINS: dict[str, dict[str, tuple[str, ...]]] = {
    "campaign_member": {"attended_at": ("attended_by",)},
}


class MarketingError(ValueError):
    """A rule of campaigns or members was broken; `field` names what to fix."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


# --- member status ---------------------------------------------------------------------
# Which status a member may move to from each; attended is final except a correction to
# no-show (a desk mistake), and anyone may be checked in at the door. A no-show is someone
# who registered and did not come: an invitee who never answered stays invited.
MEMBER_STEPS: dict[MemberStatus, frozenset[MemberStatus]] = {
    MemberStatus.INVITED: frozenset(
        {MemberStatus.REGISTERED, MemberStatus.ATTENDED, MemberStatus.DECLINED}
    ),
    MemberStatus.REGISTERED: frozenset(
        {MemberStatus.ATTENDED, MemberStatus.DECLINED, MemberStatus.NO_SHOW}
    ),
    MemberStatus.DECLINED: frozenset({MemberStatus.REGISTERED, MemberStatus.ATTENDED}),
    MemberStatus.NO_SHOW: frozenset({MemberStatus.ATTENDED}),
    MemberStatus.ATTENDED: frozenset({MemberStatus.NO_SHOW}),
}
STATUS_TIME = {
    MemberStatus.INVITED: "invited_at",
    MemberStatus.REGISTERED: "registered_at",
    MemberStatus.ATTENDED: "attended_at",
    MemberStatus.DECLINED: "declined_at",
}


def check_member_step(current: str, target: str) -> None:
    """Raise MarketingError when a member cannot move from `current` to `target`."""
    now, to = MemberStatus(current), MemberStatus(target)
    if to == now:
        raise MarketingError("status", f"already {now.value.replace('_', '-')}")
    if to == MemberStatus.NO_SHOW and now in (MemberStatus.INVITED, MemberStatus.DECLINED):
        raise MarketingError(
            "status",
            f"only a registrant can be a no-show; this one is {now.value} and never registered",
        )
    if to not in MEMBER_STEPS[now]:
        article = "an" if now.value[0] in "aeiou" else "a"
        shown = to.value.replace("_", "-")
        raise MarketingError("status", f"{article} {now.value} member cannot become {shown}")


def rank(status: str) -> int:
    """How far along a member is, for merging two sign-ups of one person (keep the further)."""
    order = ("declined", "no_show", "invited", "registered", "attended")
    return order.index(status) if status in order else 0


# --- who is one person on a campaign ----------------------------------------------------
_NON_DIGIT = re.compile(r"\D")


def phone_key(phone: str | None) -> str | None:
    """The last 11 digits (a mainland mobile without +86), or None for too few digits."""
    digits = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", phone or ""))
    return digits[-11:] if len(digits) >= 6 else None


def email_key(email: str | None) -> str | None:
    text = (email or "").strip().casefold()
    return text or None


def member_keys(values: Mapping[str, Any]) -> list[str]:
    """Every key that names this person (phone, e-mail, contact, name+company), strongest
    first: two sign-ups sharing any one of them are one member."""
    keys = []
    if key := phone_key(values.get("phone")):
        keys.append(f"phone:{key}")
    if key := email_key(values.get("email")):
        keys.append(f"email:{key}")
    if values.get("contact_id"):
        keys.append(f"contact:{values['contact_id']}")
    name = normalise_name(str(values.get("name") or ""))
    if name:
        company = normalise_name(str(values.get("company") or ""))
        keys.append(f"name:{name}|{company}")
    return keys


_MEMBER_NS = uuid.UUID("6d1b0f4e-16c0-4a55-9a6e-2f6b3c9e7a10")


def member_id(campaign_id: str, values: Mapping[str, Any]) -> str:
    """The member's id, made from the campaign and the person's strongest key: the same on
    every laptop, so two desks adding one person offline write one row (the server merges
    the second create into the first)."""
    keys = member_keys(values)
    if not keys:
        raise MarketingError("name", "a member needs a name, phone or e-mail")
    return str(uuid.uuid5(_MEMBER_NS, f"{campaign_id}|{keys[0]}"))


# --- partners on a campaign ---------------------------------------------------------------
def split_ids(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]


def join_ids(ids: list[str]) -> str | None:
    seen: list[str] = []
    for row_id in ids:
        if row_id and row_id not in seen:
            seen.append(row_id)
    return ",".join(seen) or None
