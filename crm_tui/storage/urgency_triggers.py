"""Provides the SQL that keeps stored urgency scores right: the `UPDATE … SET urgency = <score>`
statements (made from the one expression of the score, storage/urgency_sql.py, with the
basis written in) and the triggers that run them on every write. Used by
storage/urgency_store.py, which decides when to refresh.
"""

from __future__ import annotations

from crm_tui.domain.rules import OPEN_STAGES, Stage
from crm_tui.domain.urgency import Weights

BASIS_KEY = "urgency.basis"
TRIGGER_PREFIX = "tr_urgency_"

# --- the SQL, made from the one expression of the score ------------------------------------
_WHERE = "__where__"
NEVER = "9999-12-31"  # a window start no date passes (a term with no scale never moves)
OPEN_ROWS = "SELECT rowid FROM activity WHERE deleted = 0 AND done_at IS NULL"  # partial indexes
_CUSTOMER_CHUNK = "customer.rowid >= ? AND customer.rowid < ? AND customer.deleted = 0"
_CLOSED = ", ".join(f"'{s.value}'" for s in Stage if s not in OPEN_STAGES)


def update_statements(as_of: str, weights_json: str) -> dict[str, str]:
    """`UPDATE … SET urgency = <score>` for each table, with a WHERE per use."""
    from sqlalchemy import literal_column, update
    from sqlalchemy.dialects import sqlite

    from crm_tui.domain.models import MODELS
    from crm_tui.storage.urgency_sql import score_expression

    weights = Weights.from_json(weights_json)
    out = {}
    for name in ("activity", "customer"):
        model = MODELS[name]
        stmt = (
            update(model)
            .values(urgency=score_expression(name, weights, as_of))
            .where(literal_column(_WHERE))
        )
        sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        out[name] = sql
    activity, customer = out["activity"], out["customer"]
    return {
        "activity": activity,
        "customer": customer,
        "activity_rows": activity.replace(
            _WHERE,
            "activity.rowid IN (SELECT value FROM json_each(?)) AND activity.deleted = 0 "
            "AND activity.done_at IS NULL",
        ),
        "customer_chunk": customer.replace(_WHERE, _CUSTOMER_CHUNK),
        # Added, last contact (done follow-up) or oldest open deal's stage change since ?.
        "customer_window": customer.replace(
            _WHERE,
            f"{_CUSTOMER_CHUNK} AND (customer.created_at > ? OR EXISTS (SELECT 1 FROM activity "
            "WHERE activity.customer_id = customer.id AND activity.deleted = 0 "
            "AND activity.done_at > ?) OR EXISTS (SELECT 1 FROM opportunity "
            "WHERE opportunity.customer_id = customer.id AND opportunity.deleted = 0 "
            f"AND opportunity.stage NOT IN ({_CLOSED}) AND opportunity.stage_changed_at > ?))",
        ),
    }


# Trigger name -> (event, the rows each statement rescores: (table, WHERE)).
TRIGGER_SHAPES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    # A follow-up's own score; its customer's when a done one changes (last contact).
    "tr_urgency_activity_insert": (
        "AFTER INSERT ON activity",
        [
            ("activity", "activity.id = NEW.id AND (NEW.done_at IS NULL OR NEW.urgency != 0)"),
            ("customer", "customer.id = NEW.customer_id AND NEW.done_at IS NOT NULL"),
        ],
    ),
    "tr_urgency_activity_update": (
        "AFTER UPDATE OF due_at, done_at, opportunity_id, customer_id, deleted ON activity",
        [
            ("activity", "activity.id = NEW.id"),
            (
                "customer",
                "customer.id IN (OLD.customer_id, NEW.customer_id) "
                "AND (OLD.done_at IS NOT NULL OR NEW.done_at IS NOT NULL)",
            ),
        ],
    ),
    "tr_urgency_activity_delete": (
        "AFTER DELETE ON activity",
        [("customer", "customer.id = OLD.customer_id AND OLD.done_at IS NOT NULL")],
    ),
    # A deal's value and stage count for its open follow-ups and its customer's pipeline.
    "tr_urgency_opportunity_insert": (
        "AFTER INSERT ON opportunity",
        [
            ("activity", "activity.opportunity_id = NEW.id AND activity.done_at IS NULL"),
            ("customer", "customer.id = NEW.customer_id"),
        ],
    ),
    "tr_urgency_opportunity_update": (
        "AFTER UPDATE OF amount, probability, stage, stage_changed_at, customer_id, deleted "
        "ON opportunity",
        [
            ("activity", "activity.opportunity_id = NEW.id AND activity.done_at IS NULL"),
            ("customer", "customer.id IN (OLD.customer_id, NEW.customer_id)"),
        ],
    ),
    "tr_urgency_opportunity_delete": (
        "AFTER DELETE ON opportunity",
        [
            ("activity", "activity.opportunity_id = OLD.id AND activity.done_at IS NULL"),
            ("customer", "customer.id = OLD.customer_id"),
        ],
    ),
    # A customer's grade counts for its open follow-ups (which a pull may bring before it).
    "tr_urgency_customer_insert": (
        "AFTER INSERT ON customer",
        [
            ("customer", "customer.id = NEW.id"),
            ("activity", "activity.customer_id = NEW.id AND activity.done_at IS NULL"),
        ],
    ),
    "tr_urgency_customer_update": (
        "AFTER UPDATE OF grade, created_at, deleted ON customer",
        [
            ("customer", "customer.id = NEW.id"),
            (
                "activity",
                "activity.customer_id = NEW.id AND activity.done_at IS NULL "
                "AND OLD.grade IS NOT NEW.grade",
            ),
        ],
    ),
}


def triggers(statements: dict[str, str]) -> list[str]:
    # A brand-new laptop's first sync drops the indexes these statements read (pull_store):
    # while it runs they do nothing, and the scores are marked stale for a full refresh.
    idle = f"NOT EXISTS (SELECT 1 FROM sync_state WHERE key = '{pulling_key()}' AND value NOT NULL)"
    out = []
    for name, (event, steps) in TRIGGER_SHAPES.items():
        body = "".join(
            "    " + statements[table].replace(_WHERE, where) + ";\n" for table, where in steps
        )
        out.append(f"CREATE TRIGGER {name} {event} WHEN {idle}\nBEGIN\n{body}END")
    for name, event in PULL_GUARDS.items():
        out.append(
            f"CREATE TRIGGER {name} {event} ON sync_state "
            f"WHEN NEW.key = '{pulling_key()}' AND NEW.value NOT NULL\n"
            f"BEGIN\n    DELETE FROM sync_state WHERE key = '{BASIS_KEY}';\nEND"
        )
    return out


# A first sync beginning makes the stored scores stale (see `triggers`).
PULL_GUARDS = {
    "tr_urgency_pull_insert": "AFTER INSERT",
    "tr_urgency_pull_update": "AFTER UPDATE OF value",
}


def pulling_key() -> str:
    from crm_tui.storage.pull_store import DEFERRED_KEY

    return DEFERRED_KEY
