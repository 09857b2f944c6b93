"""Provides the people on a campaign (报名人员 / 参与人员, issue 16): invite contacts picked by
a query, register a person, check one in at the door, decline, no-show, and a walk-in who
becomes a lead. A person is on a campaign once: sign-ups sharing a phone, e-mail, contact or
name+company are one member, and the member's id is made from the person's key so two
laptops adding one person offline write one row (see domain/marketing_specs.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crm_tui.domain import marketing_specs as rules
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.services.campaigns import find as find_campaign
from crm_tui.services.campaigns import repos

if TYPE_CHECKING:
    from crm_tui.domain.models import Campaign, CampaignMember
    from crm_tui.services.book import Book

S = rules.MemberStatus


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


@dataclass
class Added:
    """What adding people did: the members made, and those already on the campaign."""

    added: list[CampaignMember] = field(default_factory=list)
    already: list[CampaignMember] = field(default_factory=list)


def _moves_on(current: str, target: str) -> bool:
    """A second sign-up of one person moves them further along, when that step exists (a
    declined invitee may register, but never becomes a no-show)."""
    allowed = rules.MEMBER_STEPS[rules.MemberStatus(current)]
    return rules.rank(target) > rules.rank(current) and rules.MemberStatus(target) in allowed


class MemberBatch:
    """Adds people to one campaign, each once: the campaign's dedupe keys are read once and
    kept up to date as the batch adds (an invitation list, an imported registration file)."""

    def __init__(self, book: Book, campaign: Campaign) -> None:
        self.book = book
        self.campaign = campaign
        self.repo = repos(book).members
        self.index = self.repo.keys_of(campaign.id)

    def find(self, values: Mapping[str, Any]) -> str | None:
        for key in rules.member_keys(values):
            if key in self.index:
                return self.index[key]
        return None

    def add(
        self, values: Mapping[str, Any], status: str, *, signup: bool = False
    ) -> tuple[CampaignMember, bool]:
        """(the member, True when new); someone already on the campaign is moved on to a
        further status (invited -> registered), never added twice. A person's own sign-up
        (`signup`: register, a registration list) also fills the member's blank details
        and is refused (ValidationErrors) when the step does not exist (a no-show cannot
        register again), rather than passing as done."""
        repo = self.repo
        person = {k: v for k, v in values.items() if v not in (None, "")}
        existing_id = self.find(person)
        if existing_id is not None:
            member = repo.require(existing_id)
            if _moves_on(member.status, status):
                member = repo.step(member.id, status)
            elif signup and (refused := _refusal(member, status)) is not None:
                raise refused
            if signup:
                member = self._fill_blanks(member, person)
            return member, False
        try:
            row_id = rules.member_id(self.campaign.id, person)
        except rules.MarketingError as exc:
            raise _error(exc.field, exc.message) from None
        stamps = repo.step_changes(status, None, None)
        # Times the caller knows (a list with a registration time, the demo) win over "now".
        full = stamps | person | {"campaign_id": self.campaign.id, "status": status}
        if repo.get(row_id, include_deleted=True) is not None:
            # Removed earlier and added again: the same person, so the same row.
            member = repo.revive(row_id, person)
            if _moves_on(member.status, status):
                member = repo.step(row_id, status)
        else:
            member = repo.create(full, row_id=row_id)
        for key in rules.member_keys(person):
            self.index.setdefault(key, member.id)
        return member, True

    def refusal(self, values: Mapping[str, Any], status: str) -> ValidationErrors | None:
        """Why a sign-up of this person at `status` would be refused (someone already on
        the campaign who cannot step there), without writing: a dry run's answer."""
        known = self.find({k: v for k, v in values.items() if v not in (None, "")})
        return None if known is None else _refusal(self.repo.require(known), status)

    def _fill_blanks(self, member: CampaignMember, person: Mapping[str, Any]) -> CampaignMember:
        """The sign-up's phone, e-mail, company or notes where the member has none (never
        overwriting what the team already has)."""
        blanks = {k: v for k, v in person.items() if k in _DETAILS and not getattr(member, k)}
        if not blanks:
            return member
        member = self.repo.update(member.id, blanks)
        for key in rules.member_keys(blanks):
            self.index.setdefault(key, member.id)
        return member


_DETAILS = ("phone", "email", "company", "notes")


def _refusal(member: CampaignMember, status: str) -> ValidationErrors | None:
    """A sign-up that would move a member further but by a step that does not exist (a
    no-show registering again); one already as far or further is simply kept."""
    if _moves_on(member.status, status) or rules.rank(status) <= rules.rank(member.status):
        return None
    try:
        rules.check_member_step(member.status, status)
    except rules.MarketingError as exc:
        return _error(exc.field, f"{member.name}: {exc.message}")
    return None


