"""Provides the customer pool (公海, issue 18) for screens and the CLI: the pool as a lazy
list under a query (`city:上海 grade:A released:-30d..`), claim / release / assign / lock
(checked here with the same rules the server enforces, then queued as commands), the team's
pool rules, what is going to the pool soon (computed locally, so right offline) and the
server's release pass on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.filter import Filter, IsEmpty, OwnerIs
from crm_tui.domain.permissions import why_not_pool_step, why_not_set_pool_rules
from crm_tui.domain.pool_rules import (
    DEFAULT_GRADE,
    RULE_FIELDS,
    PoolError,
    PoolRules,
    rule_from_values,
    why_not_claim,
)
from crm_tui.services import lists
from crm_tui.services import pool_soon as soon
from crm_tui.services.pool_soon import Leaving

if TYPE_CHECKING:
    from crm_tui.domain.models import Customer
    from crm_tui.services.book import Book


def _error(field: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field, message)])


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- the pool as a list ------------------------------------------------------------------
IN_POOL = (OwnerIs(None), IsEmpty("pool_since", empty=False))


def pool_filter(book: Book, text: str = "") -> Filter:
    """Customers in the pool that `text` selects: no owner and released (a book never
    signed in has no owners at all; its customers are not in any pool). Raises QueryError."""
    base = lists.compile(book, "customer", text)
    return replace(base, terms=(*base.terms, *IN_POOL))


def pool_source(book: Book, text: str = "") -> Any:
    """The pool for the lazy table: newest in the pool first (unless the query sorts)."""
    filter_ = pool_filter(book, text)
    if filter_.sort is not None:
        return lists.source(book, "customer", filter_)
    return lists.source(book, "customer", filter_, order=["pool_since"], descending=True)


def pool_rows(book: Book, text: str = "", limit: int = 200) -> list[Customer]:
    """The pool's customers `text` selects, newest in the pool first (for the CLI)."""
    from sqlalchemy import desc

    from crm_tui.domain.models import Customer

    repo = book.db.repos.customers
    where = lists._where("customer", pool_filter(book, text))
    order = [desc(Customer.pool_since), Customer.sort_key, Customer.id]
    return repo.page(where=where, order_by=order, limit=limit)


def pool_count(book: Book, text: str = "") -> int:
    return book.db.repos.customers.count(where=lists._where("customer", pool_filter(book, text)))


# --- rules ---------------------------------------------------------------------------------
def rules(book: Book) -> PoolRules:
    return PoolRules.from_rows(book.db.repos.pool.rules.rows())


def set_rule(book: Book, grade: str | None, values: dict[str, Any]) -> Any:
    """Set the team's rule for `grade` (None or '*': every grade); managers only."""
    reason = why_not_set_pool_rules(book.actor)
    if reason:
        raise PermissionError(reason)
    grade = (grade or DEFAULT_GRADE).strip().upper() if grade != DEFAULT_GRADE else grade
    if grade not in (DEFAULT_GRADE, "A", "B", "C"):
        raise _error("grade", f"'{grade}' is not a grade (A, B, C, or * for all)")
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise _error(sorted(unknown)[0], f"not a pool rule (one of {', '.join(RULE_FIELDS)})")
    try:
        rule_from_values(values)
    except (PoolError, ValueError) as exc:
        raise _error("pool_rule", str(exc)) from None
    repo = book.db.repos.pool.rules
    current = repo.for_grade(grade)
    if current is None:
        if grade != DEFAULT_GRADE:  # a new grade row starts from the rule in force (the * row)
            base = rules(book).for_grade(None)
            values = {n: getattr(base, n) for n in RULE_FIELDS if n != "cap"} | values
        return repo.create({"grade": grade, **values})
    return repo.update(current.id, values)


GRADES = (DEFAULT_GRADE, "A", "B", "C")


def rule_rows(book: Book) -> list[tuple[str, Any, bool]]:
    """(grade, the rule in force, whether the grade has its own row) for * and A/B/C: what
    the pool rules screen and `crm pool-rules` show."""
    team = rules(book)
    return [
        (g, team.for_grade(None if g == DEFAULT_GRADE else g), g in team.by_grade) for g in GRADES
    ]


def set_rule_from_form(book: Book, grade: str, texts: dict[str, str]) -> Any:
    """`set_rule` from a form's text (the registry parses it: a non-number or a negative is
    refused on its own field); empty keeps the built-in default."""
    from crm_tui.domain.fields import parse_values

    typed = parse_values("pool_rule", texts, book.input_context)
    return set_rule(book, grade, {k: v for k, v in typed.items() if k in RULE_FIELDS})


# --- steps ------------------------------------------------------------------------------------
def _customer(book: Book, ref: str) -> Customer:
    return book.db.repos.customers.resolve(ref)


