"""Provides the compiler: parsed terms -> SQLAlchemy WHERE clauses for one record type.

Each term becomes one clause; a list page ANDs them. Dates are read relative to the
database's clock in the rep's zone; `owner:me` is the signed-in rep. Free text goes through
the full-text index for customers and contacts (customers also match through their
contacts); other records match words in their text fields or their customer's index entry.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table

from crm_tui.domain import rules
from crm_tui.domain.dates import Clock, DateError, parse_date
from crm_tui.domain.fields import ENTITIES, FieldSpec, entity
from crm_tui.domain.models import MODELS
from crm_tui.domain.money import DEFAULT_CURRENCY, MoneyError, parse_money
from crm_tui.query.parser import FieldTerm, QueryError, TagTerm, TextTerm, parse
from crm_tui.query.vocabulary import IS_SHORTHANDS, Vocabulary, vocabulary
from crm_tui.storage import search

_DOC = sa_table("search_doc", sa_column("docid"), sa_column("entity"), sa_column("row_id"))
_FTS = sa_table("search_fts", sa_column("rowid"))
_TEXT_KINDS = ("text", "longtext", "email", "phone", "url")
_ORDERED_KINDS = ("money", "int", "percent", "date", "datetime")
_YES = {"yes", "y", "true", "1", "on", "是"}
_NO = {"no", "n", "false", "0", "off", "否"}
_SEARCHABLE = ("customer", "contact")


class QueryContext(Protocol):
    """What a query needs from the database: the clock and who 'me' is."""

    clock: Clock

    @property
    def user_id(self) -> str | None: ...


@dataclass
class _Ctx:
    vocab: Vocabulary
    model: Any
    clock: Clock
    user_id: str | None
    currency: str

    @property
    def name(self) -> str:
        return self.vocab.spec.name


def _error(
    term: FieldTerm | TagTerm | TextTerm, message: str, suggestion: str | None = None
) -> QueryError:
    text = f"{message} at column {term.column}"
    if suggestion:
        text += f"; did you mean {suggestion}?"
    return QueryError(text, term.token, term.column, suggestion)


def _suggest(word: str, options: list[str] | tuple[str, ...]) -> str | None:
    lowered = {o.lower(): o for o in options}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[found[0]] if found else None


def live_rows(model: Any) -> ColumnElement[bool]:
    # `deleted = 0` with a literal, not `IS 0` or a bound value: only then can SQLite use
    # the partial indexes (WHERE deleted = 0) that keep sorted lists fast.
    return model.deleted == literal_column("0")


def _negate(clause: ColumnElement[bool]) -> ColumnElement[bool]:
    # NULL-safe: a customer with no city is among those "not in 上海".
    return not_(func.coalesce(clause, false()))


def _any_of(clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return clauses[0] if len(clauses) == 1 else or_(*clauses)


def compile_filter(entity_name: str, text: str, *, db: QueryContext) -> list[ColumnElement[bool]]:
    """WHERE clauses for `text` over one record type (registry name, plural or alias).

    Raises QueryError (a ValueError) naming the offending token and its column.
    """
    try:
        spec = entity(entity_name)
    except KeyError as exc:
        raise QueryError(str(exc.args[0]), entity_name, 0) from None
    if not text or not text.strip():
        return []
    currency = DEFAULT_CURRENCY
    state = getattr(db, "state", None)
    if callable(state):
        currency = state("currency") or DEFAULT_CURRENCY
    ctx = _Ctx(vocabulary(spec.name), MODELS[spec.name], db.clock, db.user_id, currency)
    return compile_terms(ctx, parse(text))


def compile_terms(ctx: _Ctx, terms: list) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    words: list[str] = []
    for term in terms:
        if isinstance(term, FieldTerm):
            clause = _field_term(ctx, term)
            clauses.append(_negate(clause) if term.negated else clause)
        elif isinstance(term, TagTerm):
            clauses.append(_tag_term(ctx, term))
        elif term.phrase or term.negated:
            clause = _free_text(
                ctx,
                _phrase_expression(term.text)
                if term.phrase
                else search.match_expression(term.text),
                term.text,
            )
            clauses.append(_negate(clause) if term.negated else clause)
        else:
            words.append(term.text)
    if words:
        joined = " ".join(words)
        clauses.append(_free_text(ctx, search.match_expression(joined), joined))
    return clauses


# --- free text ---------------------------------------------------------------------------


def _phrase_expression(phrase: str) -> str | None:
    """Latin words typed in quotes must be adjacent; Chinese runs are phrases already."""
    parts: list[str] = []
    latin: list[str] = []
    for word in phrase.split():
        expr = search.match_expression(word)
        if expr is None:
            continue
        if expr == f'"{word}"*' and '"' not in word:
            latin.append(word)
            continue
        if latin:
            parts.append('"' + " ".join(latin) + '"')
            latin = []
        parts.append(expr)
    if latin:
        parts.append('"' + " ".join(latin) + '"')
    return " AND ".join(parts) if parts else None


def fts_ids(entity_name: str, expression: str) -> Any:
    """SELECT row_id of one record type's search documents matching an FTS5 expression."""
    return (
        select(_DOC.c.row_id)
        .select_from(_FTS.join(_DOC, _DOC.c.docid == _FTS.c.rowid))
        .where(literal_column("search_fts").op("MATCH")(expression), _DOC.c.entity == entity_name)
    )


