"""Provides one repository per aggregate, with the rules each one keeps on write, and
`Repositories`, all of them for one database (the sales repositories are in repos_sales.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, text
from sqlmodel import Session, col, select

from crm_tui.domain import rules
from crm_tui.domain.fields import ENTITIES, FieldError, ValidationErrors, from_wire
from crm_tui.domain.models import (
    Announcement,
    Competitor,
    Contact,
    Customer,
    LostReason,
    SavedQuery,
    User,
)
from crm_tui.storage import search
from crm_tui.storage.repos_docs import DocRepositories
from crm_tui.storage.repos_files import FileRepositories
from crm_tui.storage.repos_insight import SurveyRepo
from crm_tui.storage.repos_kb import KbRepositories
from crm_tui.storage.repos_marketing import MarketingRepositories
from crm_tui.storage.repos_office import OfficeRepositories
from crm_tui.storage.repos_pool import PoolRepositories
from crm_tui.storage.repos_sales import (
    ActivityRepo,
    ExpenseRepo,
    OpportunityLineRepo,
    OpportunityRepo,
)
from crm_tui.storage.repos_service import ServiceRepositories
from crm_tui.storage.repository import NotFound, Repository, live

# A customer delete's undo entry lists the contacts it tombstoned under this key; without
# one, contacts tombstoned within this of the company itself went with it.
_TOOK = "_contacts_deleted_with_it"
_CASCADE_WINDOW = timedelta(seconds=2)

__all__ = [
    "ActivityRepo",
    "AnnouncementRepo",
    "CompetitorRepo",
    "ContactRepo",
    "CustomerRepo",
    "ExpenseRepo",
    "LostReasonRepo",
    "OpportunityLineRepo",
    "OpportunityRepo",
    "Repositories",
    "SavedQueryRepo",
    "UserRepo",
    "search_ids",
]

if TYPE_CHECKING:
    from crm_tui.storage.store import Store


def _index(s: Session, entity: str, row_id: str, body: str | None) -> None:
    """Replace a record's search document (None removes it).

    Runs on the raw sqlite3 cursor of the session's transaction: this is called for every
    pulled or imported row, and SQLAlchemy's per-statement cost was most of a sync's time.
    """
    cur = s.connection().connection.driver_connection.cursor()
    row = cur.execute("SELECT docid FROM search_doc WHERE row_id = ?", (row_id,)).fetchone()
    if row is not None:
        docid = row[0]
        cur.execute("DELETE FROM search_fts WHERE rowid = ?", (docid,))
        if body is None:
            cur.execute("DELETE FROM search_doc WHERE docid = ?", (docid,))
            return
    elif body is None:
        return
    else:
        cur.execute("INSERT INTO search_doc(entity, row_id) VALUES (?, ?)", (entity, row_id))
        docid = cur.lastrowid
    cur.execute("INSERT INTO search_fts(rowid, body) VALUES (?, ?)", (docid, body))


def search_ids(s: Session, entity: str, query: str, limit: int | None = None) -> list[str]:
    expr = search.match_expression(query)
    if expr is None:
        return []
    sql = (
        "SELECT d.row_id FROM search_fts JOIN search_doc d ON d.docid = search_fts.rowid "
        "WHERE search_fts MATCH :q AND d.entity = :e"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    return list(s.connection().execute(text(sql), {"q": expr, "e": entity}).scalars())


# A business step (a command the server checks) is not undone; what to do instead.
_STEP = "a step sent to the server for checking cannot be undone"
_STEP_NOT_UNDONE = {
    "expense": "a submitted or decided claim cannot be undone; withdraw it",
    "service": "a service order's step cannot be undone; withdraw the request or cancel it",
    "work_report": "a submitted report cannot be undone; it is final (comment on it instead)",
}


class UserRepo(Repository[User]):
    entity = "user"
    default_order = ("name",)

    def members(self) -> dict[str, str]:
        """The team on this laptop, name -> id, by name (a team is small: all of it)."""
        return {u.name: u.id for u in self.page(limit=10_000)}

    def member_id(self, ref: str) -> str | None:
        """The id of the one live team member whose id or name is `ref`, else None."""
        found = self.page(where=[or_(User.id == ref, User.name == ref)], limit=2)
        return found[0].id if len(found) == 1 else None


class CustomerRepo(Repository[Customer]):
    entity = "customer"
    default_order = ("sort_key", "id")

    def before_create(self, s: Session, rec: Customer, values: dict[str, Any]) -> None:
        rec.sort_key = search.pinyin_key(rec.name)

    def before_update(self, s: Session, rec: Customer, changes: dict[str, Any]) -> None:
        if "name" in changes and changes["name"]:
            rec.sort_key = search.pinyin_key(changes["name"])

    def after_write(self, s: Session, rec: Customer, changed: set[str]) -> None:
        if rec.deleted:
            _index(s, "customer", rec.id, None)
            return
        _index(
            s,
            "customer",
            rec.id,
            search.index_text(search.searchable_parts("customer", rec.model_dump())),
        )
        if "name" in changed:
            contacts = s.exec(select(Contact).where(Contact.customer_id == rec.id, live(Contact)))
            for contact in contacts:
                _index_contact(s, contact, rec.name)

    def before_delete(self, s: Session, rec: Customer) -> None:
        # Deleting a company tombstones its contacts too: they would be orphans otherwise.
        self._cascaded = []
        for contact in s.exec(select(Contact).where(Contact.customer_id == rec.id, live(Contact))):
            self._all().contacts.delete(contact.id, record_undo=False)
            self._cascaded.append(contact.id)

    def _undo(self, s: Session, row_id: str, kind: str, before: dict[str, Any]) -> None:
        # The delete's undo entry names the contacts it took, so a restore (`u`, `crm undo`,
        # `crm delete --undo`) brings back exactly those, not ones deleted on their own.
        if kind == "delete":
            before = before | {_TOOK: getattr(self, "_cascaded", [])}
        super()._undo(s, row_id, kind, before)

    def before_restore(self, s: Session, rec: Customer) -> None:
        took = (
            s.connection()
            .execute(
                text(
                    "SELECT before FROM undo_log WHERE entity = 'customer' AND row_id = :r "
                    "AND kind = 'delete' ORDER BY seq DESC LIMIT 1"
                ),
                {"r": rec.id},
            )
            .first()
        )
        gone = select(Contact).where(Contact.customer_id == rec.id, col(Contact.deleted))
        if took is not None and _TOOK in json.loads(took[0]):
            ids = json.loads(took[0])[_TOOK]
            gone = gone.where(col(Contact.id).in_(ids))
        else:  # deleted before the undo log kept this (or on another laptop): same moment
            gone = gone.where(col(Contact.updated_at) >= rec.updated_at - _CASCADE_WINDOW)
        for contact in s.exec(gone).all():
            self._all().contacts.restore(contact.id, record_undo=False)

    def search(self, query: str, limit: int = 50) -> list[Customer]:
        """Customers whose own fields, or whose contacts' names and numbers, match."""
        with self.db.reading() as s:
            ids = search_ids(s, "customer", query, limit=limit * 4)
            contact_ids = search_ids(s, "contact", query, limit=limit * 4)
            if contact_ids:
                ids += list(
                    s.exec(select(Contact.customer_id).where(col(Contact.id).in_(contact_ids)))
                )
            if not ids:
                return []
            return list(
                s.exec(
                    select(Customer)
                    .where(col(Customer.id).in_(set(ids)), live(Customer))
                    .order_by(Customer.sort_key, Customer.id)
                    .limit(limit)
                )
            )


