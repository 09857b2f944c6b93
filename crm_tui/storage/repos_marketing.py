"""Provides the marketing repositories (issue 16): campaigns, campaign members and partners,
and `MarketingRepositories`, the three of them for one database, plus the plain-SQL reads
the registration desk and the return-on-spend report use.

A member's status moves through `step` (a business step: stamped with one clock, one undo
entry), never a plain edit; the rules themselves are domain/marketing_specs.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, or_

from crm_tui.domain import marketing_specs as rules
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.models import Campaign, CampaignMember, Partner
from crm_tui.storage import search
from crm_tui.storage.repository import NotFound, Repository

if TYPE_CHECKING:
    from crm_tui.storage.store import Store


def _refuse(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


class CampaignRepo(Repository[Campaign]):
    """Campaigns: shared by the team, each with an owner (who gets its walk-in leads)."""

    entity = "campaign"
    default_order = ("starts_on", "id")

    def _check_dates(self, starts: Any, ends: Any) -> None:
        if starts and ends and ends < starts:
            raise _refuse("ends_on", "the end is before the start")

    def before_create(self, s: Session, rec: Campaign, values: dict[str, Any]) -> None:
        self._check_dates(rec.starts_on, rec.ends_on)

    def before_update(self, s: Session, rec: Campaign, changes: dict[str, Any]) -> None:
        self._check_dates(
            changes.get("starts_on", rec.starts_on), changes.get("ends_on", rec.ends_on)
        )

    def resolve(self, ref: str, *, include_deleted: bool = False) -> Campaign:
        """As Repository.resolve; two campaigns of one name (a show held twice a year) are
        listed with their ids and start dates, so a `--campaign NAME` anywhere can be fixed."""
        try:
            return super().resolve(ref, include_deleted=include_deleted)
        except NotFound as exc:
            if "more than one" not in str(exc) or include_deleted:
                raise
        listed = ", ".join(
            f"{c.name} ({c.id[:13]}, starts {c.starts_on or 'undated'})"
            for c in self.matching(ref.strip())
        )
        raise NotFound(f"'{ref.strip()}' matches more than one campaign: {listed}; give the id")

    def matching(self, ref: str, *, by_id: bool = True, limit: int = 10) -> list[Campaign]:
        """Live campaigns named exactly `ref` (or, with by_id, whose id starts with it), by
        start date: the candidates when a reference is ambiguous."""
        named = Campaign.name == ref
        where = or_(named, col(Campaign.id).startswith(ref)) if by_id and len(ref) >= 4 else named
        return self.page(where=[where], limit=limit)

    def names(self) -> dict[str, str]:
        """id -> name of every live campaign, in one query."""
        with self.db.reading() as s:
            rows = s.connection().exec_driver_sql("SELECT id, name FROM campaign WHERE deleted = 0")
            return dict(rows.all())


class CampaignMemberRepo(Repository[CampaignMember]):
    """People on a campaign: one row per person (the id comes from the person's key)."""

    entity = "campaign_member"
    default_order = ("campaign_id", "sort_key", "id")

    def before_create(self, s: Session, rec: CampaignMember, values: dict[str, Any]) -> None:
        rec.sort_key = search.pinyin_key(rec.name or "")  # no name: the check refuses it

    def before_update(self, s: Session, rec: CampaignMember, changes: dict[str, Any]) -> None:
        if "status" in changes and changes["status"] != rec.status:
            raise _refuse("status", "use invite, register, attend, decline or no-show")
        if "campaign_id" in changes and changes["campaign_id"] != rec.campaign_id:
            raise _refuse("campaign_id", "a member stays on its campaign; add them to the other")
        if changes.get("name"):
            rec.sort_key = search.pinyin_key(changes["name"])

    def step(
        self, row_id: str, target: str, *, at: datetime | None = None, by: str | None = None
    ) -> CampaignMember:
        """Move a member to `target` (registered, attended, declined, no_show), stamping
        when and by whom in the same change."""
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            try:
                rules.check_member_step(rec.status, target)
            except rules.MarketingError as exc:
                raise _refuse(exc.field, exc.message) from None
            return self._apply(
                s, rec, self.step_changes(target, at, by), kind="patch", record_undo=True
            )

    def step_changes(self, target: str, at: datetime | None, by: str | None) -> dict[str, Any]:
        status = rules.MemberStatus(target)
        when = at or self.db.clock.now()
        changes: dict[str, Any] = {"status": status.value, "status_by": by or self.db.user_id}
        if field_name := rules.STATUS_TIME.get(status):
            changes[field_name] = when
        if status == rules.MemberStatus.ATTENDED:
            changes["attended_by"] = by or self.db.user_id
        return changes

    def revive(self, row_id: str, values: dict[str, Any]) -> CampaignMember:
        """A member removed earlier and added again (the same person, so the same id)."""
        self.restore(row_id)
        changes = {k: v for k, v in values.items() if k not in ("campaign_id", "status")}
        return self.update(row_id, changes) if changes else self.require(row_id)

    def of_campaign(
        self, campaign_id: str, status: str | None = None, limit: int = 100_000
    ) -> list[CampaignMember]:
        where = [CampaignMember.campaign_id == campaign_id]
        if status:
            where.append(CampaignMember.status == status)
        return self.page(where=where, limit=limit)

    def desk_rows(self, campaign_id: str) -> list[tuple[Any, ...]]:
        """(id, name, company, phone, email, status, attended_at) of every live member, by
        name: the desk's in-memory index is built from this once (plain SQL: 10k rows)."""
        with self.db.reading() as s:
            return (
                s.connection()
                .exec_driver_sql(
                    "SELECT id, name, COALESCE(company, ''), COALESCE(phone, ''), "
                    "COALESCE(email, ''), status, attended_at FROM campaign_member "
                    "WHERE campaign_id = ? AND deleted = 0 ORDER BY sort_key, id",
                    (campaign_id,),
                )
                .all()
            )

    def counts(self, campaign_id: str) -> dict[str, int]:
        with self.db.reading() as s:
            rows = s.connection().exec_driver_sql(
                "SELECT status, COUNT(*) FROM campaign_member WHERE campaign_id = ? "
                "AND deleted = 0 GROUP BY status",
                (campaign_id,),
            )
            return dict(rows.all())

    def keys_of(self, campaign_id: str) -> dict[str, str]:
        """Every dedupe key of the campaign's members -> member id (see rules.member_keys)."""
        with self.db.reading() as s:
            rows = s.connection().exec_driver_sql(
                "SELECT id, name, company, phone, email, contact_id FROM campaign_member "
                "WHERE campaign_id = ? AND deleted = 0",
                (campaign_id,),
            )
            out: dict[str, str] = {}
            for row_id, name, company, phone, email, contact_id in rows:
                values = {
                    "name": name,
                    "company": company,
                    "phone": phone,
                    "email": email,
                    "contact_id": contact_id,
                }
                for key in rules.member_keys(values):
                    out.setdefault(key, row_id)
            return out


class PartnerRepo(Repository[Partner]):
    entity = "partner"
    default_order = ("name", "id")


class MarketingRepositories:
    """The marketing repositories of one database, by role and by entity name."""

    def __init__(self, db: Store, repos: Any = None) -> None:
        self.campaigns = CampaignRepo(db, repos)
        self.members = CampaignMemberRepo(db, repos)
        self.partners = PartnerRepo(db, repos)
        self.by_entity: dict[str, Repository[Any]] = {
            repo.entity: repo for repo in (self.campaigns, self.members, self.partners)
        }


__all__ = ["CampaignMemberRepo", "CampaignRepo", "MarketingRepositories", "NotFound", "PartnerRepo"]
