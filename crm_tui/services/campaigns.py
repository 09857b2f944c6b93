"""Provides campaigns (市场活动, issue 16) for screens and the CLI: add and edit one, move
its status, find one by id or name (partners: services/partners.py; the desk's campaigns of
this week: services/campaign_desk.py). Members are services/campaign_members.py; return
on spend services/campaign_roi.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crm_tui.domain import marketing_specs as rules
from crm_tui.domain.fields import FieldError, ValidationErrors

if TYPE_CHECKING:
    from crm_tui.domain.models import Campaign, Partner
    from crm_tui.services.book import Book
    from crm_tui.storage.repos_marketing import MarketingRepositories


def repos(book: Book) -> MarketingRepositories:
    """The marketing repositories of this book (services only)."""
    return getattr(book, "db", book).repos.marketing


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def add_campaign(book: Book, values: Mapping[str, Any]) -> Campaign:
    """A new campaign; `kind` defaults to seminar and `status` to planned."""
    base: dict[str, Any] = {"kind": rules.CampaignKind.SEMINAR.value}
    return repos(book).campaigns.create(base | dict(values))


def edit(book: Book, ref: str, changes: Mapping[str, Any]) -> Campaign:
    campaign = find(book, ref)
    return repos(book).campaigns.update(campaign.id, dict(changes))


def set_status(book: Book, ref: str, status: str) -> Campaign:
    return edit(book, ref, {"status": status})


def get(book: Book, campaign_id: str) -> Campaign | None:
    return repos(book).campaigns.get(campaign_id)


def find(book: Book, ref: str) -> Campaign:
    """A campaign by id, unique id prefix or exact name; else ValidationErrors (a CLI
    argument or a form field names it)."""
    from crm_tui.storage.repository import NotFound  # services may use storage

    if not ref or not ref.strip():
        raise _error("campaign", "name a campaign (its name or id)")
    try:
        return repos(book).campaigns.resolve(ref)
    except NotFound as exc:
        if "more than one" not in str(exc):
            raise _error("campaign", str(exc)) from None
    # Two campaigns of one name (a show held twice a year): list them so the rep can pick.
    found = repos(book).campaigns.matching(ref.strip())
    raise _error(
        "campaign",
        f"'{ref.strip()}' matches {len(found)} campaigns: {describe(book, found)}; give the id",
    )


def describe(book: Book, found: list[Campaign]) -> str:
    """`name (short id, starts 2026-12-10)` for each campaign, for a choice in one line."""
    from crm_tui.services.short_ids import short_ids

    shorts = short_ids(book, (c.id for c in found))
    return ", ".join(
        f"{c.name} ({shorts.get(c.id, c.id)}, starts {c.starts_on or 'undated'})" for c in found
    )


def same_name(book: Book, name: str) -> list[Campaign]:
    """Live campaigns already called `name` (a new one of that name makes the name
    ambiguous from then on, so the CLI warns)."""
    return repos(book).campaigns.matching((name or "").strip(), by_id=False)


def namesake_warning(book: Book, campaign: Campaign) -> str | None:
    """What to tell the rep who just saved a campaign whose name another live campaign
    has (the name alone is ambiguous from now on), or None."""
    others = [c for c in same_name(book, campaign.name) if c.id != campaign.id]
    if not others:
        return None
    return (
        f"Another campaign is also called {campaign.name}: {describe(book, others)}; "
        "tell them apart by start date or id."
    )


def names(book: Book) -> dict[str, str]:
    """id -> name of every live campaign (for labels in lists)."""
    return repos(book).campaigns.names()


# --- partners on a campaign ---------------------------------------------------------------
def partners_of(book: Book, campaign: Campaign) -> list[Partner]:
    repo = repos(book).partners
    found = [repo.get(pid) for pid in rules.split_ids(campaign.partner_ids)]
    return [p for p in found if p is not None]