def _index_contact(s: Session, rec: Contact, company: str | None = None) -> None:
    if rec.deleted:
        _index(s, "contact", rec.id, None)
        return
    if company is None:
        customer = s.get(Customer, rec.customer_id)
        company = customer.name if customer else None
    _index(
        s,
        "contact",
        rec.id,
        search.index_text(search.searchable_parts("contact", rec.model_dump(), company)),
    )


class ContactRepo(Repository[Contact]):
    entity = "contact"
    default_order = ("sort_key", "id")

    def before_create(self, s: Session, rec: Contact, values: dict[str, Any]) -> None:
        rec.sort_key = search.pinyin_key(rec.name)

    def before_update(self, s: Session, rec: Contact, changes: dict[str, Any]) -> None:
        if "name" in changes and changes["name"]:
            rec.sort_key = search.pinyin_key(changes["name"])

    def after_write(self, s: Session, rec: Contact, changed: set[str]) -> None:
        _index_contact(s, rec)

    def search(self, query: str, limit: int = 50) -> list[Contact]:
        with self.db.reading() as s:
            ids = search_ids(s, "contact", query, limit=limit * 4)
            if not ids:
                return []
            return list(
                s.exec(
                    select(Contact)
                    .where(col(Contact.id).in_(ids), live(Contact))
                    .order_by(Contact.sort_key, Contact.id)
                    .limit(limit)
                )
            )

    def of_customer(self, customer_id: str) -> list[Contact]:
        return self.page(where=[Contact.customer_id == customer_id], limit=1000)


class AnnouncementRepo(Repository[Announcement]):
    entity = "announcement"
    default_order = ("published_at", "id")

    def latest(self, limit: int = 5) -> list[Announcement]:
        return self.page(order_by=[col(Announcement.published_at).desc()], limit=limit)


class CompetitorRepo(Repository[Competitor]):
    entity = "competitor"
    default_order = ("name", "id")


