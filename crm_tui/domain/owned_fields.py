"""Provides the fields a plain edit may not change, and why: a customer's place in the pool
(the pool's claim, release, assign and lock set it, checked by the server), a check-in's
time and place (recorded once, where the rep stood), an instalment's paid amount (the
payments received set it), a member's role (the server's admin sets it).

`crm edit` refuses them at once with the reason; the server refuses a patch that changes
the first two (server/crud/owned_fields.py), so a forged edit cannot move a customer out of
the pool or a visit to another day for the whole team.
"""

from __future__ import annotations

from typing import Any

# entity -> (fields, who sets them)
OWNED: dict[str, tuple[frozenset[str], str]] = {
    "customer": (
        frozenset({"locked", "pool_since", "previous_owner_id", "claimed_at"}),
        "only the pool's claim, release, assign and lock set it",
    ),
    "checkin": (
        frozenset({"activity_id", "checked_in_at", "place", "at", "distance_m", "flagged"}),
        "a check-in keeps the time and place it was made at",
    ),
    "payment_plan": (
        frozenset({"paid", "settled_on"}),
        "the payments received set it (crm pay; a manager confirms)",
    ),
    "user": (frozenset({"role"}), "the server's admin sets roles (crm server add-user)"),
}
# A visit is checked out once (crm checkout); after that its end stays.
ONCE = {"checkin": frozenset({"checked_out_at"})}
_BLANK = (None, False, "", 0)


def why_not_edit(entity: str, field: str) -> str | None:
    """Why a plain edit may not set `field` of an `entity`, or None."""
    owned = OWNED.get(entity)
    if owned is not None and field in owned[0]:
        return owned[1]
    return None


def changed(stored: Any, sent: Any) -> bool:
    """A sent value differs from the stored one (empty values — None, False, "", 0 — are
    one value: a create's defaults)."""
    if stored in _BLANK and sent in _BLANK:
        return False
    return stored != sent
