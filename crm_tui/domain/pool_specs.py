"""Provides the field specs of issue 18's records: the team's pool rules (one row per
grade, written by managers), visit check-ins and monthly targets, and the pool fields a
customer gains. `domain/fields.py` adds them to the one registry.
"""

from __future__ import annotations

from crm_tui.domain.field_values import EntitySpec
from crm_tui.domain.field_values import FieldSpec as F

# A customer in the pool has no owner; these say since when and whose it was. They are
# written by the server's release pass and the pool commands, shown on the laptop.
POOL_CUSTOMER_FIELDS: tuple[F, ...] = (
    F("pool_since", "datetime", "In pool since"),
    F("previous_owner_id", "text", "Previous owner", max_len=64),
    F("locked", "bool", "Locked (never released)"),
    F("claimed_at", "datetime", "Owned since"),
    F("coordinates", "text", "Coordinates (lat,lng)", max_len=60),
)

POOL_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        "pool_rule",
        "pool_rule",
        "grade",
        (
            F("grade", "text", "Grade (* = any)", required=True, max_len=10),
            F("followup_days", "int", "Days without a done follow-up"),
            F("deal_days", "int", "Days without an open deal"),
            F("exempt_won", "bool", "Won customers exempt"),
            F("exempt_open_deal", "bool", "Customers with an open deal exempt"),
            F("warn_days", "int", "Warn days before"),
            F("cap", "int", "Customers per rep (0: no cap)"),
            F("reclaim_days", "int", "Days before a previous owner may reclaim"),
        ),
        plural="pool_rules",
    ),
    EntitySpec(
        "checkin",
        "checkin",
        "place",
        (
            F("activity_id", "ref", "Visit", required=True, ref="activity"),
            F("customer_id", "ref", "Customer", ref="customer"),
            F("checked_in_at", "datetime", "In", required=True),
            F("checked_out_at", "datetime", "Out"),
            F("place", "text", max_len=500),
            F("at", "text", "Coordinates", max_len=60),
            F("distance_m", "int", "Metres from the customer"),
            F("flagged", "bool"),
            F("notes", "longtext", max_len=4_000),
        ),
        plural="checkins",
    ),
    EntitySpec(
        "target",
        "target",
        "month",
        (
            F("user_id", "text", "Rep (empty: the team)", max_len=64),
            F("month", "text", required=True, max_len=7),
            F("won", "money", "Won amount"),
            F("new_customers", "int"),
            F("visits", "int"),
            F("payments", "money", "Payments received"),
        ),
        plural="targets",
    ),
)