def _customer_text(expression: str) -> ColumnElement[bool]:
    """Customers whose own search document, or a live contact's, matches `expression`.

    The clause carries `fts_expression`, so a list (storage/listing.py) can spot a top-level
    free-text term and answer it from the full-text hits mapped to list places instead
    (storage/search.py `CustomerHits`): the same rows without sorting every match.
    """
    customer, contact = MODELS["customer"], MODELS["contact"]
    via_contacts = select(contact.customer_id).where(
        contact.id.in_(fts_ids("contact", expression)), live_rows(contact)
    )
    clause = or_(customer.id.in_(fts_ids("customer", expression)), customer.id.in_(via_contacts))
    clause.fts_expression = expression  # type: ignore[attr-defined]
    return clause


def text_match(clause: Any) -> str | None:
    """The FTS expression of a clause made by the customers' free text, else None."""
    return getattr(clause, "fts_expression", None)


def _free_text(ctx: _Ctx, expression: str | None, raw: str) -> ColumnElement[bool]:
    if expression is None:
        return true()
    if ctx.name == "customer":
        return _customer_text(expression)
    if ctx.name == "contact":
        return ctx.model.id.in_(fts_ids("contact", expression))
    clauses = []
    for word in raw.split():
        options = [
            getattr(ctx.model, f.name).contains(word, autoescape=True)
            for f in ctx.vocab.spec.fields
            if f.kind in _TEXT_KINDS
        ]
        clauses.append(_any_of(options) if options else false())
    own = and_(*clauses) if clauses else false()
    if "customer_id" in ctx.vocab.spec.by_name:
        customer = MODELS["customer"]
        matching = select(customer.id).where(_customer_text(expression))
        return or_(own, ctx.model.customer_id.in_(matching))
    return own


# --- tags ---------------------------------------------------------------------------------


def _has_tag(col: Any, tag: str) -> ColumnElement[bool]:
    wrapped = "," + func.coalesce(col, "") + ","
    return wrapped.contains("," + tag + ",", autoescape=True)


def _tag_term(ctx: _Ctx, term: TagTerm) -> ColumnElement[bool]:
    if "tags" in ctx.vocab.fields:
        clause = _has_tag(ctx.model.tags, term.tag)
        return clause if term.present else _negate(clause)
    if not term.present:  # `-word` excludes a word where records have no tags
        return _negate(_free_text(ctx, search.match_expression(term.tag), term.tag))
    raise _error(term, f"{ctx.vocab.spec.plural} have no tags; '{term.token}' needs tags")


# --- field terms --------------------------------------------------------------------------


def _field_term(ctx: _Ctx, term: FieldTerm) -> ColumnElement[bool]:
    head = term.path[0]
    resolved = ctx.vocab.resolve(head)
    if resolved is None:
        raise _error(
            term,
            f"unknown field '{head}' for {ctx.vocab.spec.plural}",
            _suggest(head, ctx.vocab.names()),
        )
    if len(term.path) > 1:
        return _related(ctx, term, resolved)
    if resolved in ctx.vocab.pseudo:
        return _pseudo(ctx, term, resolved)
    fspec = ctx.vocab.fields[resolved]
    return _values(ctx, term, fspec, ctx.vocab.values(head))


