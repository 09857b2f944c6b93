"""Provides the pseudo-fields, names with no column behind them: `id:`, `is:`, `status:` on
follow-ups and `has:` on customers (crm_tui/query/vocabulary.py lists their values).
"""

from __future__ import annotations

from collections.abc import Callable

from crm_tui.domain.filter import (
    HAS_KINDS,
    AllOf,
    AnyOf,
    Clause,
    Compare,
    Has,
    IsEmpty,
    Not,
    OwnerIs,
    RefMatch,
)
from crm_tui.domain.followup_rules import overdue_before
from crm_tui.query.context import Ctx, combine, error, suggest, utc
from crm_tui.query.insight_terms import INSIGHT_PSEUDO, insight_term
from crm_tui.query.parser import FieldTerm, parse
from crm_tui.query.vocabulary import IS_SHORTHANDS

FieldCompiler = Callable[[Ctx, FieldTerm], Clause]


def pseudo_term(ctx: Ctx, term: FieldTerm, name: str, field_term: FieldCompiler) -> Clause:
    """The clause of a pseudo-field term; `field_term` compiles what `is:X` stands for."""
    if name in INSIGHT_PSEUDO and ctx.name == "customer":  # issue 22: query/insight_terms.py
        return insight_term(ctx, term, name)
    if not term.values:
        raise error(
            term, f"'{term.token}' needs a value", f"{name}:{(ctx.vocab.values(name) or ('…',))[0]}"
        )
    if term.op not in (":", "="):
        raise error(term, f"'{name}' takes ':'", f"{name}:{term.values[0]}")
    if name == "id":
        return combine(term, None, lambda v: Compare("id", "startswith", v))
    if name == "is":
        shorthands = IS_SHORTHANDS.get(ctx.name, {})

        def one(value: str) -> Clause:
            if value.lower() not in shorthands:
                hint = suggest(value, list(shorthands))
                raise error(
                    term,
                    f"'is:{value}' means nothing for {ctx.vocab.spec.plural}",
                    hint and f"is:{hint}",
                )
            inner = parse(shorthands[value.lower()])[0]
            assert isinstance(inner, FieldTerm)
            clause = field_term(ctx, inner)
            return Not(clause) if inner.negated else clause

        return combine(term, None, one)
    if name == "status" and ctx.name == "activity":
        before = utc(overdue_before(ctx.clock))  # the one meaning of overdue
        states: dict[str, Clause] = {
            "open": IsEmpty("done_at"),
            "done": IsEmpty("done_at", empty=False),
            "overdue": AllOf(
                (IsEmpty("done_at"), IsEmpty("due_at", empty=False), Compare("due_at", "<", before))
            ),
        }
        return combine(term, None, lambda v: _choice(term, states, v))
    if name == "has" and ctx.name == "customer":
        now = utc(ctx.clock.now())
        # has:overdue compares with the start of today (followup_rules.overdue_before)
        kinds: dict[str, Clause] = {
            kind: Has(kind, utc(overdue_before(ctx.clock)) if kind == "overdue" else now)
            for kind in HAS_KINDS
        }
        return combine(term, None, lambda v: _choice(term, kinds, v))
    if name == "engineer" and ctx.name == "service":  # issue 15: the assigned engineer
        return combine(
            term,
            None,
            lambda v: (
                Compare("engineer_id", "=", ctx.user_id or "")
                if v.lower() == "me"
                else RefMatch("engineer_id", "user", v)
            ),
        )
    if name == "involves" and ctx.name == "service":  # made by or sent to someone
        return combine(term, None, lambda v: _involves(ctx, v))
    raise error(term, f"'{name}' is not supported for {ctx.vocab.spec.plural}")


def _choice(term: FieldTerm, options: dict[str, Clause], value: str) -> Clause:
    v = value.lower()
    if v in options:
        return options[v]
    starts = [k for k in options if k.startswith(v)]
    if len(starts) == 1:
        return options[starts[0]]
    raise error(
        term, f"'{value}' is not one of {', '.join(options)}", suggest(value, list(options))
    )


def _involves(ctx: Ctx, who: str) -> Clause:
    """A service order made by `who` or assigned to them (`me`: the signed-in user)."""
    if who.lower() == "me":
        return AnyOf((OwnerIs(ctx.user_id), Compare("engineer_id", "=", ctx.user_id or "")))
    return AnyOf((RefMatch("owner_id", "user", who), RefMatch("engineer_id", "user", who)))