def check_person(book: Book, campaign_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A person's typed details parsed and checked as a member (name required, a real
    phone and e-mail) before any lookup, so a sign-up that matches someone already on the
    campaign is checked too; raises ValidationErrors."""
    from crm_tui.domain.fields import check_record, parse_values

    person = {k: v for k, v in values.items() if k != "source"}
    parsed = parse_values("campaign_member", person, book.input_context)
    check_record("campaign_member", parsed | {"campaign_id": campaign_id})
    return parsed


def add_people(
    book: Book, campaign_ref: str, people: Iterable[Mapping[str, Any]], status: str = "invited"
) -> Added:
    """Put each person (name, company, phone, email, contact_id, customer_id, source) on the
    campaign at `status`, once: someone already on it is not added twice (a further status
    moves them on, e.g. invited -> registered)."""
    batch = MemberBatch(book, find_campaign(book, campaign_ref))
    result = Added()
    for person in people:
        member, new = batch.add(person, status)
        (result.added if new else result.already).append(member)
    return result


def register(book: Book, campaign_ref: str, values: Mapping[str, Any]) -> CampaignMember:
    """A person registered (a web form, a call): on the campaign as registered."""
    return sign_up(book, campaign_ref, values)[0]


def sign_up(
    book: Book, campaign_ref: str, values: Mapping[str, Any]
) -> tuple[CampaignMember, str | None]:
    """`register`, also giving the status the person had before (None when new), so the
    CLI can say "had declined" or "already attended" instead of a bare "registered"."""
    campaign = find_campaign(book, campaign_ref)
    check_person(book, campaign.id, values)
    person = {"source": rules.MemberSource.WEB_FORM.value} | dict(values)
    batch = MemberBatch(book, campaign)
    known = batch.find({k: v for k, v in person.items() if v not in (None, "")})
    before = batch.repo.require(known).status if known is not None else None
    member, _new = batch.add(person, S.REGISTERED.value, signup=True)
    return member, before


# --- inviting from a query ----------------------------------------------------------------
def people_from_query(
    book: Book, text: str, entity: str = "customer", limit: int = 5000
) -> list[dict[str, Any]]:
    """The people a query picks: a customer query gives each customer's contacts (or the
    customer itself when it has none); a contact query the contacts. Raises QueryError."""
    from crm_tui.services import lists

    db = getattr(book, "db", book)
    if entity in ("contact", "contacts"):
        contacts = lists.query_rows(book, "contact", text, limit=limit)
        companies = {c.customer_id for c in contacts}
        names = {cid: db.repos.customers.get(cid) for cid in companies}
        return [_contact_person(c, names.get(c.customer_id)) for c in contacts]
    people: list[dict[str, Any]] = []
    for customer in lists.query_rows(book, "customer", text, limit=limit):
        contacts = db.repos.contacts.of_customer(customer.id)
        if contacts:
            people.extend(_contact_person(c, customer) for c in contacts)
        else:
            people.append(
                {
                    "name": customer.name,
                    "phone": customer.phone,
                    "email": customer.email,
                    "customer_id": customer.id,
                    "source": rules.MemberSource.INVITATION.value,
                }
            )
    return people


def _contact_person(contact: Any, customer: Any) -> dict[str, Any]:
    return {
        "name": contact.name,
        "company": customer.name if customer is not None else None,
        "phone": contact.mobile or contact.phone,
        "email": contact.email,
        "contact_id": contact.id,
        "customer_id": contact.customer_id,
        "source": rules.MemberSource.INVITATION.value,
    }


def invite(book: Book, campaign_ref: str, text: str, entity: str = "customer") -> Added:
    """Invite everyone a query picks (`grade:A city:上海`); raises QueryError or
    ValidationErrors before anything is written."""
    find_campaign(book, campaign_ref)
    people = people_from_query(book, text, entity)
    return add_people(book, campaign_ref, people, S.INVITED.value)


# --- status steps ---------------------------------------------------------------------------
def find_member(book: Book, campaign_ref: str, person: str) -> CampaignMember:
    """A member of the campaign by id (or prefix), phone digits, e-mail or name; one clear
    error when none or several match."""
    campaign = find_campaign(book, campaign_ref)
    text = (person or "").strip()
    if not text:
        raise _error("person", "name the person (a phone, a name or an id)")
    from crm_tui.services.check_in import CheckInIndex

    index = CheckInIndex(repos(book).members.desk_rows(campaign.id))
    hits = index.exact(text)
    if len(hits) == 1:
        return repos(book).members.require(hits[0].id)
    if not hits:
        raise _error("person", f"no one on '{campaign.name}' matches '{text}'")
    shown = ", ".join(f"{h.name} ({h.phone or h.id[:8]})" for h in hits[:5])
    raise _error("person", f"'{text}' matches {len(hits)} people: {shown}; give more")


def step(book: Book, member_id: str, status: str, at: datetime | None = None) -> CampaignMember:
    """Move a member to `status` (registered, attended, declined, no_show)."""
    return repos(book).members.step(member_id, status, at=at)


def attend(book: Book, campaign_ref: str, person: str) -> CampaignMember:
    """Check someone in at the door (`crm attend`)."""
    member = find_member(book, campaign_ref, person)
    if member.status == S.ATTENDED:
        at = book.clock.to_local(member.attended_at) if member.attended_at else None
        when = f" at {at:%H:%M}" if at else ""
        raise _error("status", f"{member.name} is already checked in{when}")
    return step(book, member.id, S.ATTENDED.value)


def members(book: Book, campaign_ref: str, status: str | None = None) -> list[CampaignMember]:
    campaign = find_campaign(book, campaign_ref)
    if status is not None and status not in {s.value for s in S}:
        raise _error("status", f"'{status}' is not one of {', '.join(s.value for s in S)}")
    return repos(book).members.of_campaign(campaign.id, status)


def counts(book: Book, campaign_id: str) -> dict[str, int]:
    """status -> how many members, for the detail screen's tabs."""
    return repos(book).members.counts(campaign_id)


