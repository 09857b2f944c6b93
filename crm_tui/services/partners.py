"""Provides partners (合作伙伴, issue 16): co-organisers, sponsors, venues, resellers and
suppliers the team runs campaigns with — add, find, edit, and the campaigns of one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crm_tui.domain import marketing_specs as rules
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.services.campaigns import find as find_campaign
from crm_tui.services.campaigns import repos

if TYPE_CHECKING:
    from crm_tui.domain.models import Campaign, Partner
    from crm_tui.services.book import Book


def add_partner(book: Book, values: Mapping[str, Any]) -> Partner:
    """A new partner from the typed text; raises ValidationErrors."""
    return repos(book).partners.create(dict(values))


def edit(book: Book, ref: str, changes: Mapping[str, Any]) -> Partner:
    return repos(book).partners.update(find(book, ref).id, dict(changes))


def get(book: Book, partner_id: str) -> Partner | None:
    return repos(book).partners.get(partner_id)


def find(book: Book, ref: str) -> Partner:
    """A partner by id, unique id prefix or exact name; else ValidationErrors."""
    from crm_tui.storage.repository import NotFound

    if not ref or not ref.strip():
        raise ValidationErrors([FieldError("partner", "name a partner (its name or id)")])
    try:
        return repos(book).partners.resolve(ref)
    except NotFound as exc:
        raise ValidationErrors([FieldError("partner", str(exc))]) from None


def campaigns_of(book: Book, partner_id: str) -> list[Campaign]:
    """The campaigns a partner is linked to (a team has tens of campaigns, not thousands)."""
    from crm_tui.domain.models import Campaign

    found = repos(book).campaigns.page(
        where=[Campaign.partner_ids.contains(partner_id)],  # type: ignore[union-attr]
        limit=1000,
    )
    return [c for c in found if partner_id in rules.split_ids(c.partner_ids)]


def link_partner(book: Book, campaign_ref: str, partner_ref: str) -> Campaign:
    campaign = find_campaign(book, campaign_ref)
    partner = find(book, partner_ref)
    ids = rules.split_ids(campaign.partner_ids)
    if partner.id in ids:
        return campaign
    joined = rules.join_ids([*ids, partner.id])
    return repos(book).campaigns.update(campaign.id, {"partner_ids": joined})


def unlink_partner(book: Book, campaign_ref: str, partner_ref: str) -> Campaign:
    campaign = find_campaign(book, campaign_ref)
    partner = find(book, partner_ref)
    ids = [pid for pid in rules.split_ids(campaign.partner_ids) if pid != partner.id]
    return repos(book).campaigns.update(campaign.id, {"partner_ids": rules.join_ids(ids) or ""})