def _related(ctx: _Ctx, term: FieldTerm, resolved: str) -> ColumnElement[bool]:
    fspec = ctx.vocab.fields.get(resolved)
    if fspec is None or fspec.kind != "ref" or not fspec.ref:
        refs = {n for n, f in ctx.vocab.fields.items() if f.kind == "ref"}
        names = [alias for alias, target in ctx.vocab.aliases.items() if target in refs]
        raise _error(
            term,
            f"'{term.path[0]}' is not a related record of {ctx.vocab.spec.plural}",
            _suggest(term.path[0], names),
        )
    target = MODELS[fspec.ref]
    inner_ctx = _Ctx(vocabulary(fspec.ref), target, ctx.clock, ctx.user_id, ctx.currency)
    inner_term = FieldTerm(term.path[1:], term.op, term.values, False, term.token, term.column)
    inner = _field_term(inner_ctx, inner_term)
    ids = select(target.id).where(inner, live_rows(target))
    return getattr(ctx.model, resolved).in_(ids)


def _split_negated(term: FieldTerm, fspec: FieldSpec | None) -> tuple[list[str], list[str]]:
    positive, negative = [], []
    for value in term.values:
        is_offset = (
            fspec is not None and fspec.kind in ("date", "datetime") and value[1:2].isdigit()
        )
        if value.startswith("-") and len(value) > 1 and not is_offset:
            negative.append(value[1:])
        else:
            positive.append(value)
    return positive, negative


def _combine(ctx: _Ctx, term: FieldTerm, fspec: FieldSpec | None, one: Any) -> ColumnElement[bool]:
    positive, negative = _split_negated(term, fspec)
    parts: list[ColumnElement[bool]] = []
    if positive:
        parts.append(_any_of([one(v) for v in positive]))
    parts.extend(_negate(one(v)) for v in negative)
    return and_(*parts) if len(parts) > 1 else parts[0]


def _values(
    ctx: _Ctx, term: FieldTerm, fspec: FieldSpec, known: tuple[str, ...]
) -> ColumnElement[bool]:
    col = _column(ctx, fspec)
    kind = fspec.kind
    if not term.values:
        if kind in ("money", "int", "percent", "bool"):
            raise _error(term, f"'{term.token}' needs a value")
        empty = (
            col.is_(None) if kind not in _TEXT_KINDS + ("tags",) else or_(col.is_(None), col == "")
        )
        return empty
    if term.op in (">", ">=", "<", "<=") and kind not in _ORDERED_KINDS:
        raise _error(
            term,
            f"'{term.path[-1]}' is {kind}; '{term.op}' works on numbers, money and dates",
            f"{term.path[-1]}:{term.values[0]}",
        )
    if term.op == "!=":
        inner = FieldTerm(term.path, "=", term.values, False, term.token, term.column)
        return _negate(_values(ctx, inner, fspec, known))
    if kind in _TEXT_KINDS:
        if term.op == "=":
            return _combine(ctx, term, fspec, lambda v: col.collate("NOCASE") == v)
        return _combine(ctx, term, fspec, lambda v: col.contains(v, autoescape=True))
    if kind == "enum":
        return _combine(ctx, term, fspec, lambda v: _enum(ctx, term, fspec, col, v, known))
    if kind == "currency":
        return _combine(ctx, term, fspec, lambda v: col == v.upper())
    if kind == "tags":
        return _combine(ctx, term, fspec, lambda v: _has_tag(col, v))
    if kind == "bool":
        return _combine(ctx, term, fspec, lambda v: col.is_(_bool(term, v)))
    if kind == "ref":
        return _combine(ctx, term, fspec, lambda v: _ref(ctx, term, fspec, col, v))
    if kind == "datetime":
        return _combine(ctx, term, fspec, lambda v: _moment(ctx, term, fspec, col, v))
    return _combine(ctx, term, fspec, lambda v: _ordered(ctx, term, fspec, col, v))


