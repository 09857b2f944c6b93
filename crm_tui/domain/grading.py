"""Provides ABC grading of customers from the amount they have bought (won deals).

Pareto-style: ranked by won amount, the customers that make up the top ~70% of the value
are A, the next ~20% are B, and the rest (including everyone who has bought nothing) C.
Pure: the amounts come in, the grades go out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from crm_tui.domain.rules import Grade

A_SHARE = 70  # percent of total won value covered by A customers
B_SHARE = 90  # A + B together


def abc_grades(
    won: Iterable[tuple[str, int]], a_share: int = A_SHARE, b_share: int = B_SHARE
) -> dict[str, Grade]:
    """Suggested grade per customer id from (customer_id, won amount in minor units).

    A customer is A while the value ranked above it is still under `a_share` percent of the
    total, so the customer that crosses the line is A too (the biggest customer is always A).
    Ties keep a stable order by id so the same data always grades the same way.
    """
    ranked = sorted(((cid, amount) for cid, amount in won), key=lambda p: (-p[1], p[0]))
    total = sum(amount for _, amount in ranked if amount > 0)
    grades: dict[str, Grade] = {}
    above = 0
    for cid, amount in ranked:
        if amount <= 0 or total == 0:
            grades[cid] = Grade.C
            continue
        # Integer arithmetic: above/total < share/100, without floats.
        if above * 100 < a_share * total:
            grades[cid] = Grade.A
        elif above * 100 < b_share * total:
            grades[cid] = Grade.B
        else:
            grades[cid] = Grade.C
        above += amount
    return grades


def grade_counts(grades: Mapping[str, Grade]) -> dict[Grade, int]:
    counts = dict.fromkeys(Grade, 0)
    for grade in grades.values():
        counts[grade] += 1
    return counts
