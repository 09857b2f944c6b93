"""Provides `Filter`: what a list shows, as plain data (no SQL), made by the query language.

The query language (crm_tui/query) turns what a rep typed into a `Filter`; screens build
their fixed views with the same clauses; storage (crm_tui/storage/filter_sql.py) turns one
into SQL. Every value is already resolved: relative dates are UTC moments or dates, `me` is
a user id, money is in minor units, so the same Filter gives the same rows whenever read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

Value = str | int | float | bool | date | datetime | None

# Comparison operators a `Compare` takes ("!=" is `Not(Compare("="))`).
OPERATORS = ("=", "<", "<=", ">", ">=", "is", "eq_nocase", "contains", "startswith")
# What `has:` means on customers.
HAS_KINDS = ("overdue", "open-deal", "open-followup", "contact")


@dataclass(frozen=True)
class Compare:
    """`field op value`; `field` is a column or a derived value (`weighted`, `contacted`)."""

    field: str
    op: str
    value: Value

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"unknown operator {self.op!r}")


@dataclass(frozen=True)
class OneOf:
    """The field equals one of `values`."""

    field: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class IsEmpty:
    """The field is NULL (or '' too when `blank_text`); `empty=False` asks for a value."""

    field: str
    blank_text: bool = False
    empty: bool = True


@dataclass(frozen=True)
class Range:
    """`start <= field < end`; either end may be open (None)."""

    field: str
    start: Value = None
    end: Value = None


@dataclass(frozen=True)
class HasTag:
    """The comma-separated tags in `field` include `tag` (case as stored)."""

    field: str
    tag: str


@dataclass(frozen=True)
class OwnerIs:
    """Owned by this user; None (no one signed in) means rows without an owner."""

    user_id: str | None


@dataclass(frozen=True)
class RefMatch:
    """A reference to a `target` record whose id starts with, or title contains, `text`."""

    field: str
    target: str
    text: str


@dataclass(frozen=True)
class Related:
    """A reference to a live `target` record that matches `clause`."""

    field: str
    target: str
    clause: Clause


@dataclass(frozen=True)
class Has:
    """Customers with a related record of a kind (HAS_KINDS), as of `now` (UTC; for
    "overdue" it is followup_rules.overdue_before, the start of today)."""

    kind: str
    now: datetime


@dataclass(frozen=True)
class FreeText:
    """Words to find: `expression` is the full-text (FTS5) form, None when it finds nothing
    to look for (then every row matches); `words` is what was typed, for records without a
    full-text index (their text fields are searched word by word)."""

    expression: str | None
    words: str


@dataclass(frozen=True)
class AllOf:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class AnyOf:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Not:
    """NULL-safe negation: a customer with no city is among those "not in 上海"."""

    clause: Clause


Clause = (
    Compare
    | OneOf
    | IsEmpty
    | Range
    | HasTag
    | OwnerIs
    | RefMatch
    | Related
    | Has
    | FreeText
    | AllOf
    | AnyOf
    | Not
)


@dataclass(frozen=True)
class SortKey:
    """One sort column; `urgency` is the stored urgency score (follow-ups, customers)."""

    field: str
    descending: bool = False


@dataclass(frozen=True)
class Sort:
    keys: tuple[SortKey, ...]

    @property
    def by_urgency(self) -> bool:
        return bool(self.keys) and self.keys[0].field == "urgency"


@dataclass(frozen=True)
class Filter:
    """The rows of one record type that every clause in `terms` selects and, when `text`
    is set, that match the typed words (the query bar's free text: lists of customers
    answer it from the full-text hits instead of SQL); `sort` is the order asked for."""

    entity: str
    terms: tuple[Clause, ...] = ()
    text: FreeText | None = None
    sort: Sort | None = None

    def __bool__(self) -> bool:
        return bool(self.terms) or self.text is not None

    def and_(self, *clauses: Clause) -> Filter:
        """This filter with more clauses ANDed."""
        return replace(self, terms=(*self.terms, *clauses))

    def merged(self, other: Filter | None) -> Filter:
        """Both filters' clauses ANDed (a screen's base view plus the bar's query); the
        free text and sort of `self` win, else `other`'s."""
        if other is None:
            return self
        if other.entity != self.entity:
            raise ValueError(f"cannot merge a {other.entity} filter into a {self.entity} one")
        terms = (*self.terms, *other.terms)
        text = self.text
        if text is None:
            text = other.text
        elif other.text is not None:
            terms = (*terms, other.text)
        return Filter(self.entity, terms, text, self.sort or other.sort)

    def with_sort(self, sort: Sort | None) -> Filter:
        return replace(self, sort=sort)