def _column(ctx: _Ctx, fspec: FieldSpec) -> Any:
    if fspec.name == "weighted":
        return (ctx.model.amount * ctx.model.probability + 50) // 100
    if fspec.name == "contacted" and ctx.name == "customer":
        activity = MODELS["activity"]
        last = (
            select(func.max(activity.done_at))
            .where(
                activity.customer_id == ctx.model.id,
                live_rows(activity),
                activity.done_at.is_not(None),
            )
            .scalar_subquery()
        )
        return func.coalesce(last, ctx.model.created_at)
    return getattr(ctx.model, fspec.name)


def _enum(
    ctx: _Ctx, term: FieldTerm, fspec: FieldSpec, col: Any, value: str, known: tuple[str, ...]
) -> ColumnElement[bool]:
    v = value.lower()
    if ctx.name == "opportunity" and fspec.name == "stage" and v in ("open", "closed"):
        stages = rules.OPEN_STAGES if v == "open" else (rules.Stage.WON, rules.Stage.LOST)
        return col.in_([s.value for s in stages])
    exact = [c for c in fspec.choices if c.lower() == v]
    matches = exact or [c for c in fspec.choices if c.lower().startswith(v)]
    if len(matches) == 1:
        return col == matches[0]
    if len(matches) > 1:
        raise _error(term, f"'{value}' could be {', '.join(matches)}", matches[0])
    raise _error(
        term,
        f"'{value}' is not a {term.path[-1]} (one of {', '.join(known)})",
        _suggest(value, known),
    )


def _bool(term: FieldTerm, value: str) -> bool:
    v = value.lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    raise _error(term, f"'{value}' is not yes or no", "yes")


def _ref(ctx: _Ctx, term: FieldTerm, fspec: FieldSpec, col: Any, value: str) -> Any:
    if fspec.name == "owner_id":
        v = value.lower()
        if v == "me":
            return col.is_(None) if ctx.user_id is None else col == ctx.user_id
        if v == "none":
            return col.is_(None)
    target_name = fspec.ref or ""
    target = MODELS[target_name]
    title = getattr(target, ENTITIES[target_name].title_field)
    ids = select(target.id).where(
        or_(target.id.startswith(value, autoescape=True), title.contains(value, autoescape=True)),
        live_rows(target),
    )
    return col.in_(ids)


def _day_range(ctx: _Ctx, term: FieldTerm, value: str) -> tuple[date, date]:
    """A day or an inclusive range 'a..b' of days."""
    today = ctx.clock.today()
    try:
        if ".." in value:
            first, _, last = value.partition("..")
            start = parse_date(first, today) if first else date.min
            end = parse_date(last, today) if last else date.max - timedelta(days=1)
            return start, end
        day = parse_date(value, today)
        return day, day
    except DateError as exc:
        raise _error(term, f"'{value}': {exc}", "today") from None


def _moment(ctx: _Ctx, term: FieldTerm, fspec: FieldSpec, col: Any, value: str) -> Any:
    v = value.lower()
    now = _utc(ctx.clock.now())
    if v == "none":
        return col.is_(None)
    if v == "overdue":
        clause = and_(col.is_not(None), col < now)
        if ctx.name == "activity":
            clause = and_(clause, ctx.model.done_at.is_(None))
        return clause
    if v == "now":
        start, end = now, now + timedelta(seconds=1)
    elif value[:4].isdigit() and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _error(term, f"'{value}' is not a date and time", "2026-11-30T14:30") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ctx.clock.zone)
        start = _utc(moment)
        end = start + timedelta(minutes=1)
    else:
        first, last = _day_range(ctx, term, value)
        start = (
            _utc(ctx.clock.day_start_utc(first))
            if first != date.min
            else datetime.min.replace(tzinfo=UTC)
        )
        end = _utc(ctx.clock.day_start_utc(last + timedelta(days=1)))
    return _compare(term.op, col, start, end)