def check_claim(book: Book, cust: Customer) -> str | None:
    """Why this laptop expects the server to refuse a claim (None: it should pass)."""
    actor = book.actor
    reason = why_not_pool_step(actor, "claim", cust.owner_id)
    if reason:
        return reason
    steps = book.db.repos.pool.steps
    return why_not_claim(
        rules(book),
        actor_id=actor.user_id or "",
        owned=steps.owned_count(actor.user_id) if actor.user_id else 0,
        grade=cust.grade,
        previous_owner_id=cust.previous_owner_id,
        released_at=_utc(cust.pool_since),
        now=_utc(book.clock.now()) or datetime.now(UTC),
    )


def claim(book: Book, ref: str) -> Customer:
    """Claim a pooled customer: yours at once here, pending until the server agrees."""
    cust = _customer(book, ref)
    reason = check_claim(book, cust)
    if reason:
        raise _error("owner_id", reason)
    return book.db.repos.pool.steps.claim(cust.id)


def release(book: Book, ref: str, reason: str) -> Customer:
    if not (reason or "").strip():
        raise _error("reason", "say why the customer goes back to the pool (--reason)")
    cust = _customer(book, ref)
    why = why_not_pool_step(book.actor, "release", cust.owner_id, locked=cust.locked)
    if why:
        raise _error("owner_id", why)
    return book.db.repos.pool.steps.release(cust.id, reason.strip())


def assign(book: Book, ref: str, to: str) -> Customer:
    cust = _customer(book, ref)
    why = why_not_pool_step(book.actor, "assign", cust.owner_id)
    if why:
        raise PermissionError(why)
    member = book.db.repos.users.member_id(to)
    if member is None:
        raise _error("owner_id", f"no team member '{to}' on this laptop (sync first?)")
    return book.db.repos.pool.steps.assign(cust.id, member)


def lock(book: Book, ref: str, locked: bool = True) -> Customer:
    cust = _customer(book, ref)
    why = why_not_pool_step(book.actor, "lock", cust.owner_id)
    if why:
        raise PermissionError(why)
    return book.db.repos.pool.steps.lock(cust.id, locked)


def pending(book: Book) -> dict[str, str]:
    """Customers with a pool step not yet confirmed by the server: id -> step."""
    return book.db.repos.pool.steps.pending_steps()


# --- going to the pool ---------------------------------------------------------------------
def going_to_pool(book: Book, *, user_id: str | None = None, limit: int = 50) -> list[Leaving]:
    """The rep's customers inside their warning window, soonest first (pool_soon.py)."""
    return soon.going_to_pool(book.path, book.clock, user_id=user_id, limit=limit)


# --- the server's pass, on demand ---------------------------------------------------------------
def release_now(database_url: str | None, now: datetime | None = None) -> list[str]:
    """Run the server's release pass once against its database (`crm server release-pool`)."""
    from crm_tui.server.core.clock import ServerClock
    from crm_tui.services.server_admin import open_server

    admin = open_server(database_url)
    try:
        from crm_tui.server.pool_release import release_pass

        return release_pass(admin._db, ServerClock(), now).released
    finally:
        admin._db.close()


# --- 撞单: a new customer that is already someone's, or in the pool ----------------------------
@dataclass(frozen=True)
class Collision:
    """A look-alike of a new customer that is in the pool or another rep's."""

    customer_id: str
    name: str
    in_pool: bool
    owner: str | None  # the other rep's name (None when in the pool)

    def line(self) -> str:
        if self.in_pool:
            return f"'{self.name}' is in the pool: claim it instead (crm claim {self.customer_id})"
        return (
            f"'{self.name}' is {self.owner}'s customer ({self.customer_id}): ask your manager "
            "to reassign it to you"
        )


def collisions(book: Book, matches: list[Any]) -> list[Collision]:
    """Which look-alikes (services/customers_match.py) are in the pool or another rep's.
    On a book never signed in every customer is the rep's own, but one released to the
    pool (`pool_since` set) is still in the pool: a copy of it is 撞单 too."""
    me = book.user_id
    if not matches:
        return []
    names = {v: k for k, v in book.db.repos.users.members().items()} if me else {}
    out = []
    for match in matches:
        cust = book.db.repos.customers.get(match.id)
        if cust is None or (me is not None and cust.owner_id == me):
            continue
        if me is None and (cust.owner_id is not None or cust.pool_since is None):
            continue
        owner = cust.owner_id
        out.append(Collision(cust.id, cust.name, owner is None, names.get(owner or "", owner)))
    return out


def card_line(customer: Customer, zone_clock: Any) -> str | None:
    """The customer page's pool line, from the record alone (no read: the card is painted
    on the UI thread): in the pool since when, or locked by a manager."""
    if customer.owner_id is None and customer.pool_since is not None:
        since = customer.pool_since
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        return f"In the pool (公海) since {zone_clock.to_local(since):%Y-%m-%d}: crm claim takes it"
    if customer.locked:
        return "Locked by a manager: never goes to the pool"
    return None