class SavedQueryRepo(Repository[SavedQuery]):
    entity = "saved_query"
    default_order = ("screen", "name")


class LostReasonRepo(Repository[LostReason]):
    entity = "lost_reason"
    default_order = ("name",)

    def names(self) -> list[str]:
        """The team's reasons, falling back to the built-in list until one is added."""
        found = [r.name for r in self.page(limit=500)]
        return found or list(rules.DEFAULT_LOST_REASONS)


class Repositories:
    """Every repository of one database, by role and by entity name."""

    def __init__(self, db: Store) -> None:
        self.db = db
        self.users = UserRepo(db, self)
        self.customers = CustomerRepo(db, self)
        self.contacts = ContactRepo(db, self)
        self.activities = ActivityRepo(db, self)
        self.opportunities = OpportunityRepo(db, self)
        self.opportunity_lines = OpportunityLineRepo(db, self)
        self.expenses = ExpenseRepo(db, self)
        self.announcements = AnnouncementRepo(db, self)
        self.competitors = CompetitorRepo(db, self)
        self.saved_queries = SavedQueryRepo(db, self)
        self.lost_reasons = LostReasonRepo(db, self)
        self.docs = DocRepositories(db, self)  # quote to cash (issue 19): repos_docs.py
        self.marketing = MarketingRepositories(db, self)  # issue 16: repos_marketing.py
        self.pool = PoolRepositories(db, self)  # issue 18: repos_pool.py
        self.service = ServiceRepositories(db, self)  # issue 15: repos_service.py
        self.office = OfficeRepositories(db, self)  # issue 17: repos_office.py
        self.files = FileRepositories(db, self)  # issue 17: repos_files.py
        self.kb = KbRepositories(db, self)  # issue 17: repos_kb.py
        self.surveys = SurveyRepo(db, self)  # issue 22: repos_insight.py
        self.by_entity: dict[str, Repository[Any]] = (
            {
                repo.entity: repo
                for repo in (
                    self.users,
                    self.customers,
                    self.contacts,
                    self.activities,
                    self.opportunities,
                    self.opportunity_lines,
                    self.expenses,
                    self.announcements,
                    self.competitors,
                    self.saved_queries,
                    self.lost_reasons,
                )
            }
            | self.docs.by_entity
            | self.marketing.by_entity
            | self.pool.by_entity
            | self.service.by_entity
            | self.office.by_entity
            | self.files.by_entity
            | self.kb.by_entity
            | {self.surveys.entity: self.surveys}
        )

    def find_any(self, ref: str) -> tuple[str, Any]:
        """The record an id (or unique id prefix) names, whatever its type: for `crm show ID`."""
        matches = []
        for name, repo in self.by_entity.items():
            try:
                matches.append((name, repo.resolve(ref, include_deleted=True)))
            except NotFound as exc:
                if "more than one" in str(exc):
                    raise
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFound(f"no record matches '{ref}'")
        raise NotFound(f"'{ref}' matches records of several types; give more of the id")

    def undo_last(self, entity: str | None = None) -> str | None:
        """Undo the rep's newest change (optionally of one type) as a new, synced change.

        Returns what was undone, or None when there is nothing to undo.
        """
        db = self.db
        with db.transaction() as s:
            sql = "SELECT seq, entity, row_id, kind, before FROM undo_log WHERE undone = 0"
            params: dict[str, Any] = {}
            if entity:
                sql += " AND entity = :e"
                params["e"] = entity
            row = s.connection().execute(text(sql + " ORDER BY seq DESC LIMIT 1"), params).first()
            if row is None:
                return None
            seq, ent, row_id, kind, before_json = row
            repo = self.by_entity[ent]
            spec = ENTITIES[ent]
            if kind == "create":
                repo.delete(row_id, record_undo=False)
                what = "added"
            elif kind == "delete":
                repo.restore(row_id, record_undo=False)
                what = "deleted"
            elif kind == "restore":
                repo.delete(row_id, record_undo=False)
                what = "restored"
            elif kind == "command":
                raise ValidationErrors([FieldError("status", _STEP_NOT_UNDONE.get(ent, _STEP))])
            else:
                before = {
                    k: from_wire(spec.by_name[k], v) if k in spec.by_name else v
                    for k, v in json.loads(before_json).items()
                }
                rec = s.get(repo.model, row_id)
                repo._apply(s, rec, before, kind="patch", record_undo=False)
                what = "edited"
            s.connection().execute(
                text("UPDATE undo_log SET undone = 1 WHERE seq = :s"), {"s": seq}
            )
            rec = repo.get(row_id, include_deleted=True)
            # A record without a title (a payment with no bank reference) is named by id.
            title = (getattr(rec, spec.title_field, None) if rec else None) or row_id[:13]
            return f"undid {what} {ent.replace('_', ' ')} '{title}'"