def _compare(op: str, col: Any, start: Any, end_exclusive: Any) -> Any:
    """`start` is the first value a typed value covers, `end_exclusive` the first after it."""
    if op == ">":
        return col >= end_exclusive
    if op == ">=":
        return col >= start
    if op == "<":
        return col < start
    if op == "<=":
        return col < end_exclusive
    return and_(col >= start, col < end_exclusive)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _ordered(ctx: _Ctx, term: FieldTerm, fspec: FieldSpec, col: Any, value: str) -> Any:
    kind = fspec.kind
    if kind == "date":
        first, last = _day_range(ctx, term, value)
        return _compare(term.op, col, first, last + timedelta(days=1))
    if ".." in value:
        low, _, high = value.partition("..")
        parts = []
        if low:
            parts.append(col >= _number(ctx, term, fspec, low))
        if high:
            parts.append(col <= _number(ctx, term, fspec, high))
        if not parts:
            raise _error(term, f"'{value}' is an empty range", "1..10")
        return and_(*parts)
    number = _number(ctx, term, fspec, value)
    ops = {">": col > number, ">=": col >= number, "<": col < number, "<=": col <= number}
    return ops.get(term.op, col == number)


def _number(ctx: _Ctx, term: FieldTerm, fspec: FieldSpec, value: str) -> int:
    if fspec.kind == "money":
        try:
            return parse_money(value, ctx.currency)[0]
        except MoneyError as exc:
            raise _error(term, f"'{value}': {exc}", "50000") from None
    try:
        number = int(value.rstrip("%"))
    except ValueError:
        raise _error(term, f"'{value}' is not a whole number", "60") from None
    return number


def _pseudo(ctx: _Ctx, term: FieldTerm, name: str) -> ColumnElement[bool]:
    model = ctx.model
    if not term.values:
        raise _error(
            term, f"'{term.token}' needs a value", f"{name}:{(ctx.vocab.values(name) or ('…',))[0]}"
        )
    if term.op not in (":", "="):
        raise _error(term, f"'{name}' takes ':'", f"{name}:{term.values[0]}")
    if name == "id":
        return _combine(ctx, term, None, lambda v: model.id.startswith(v, autoescape=True))
    if name == "is":
        shorthands = IS_SHORTHANDS.get(ctx.name, {})

        def one(value: str) -> Any:
            if value.lower() not in shorthands:
                raise _error(
                    term,
                    f"'is:{value}' means nothing for {ctx.vocab.spec.plural}",
                    _suggest(value, list(shorthands)) and f"is:{_suggest(value, list(shorthands))}",
                )
            inner = parse(shorthands[value.lower()])
            return compile_terms(ctx, inner)[0]

        return _combine(ctx, term, None, one)
    if name == "status" and ctx.name == "activity":
        now = _utc(ctx.clock.now())
        states = {
            "open": model.done_at.is_(None),
            "done": model.done_at.is_not(None),
            "overdue": and_(model.done_at.is_(None), model.due_at.is_not(None), model.due_at < now),
        }
        return _combine(ctx, term, None, lambda v: _choice(term, states, v))
    if name == "has" and ctx.name == "customer":
        return _combine(ctx, term, None, lambda v: _choice(term, _has_clauses(ctx), v))
    raise _error(term, f"'{name}' is not supported for {ctx.vocab.spec.plural}")


def _choice(term: FieldTerm, options: dict[str, Any], value: str) -> Any:
    v = value.lower()
    if v in options:
        return options[v]
    starts = [k for k in options if k.startswith(v)]
    if len(starts) == 1:
        return options[starts[0]]
    raise _error(
        term, f"'{value}' is not one of {', '.join(options)}", _suggest(value, list(options))
    )


def _has_clauses(ctx: _Ctx) -> dict[str, Any]:
    customer = ctx.model
    activity, opportunity, contact = MODELS["activity"], MODELS["opportunity"], MODELS["contact"]
    now = _utc(ctx.clock.now())
    return {
        "overdue": exists().where(
            activity.customer_id == customer.id,
            live_rows(activity),
            activity.done_at.is_(None),
            activity.due_at < now,
        ),
        "open-deal": exists().where(
            opportunity.customer_id == customer.id,
            live_rows(opportunity),
            opportunity.stage.in_([s.value for s in rules.OPEN_STAGES]),
        ),
        "open-followup": exists().where(
            activity.customer_id == customer.id,
            live_rows(activity),
            activity.done_at.is_(None),
        ),
        "contact": exists().where(contact.customer_id == customer.id, live_rows(contact)),
    }