# --- a walk-in becomes a lead -----------------------------------------------------------------
def walk_in(book: Book, campaign_ref: str, values: Mapping[str, Any]) -> CampaignMember:
    """Someone not on the list checks in: a new customer (source = the campaign) with them as
    its contact, the member attended, and a follow-up tomorrow for the campaign's owner.
    Someone already on the list (same phone, e-mail or name+company) is checked in instead."""
    campaign = find_campaign(book, campaign_ref)
    person = {k: v for k, v in values.items() if v not in (None, "")}
    if not person.get("name"):
        raise _error("name", "is required")
    batch = MemberBatch(book, campaign)
    known = batch.find(person)
    if known is not None:
        member = repos(book).members.require(known)
        if member.status == S.ATTENDED:
            return member
        return step(book, member.id, S.ATTENDED.value)
    db = getattr(book, "db", book)
    company = person.get("company")
    customer = db.repos.customers.create(
        {
            "name": company or person["name"],
            "kind": "company" if company else "person",
            "source": campaign.name,
            "phone": person.get("phone"),
            "email": person.get("email"),
        }
    )
    contact = db.repos.contacts.create(
        {
            "customer_id": customer.id,
            "name": person["name"],
            "mobile": person.get("phone"),
            "email": person.get("email"),
        }
    )
    member_values = person | {
        "contact_id": contact.id,
        "customer_id": customer.id,
        "source": rules.MemberSource.WALK_IN.value,
    }
    member, _new = batch.add(member_values, S.ATTENDED.value)
    due = datetime.combine(book.clock.today() + timedelta(days=1), datetime.min.time())
    owner = _for_owner(book, campaign)
    db.repos.activities.create(
        {
            "customer_id": customer.id,
            "contact_id": contact.id,
            "kind": "call",
            "subject": f"Follow up walk-in {person['name']} ({campaign.name}){owner}",
            "due_at": due.strftime("%Y-%m-%d 10:00"),
        }
    )
    return member


def _for_owner(book: Book, campaign: Campaign) -> str:
    """' for 王芳' when the campaign is a teammate's: the follow-up is written by whoever
    staffs the desk (a rep cannot make a record another rep owns; the server would refuse
    it), so its subject says whose lead it is."""
    if campaign.owner_id in (None, book.user_id):
        return ""
    from crm_tui.services.expenses import member_name

    return f" for {member_name(book, campaign.owner_id) or 'the campaign owner'}"


# --- lists and export -------------------------------------------------------------------------
def member_row(book: Book, member: CampaignMember) -> dict[str, Any]:
    """One member as the CLI and the detail screen show it: the time of its latest step,
    local."""
    moment = member.attended_at or member.declined_at or member.registered_at or member.invited_at
    when = book.clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
    return {
        "id": member.id,
        "name": member.name,
        "company": member.company or "",
        "phone": member.phone or "",
        "email": member.email or "",
        "status": member.status.replace("_", "-"),
        "source": member.source.replace("_", "-"),
        "when": when,
    }


def export_csv(book: Book, people: list[CampaignMember], path: Any) -> int:
    """Write members to a CSV file with the importer's columns (UTF-8 with a BOM, so Excel
    shows Chinese); returns how many."""
    from pathlib import Path

    from crm_tui.io.csv_export import export_csv as write_csv

    if not people:
        Path(path).write_text("", encoding="utf-8-sig")
        return 0
    campaign_id = people[0].campaign_id
    statuses = sorted({m.status for m in people})
    query = f"campaign:{campaign_id}" + (f" status:{','.join(statuses)}" if statuses else "")
    with Path(path).open("w", encoding="utf-8-sig", newline="") as out:
        return write_csv(getattr(book, "db", book), "campaign_member", out, query)


def desk_index(book: Book, campaign_id: str) -> Any:
    """The registration desk's in-memory index of the campaign's members (one read; call
    it in a worker): services/check_in.CheckInIndex."""
    from crm_tui.services.check_in import CheckInIndex

    return CheckInIndex(repos(book).members.desk_rows(campaign_id))
