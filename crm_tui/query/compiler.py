"""Provides the compiler: parsed terms -> a typed `Filter` (crm_tui/domain/filter.py).

Names and values are checked against the field registry here, so every error names its
token and column; what comes out is plain data with every value resolved: relative dates
against the clock in the rep's zone, `owner:me` to the signed-in rep, money to minor units.
Storage turns the Filter into SQL (crm_tui/storage/filter_sql.py). Free text becomes a
`FreeText` (the full-text expression and the typed words); the unquoted words of a query
form one, `Filter.text`, which a customers list can answer from its full-text hits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from crm_tui.domain import rules
from crm_tui.domain.dates import DateError, parse_date
from crm_tui.domain.fields import FieldSpec, entity
from crm_tui.domain.filter import (
    AllOf,
    Clause,
    Compare,
    Filter,
    FreeText,
    HasTag,
    IsEmpty,
    Not,
    OneOf,
    OwnerIs,
    Range,
    RefMatch,
    Related,
)
from crm_tui.domain.followup_rules import overdue_before
from crm_tui.domain.money import DEFAULT_CURRENCY, MoneyError, parse_money
from crm_tui.domain.search_text import match_expression
from crm_tui.query.context import Ctx, QueryContext, combine, error, suggest, utc
from crm_tui.query.parser import FieldTerm, QueryError, TagTerm, parse
from crm_tui.query.pseudo import pseudo_term
from crm_tui.query.vocabulary import vocabulary

TEXT_KINDS = ("text", "longtext", "email", "phone", "url")
_ORDERED_KINDS = ("money", "int", "percent", "date", "datetime")
_YES = {"yes", "y", "true", "1", "on", "是"}
_NO = {"no", "n", "false", "0", "off", "否"}


def _currency(ctx: QueryContext) -> str:
    currency = getattr(ctx, "currency", None)
    if isinstance(currency, str) and currency:
        return currency
    state = getattr(ctx, "state", None)  # a storage Database passed as the context
    if callable(state):
        return state("currency") or DEFAULT_CURRENCY
    return DEFAULT_CURRENCY


def compile_query(entity_name: str, text: str, ctx: QueryContext) -> Filter:
    """The Filter for `text` over one record type (registry name, plural or alias); an empty
    Filter for an empty query. Raises QueryError (a ValueError) naming the offending token."""
    try:
        spec = entity(entity_name)
    except KeyError as exc:
        raise QueryError(str(exc.args[0]), entity_name, 0) from None
    if not text or not text.strip():
        return Filter(spec.name)
    state = Ctx(vocabulary(spec.name), ctx.clock, ctx.user_id, _currency(ctx))
    terms, words = _compile_terms(state, parse(text))
    return Filter(spec.name, tuple(terms), words)


def _compile_terms(ctx: Ctx, terms: list) -> tuple[list[Clause], FreeText | None]:
    clauses: list[Clause] = []
    words: list[str] = []
    for term in terms:
        if isinstance(term, FieldTerm):
            clause = _field_term(ctx, term)
            clauses.append(Not(clause) if term.negated else clause)
        elif isinstance(term, TagTerm):
            clauses.append(_tag_term(ctx, term))
        elif term.phrase or term.negated:
            expression = (
                _phrase_expression(term.text) if term.phrase else match_expression(term.text)
            )
            clause = FreeText(expression, term.text)
            clauses.append(Not(clause) if term.negated else clause)
        else:
            words.append(term.text)
    if not words:
        return clauses, None
    joined = " ".join(words)
    return clauses, FreeText(match_expression(joined), joined)


def _phrase_expression(phrase: str) -> str | None:
    """Latin words typed in quotes must be adjacent; Chinese runs are phrases already."""
    parts: list[str] = []
    latin: list[str] = []
    for word in phrase.split():
        expr = match_expression(word)
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


def _tag_term(ctx: Ctx, term: TagTerm) -> Clause:
    if "tags" in ctx.vocab.fields:
        clause = HasTag("tags", term.tag)
        return clause if term.present else Not(clause)
    if not term.present:  # `-word` excludes a word where records have no tags
        return Not(FreeText(match_expression(term.tag), term.tag))
    raise error(term, f"{ctx.vocab.spec.plural} have no tags; '{term.token}' needs tags")


# --- field terms --------------------------------------------------------------------------


def _field_term(ctx: Ctx, term: FieldTerm) -> Clause:
    head = term.path[0]
    resolved = ctx.vocab.resolve(head)
    if resolved is None:
        raise error(
            term,
            f"unknown field '{head}' for {ctx.vocab.spec.plural}",
            suggest(head, ctx.vocab.names()),
        )
    if len(term.path) > 1:
        return _related(ctx, term, resolved)
    if resolved in ctx.vocab.pseudo:
        return pseudo_term(ctx, term, resolved, _field_term)
    fspec = ctx.vocab.fields[resolved]
    return _values(ctx, term, fspec, ctx.vocab.values(head))


def _related(ctx: Ctx, term: FieldTerm, resolved: str) -> Clause:
    fspec = ctx.vocab.fields.get(resolved)
    if fspec is None or fspec.kind != "ref" or not fspec.ref:
        refs = {n for n, f in ctx.vocab.fields.items() if f.kind == "ref"}
        names = [alias for alias, target in ctx.vocab.aliases.items() if target in refs]
        raise error(
            term,
            f"'{term.path[0]}' is not a related record of {ctx.vocab.spec.plural}",
            suggest(term.path[0], names),
        )
    inner_ctx = Ctx(vocabulary(fspec.ref), ctx.clock, ctx.user_id, ctx.currency)
    inner_term = FieldTerm(term.path[1:], term.op, term.values, False, term.token, term.column)
    return Related(resolved, fspec.ref, _field_term(inner_ctx, inner_term))


def _values(ctx: Ctx, term: FieldTerm, fspec: FieldSpec, known: tuple[str, ...]) -> Clause:
    name, kind = fspec.name, fspec.kind
    if not term.values:
        if kind in ("money", "int", "percent", "bool"):
            raise error(term, f"'{term.token}' needs a value")
        return IsEmpty(name, blank_text=kind in TEXT_KINDS + ("tags",))
    if term.op in (">", ">=", "<", "<=") and kind not in _ORDERED_KINDS:
        raise error(
            term,
            f"'{term.path[-1]}' is {kind}; '{term.op}' works on numbers, money and dates",
            f"{term.path[-1]}:{term.values[0]}",
        )
    if term.op == "!=":
        inner = FieldTerm(term.path, "=", term.values, False, term.token, term.column)
        return Not(_values(ctx, inner, fspec, known))
    one: Callable[[str], Clause]
    if kind in TEXT_KINDS:
        op = "eq_nocase" if term.op == "=" else "contains"
        one = lambda v: Compare(name, op, v)  # noqa: E731
    elif kind == "enum":
        one = lambda v: _enum(ctx, term, fspec, v, known)  # noqa: E731
    elif kind == "currency":
        one = lambda v: Compare(name, "=", v.upper())  # noqa: E731
    elif kind == "tags":
        one = lambda v: HasTag(name, v)  # noqa: E731
    elif kind == "bool":
        one = lambda v: Compare(name, "is", _bool(term, v))  # noqa: E731
    elif kind == "ref":
        one = lambda v: _ref(ctx, fspec, v)  # noqa: E731
    elif kind == "datetime":
        one = lambda v: _moment(ctx, term, fspec, v)  # noqa: E731
    else:
        one = lambda v: _ordered(ctx, term, fspec, v)  # noqa: E731
    return combine(term, fspec, one)


def _enum(
    ctx: Ctx, term: FieldTerm, fspec: FieldSpec, value: str, known: tuple[str, ...]
) -> Clause:
    v = value.lower()
    if ctx.name == "opportunity" and fspec.name == "stage" and v in ("open", "closed"):
        stages = rules.OPEN_STAGES if v == "open" else (rules.Stage.WON, rules.Stage.LOST)
        return OneOf(fspec.name, tuple(s.value for s in stages))
    exact = [c for c in fspec.choices if c.lower() == v]
    matches = exact or [c for c in fspec.choices if c.lower().startswith(v)]
    if len(matches) == 1:
        return Compare(fspec.name, "=", matches[0])
    if len(matches) > 1:
        raise error(term, f"'{value}' could be {', '.join(matches)}", matches[0])
    raise error(
        term,
        f"'{value}' is not a {term.path[-1]} (one of {', '.join(known)})",
        suggest(value, known),
    )


def _bool(term: FieldTerm, value: str) -> bool:
    v = value.lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    raise error(term, f"'{value}' is not yes or no", "yes")


def _ref(ctx: Ctx, fspec: FieldSpec, value: str) -> Clause:
    if fspec.name == "owner_id":
        v = value.lower()
        if v == "me":
            return OwnerIs(ctx.user_id)
        if v == "none":
            return IsEmpty(fspec.name)
    return RefMatch(fspec.name, fspec.ref or "", value)


def _day_range(ctx: Ctx, term: FieldTerm, value: str) -> tuple[date, date]:
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
        raise error(term, f"'{value}': {exc}", "today") from None


def _moment(ctx: Ctx, term: FieldTerm, fspec: FieldSpec, value: str) -> Clause:
    v = value.lower()
    name = fspec.name
    now = utc(ctx.clock.now())
    if v == "none":
        return IsEmpty(name)
    if v == "overdue":  # due before the start of today (issue 13 item 8: one meaning)
        before = utc(overdue_before(ctx.clock))
        parts: tuple[Clause, ...] = (IsEmpty(name, empty=False), Compare(name, "<", before))
        if ctx.name == "activity":
            parts = (*parts, IsEmpty("done_at"))
        return AllOf(parts)
    if v == "now":
        start, end = now, now + timedelta(seconds=1)
    elif value[:4].isdigit() and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise error(term, f"'{value}' is not a date and time", "2026-11-30T14:30") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ctx.clock.zone)
        start = utc(moment)
        end = start + timedelta(minutes=1)
    else:
        first, last = _day_range(ctx, term, value)
        start = (
            utc(ctx.clock.day_start_utc(first))
            if first != date.min
            else datetime.min.replace(tzinfo=UTC)
        )
        end = utc(ctx.clock.day_start_utc(last + timedelta(days=1)))
    return _compare(term.op, name, start, end)


def _compare(op: str, name: str, start: date, end_exclusive: date) -> Clause:
    """`start` is the first value a typed value covers, `end_exclusive` the first after it."""
    if op == ">":
        return Compare(name, ">=", end_exclusive)
    if op == ">=":
        return Compare(name, ">=", start)
    if op == "<":
        return Compare(name, "<", start)
    if op == "<=":
        return Compare(name, "<", end_exclusive)
    return Range(name, start, end_exclusive)


def _ordered(ctx: Ctx, term: FieldTerm, fspec: FieldSpec, value: str) -> Clause:
    name = fspec.name
    if fspec.kind == "date":
        v = value.lower()
        if v == "none":
            return IsEmpty(name)
        if v == "overdue":  # a day before today; an instalment also unsettled (H, issue 19)
            parts = [IsEmpty(name, empty=False), Compare(name, "<", ctx.clock.today())]
            if ctx.name == "payment_plan":
                parts.append(IsEmpty("settled_on"))
            return AllOf(tuple(parts))
        first, last = _day_range(ctx, term, value)
        return _compare(term.op, name, first, last + timedelta(days=1))
    if ".." in value:
        low, _, high = value.partition("..")
        bounds: list[Clause] = []
        if low:
            bounds.append(Compare(name, ">=", _number(ctx, term, fspec, low)))
        if high:
            bounds.append(Compare(name, "<=", _number(ctx, term, fspec, high)))
        if not bounds:
            raise error(term, f"'{value}' is an empty range", "1..10")
        return AllOf(tuple(bounds)) if len(bounds) > 1 else bounds[0]
    number = _number(ctx, term, fspec, value)
    op = term.op if term.op in (">", ">=", "<", "<=") else "="
    return Compare(name, op, number)


def _number(ctx: Ctx, term: FieldTerm, fspec: FieldSpec, value: str) -> int:
    if fspec.kind == "money":
        try:
            return parse_money(value, ctx.currency)[0]
        except MoneyError as exc:
            raise error(term, f"'{value}': {exc}", "50000") from None
    try:
        number = int(value.rstrip("%"))
    except ValueError:
        raise error(term, f"'{value}' is not a whole number", "60") from None
    return number
