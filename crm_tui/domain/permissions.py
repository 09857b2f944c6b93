"""Provides the one rule book: who may see, write, approve, publish, merge and reassign.

The server enforces these rules on push and pull; the laptop's storage and screens ask the
same functions so a key that would be refused is greyed out before it is pressed. Every
`why_not_*` answer is None when the action is allowed, else the sentence the user reads.

A refusal never says whether a record exists: "not yours" and "no such record" read the
same to a rep who may not see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_tui.domain.rules import EXPENSE_TRANSITIONS, ExpenseStatus, Role

# The one definition of who counts as a manager.
MANAGER_ROLES: frozenset[str] = frozenset({Role.MANAGER.value, Role.ADMIN.value})

# Shared with the whole team (each row still has an owner); every other synced entity is
# seen by its owner and the managers, except SELF_ENTITIES (their owner only).
TEAM_ENTITIES: frozenset[str] = frozenset(
    {"user", "customer", "contact", "competitor", "announcement", "lost_reason", "product"}
    | {"pool_rule", "target"}  # issue 18: team settings every laptop needs offline
    | {"folder", "kb_article", "kb_question", "kb_answer", "kb_vote"}  # issue 17: the team's
    | {"report_rule"}  # issue 17: when reports are due, set by a manager
    | {"campaign", "campaign_member", "partner"}  # issue 16: desks staffed by several reps
)
SELF_ENTITIES: frozenset[str] = frozenset({"saved_query"})

NOT_MANAGER_MERGE = "only a manager can merge or reassign; ask your manager to settle this clash"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a team member's id (None on a laptop that never signed in) and role."""

    user_id: str | None
    role: str = Role.REP.value

    @property
    def manager(self) -> bool:
        return is_manager(self.role)


def is_manager(role: str | None) -> bool:
    return (role or "") in MANAGER_ROLES


# --- visibility ------------------------------------------------------------------------
def partition_for(entity: str, owner_id: str | None) -> str:
    """The change-log partition a row lives in: `team`, `self:<id>` or `user:<id>`."""
    if entity in TEAM_ENTITIES:
        return "team"
    if entity in SELF_ENTITIES:
        return f"self:{owner_id}"
    return f"user:{owner_id}"


# Rows some team members see besides their owner and the managers: the entity's field
# named here holds those members' ids (one id, a list of ids, or ids separated by commas or
# spaces). Such a row is logged in its owner's partition AND in `read:<id>` of each of them,
# so they pull it; they may also write it like its owner (not delete it). Register an
# entity here instead of inventing another visibility path (e.g. a service order's
# assigned engineer, a work report's recipients).
READER_FIELDS: dict[str, str] = {}


def reader_ids(entity: str, values: dict[str, object]) -> tuple[str, ...]:
    """The ids of the members who see this row besides its owner (READER_FIELDS)."""
    name = READER_FIELDS.get(entity)
    raw = values.get(name) if name else None
    if not raw:
        return ()
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(",", " ").split()
    return tuple(dict.fromkeys(str(item) for item in items if item))


def reader_partitions(entity: str, values: dict[str, object], owner_id: str | None) -> str:
    """The extra partitions of a row, space-separated (the server's `record.readers`)."""
    return " ".join(f"read:{uid}" for uid in reader_ids(entity, values) if uid != owner_id)


def own_partitions(user_id: str) -> tuple[str, ...]:
    return ("team", f"self:{user_id}", f"user:{user_id}", f"read:{user_id}")


def can_read_partition(actor: Actor, partition: str) -> bool:
    if actor.user_id is not None and partition in own_partitions(actor.user_id):
        return True
    if partition == "team":
        return True
    return actor.manager and partition.startswith("user:")


def can_see(actor: Actor, entity: str, owner_id: str | None, readers: tuple[str, ...] = ()) -> bool:
    """May `actor` read a row of `entity` owned by `owner_id` (and seen by `readers`)?"""
    if actor.user_id is not None and actor.user_id in readers:
        return True
    return can_read_partition(actor, partition_for(entity, owner_id))


# --- writes ----------------------------------------------------------------------------
def why_not_write(
    actor: Actor,
    entity: str,
    kind: str,
    owner_id: str | None,
    *,
    exists: bool,
    readers: tuple[str, ...] = (),
) -> str | None:
    """May `actor` create / patch / delete / restore a row? `owner_id` is the stored owner
    (ignored when the row does not exist yet); `readers` its reader_ids (they edit it like
    its owner but do not delete it)."""
    if entity == "user":
        return "team members are added on the server (crm server add-user)"
    if entity == "announcement":
        reason = why_not_publish(actor)
        if reason:
            return reason
    if entity in MANAGER_SETTINGS and not actor.manager:
        return why_not_set_pool_rules(actor)
    if entity == "report_rule" and not actor.manager:
        return why_not_set_report_rule(actor)
    if not exists:
        return None
    mine = owner_id in (None, actor.user_id)
    if not mine and actor.user_id is not None and actor.user_id in readers:
        if entity in AUTHOR_ONLY:
            return f"only its author edits this {entity.replace('_', ' ')}"
        if kind == "delete" and not actor.manager:
            return f"only its owner or a manager can delete this {entity}"
        return None
    if entity in SELF_ENTITIES and owner_id != actor.user_id:
        return f"no {entity} with this id"
    if entity not in TEAM_ENTITIES and not mine and not actor.manager:
        return f"no {entity} with this id"
    # Deleting shared data is the owner's (or a manager's) call; bringing it back is not:
    # a teammate whose edit lost to the delete may restore it (nothing is lost either way).
    if entity in TEAM_ENTITIES and kind == "delete" and not mine and not actor.manager:
        return f"only its owner or a manager can delete this {entity}"
    # A signed-in rep's customer without an owner is in the pool (公海): everyone's lead,
    # so deleting it is a manager's call (a laptop never signed in owns what it holds).
    if (
        entity == "customer"
        and kind == "delete"
        and owner_id is None
        and actor.user_id is not None
        and not actor.manager
    ):
        return "a customer in the pool can be deleted by a manager only"
    return None


def why_not_publish(actor: Actor) -> str | None:
    """Announcements are written by managers and admins."""
    return None if actor.manager else "only managers write announcements"


def why_not_merge(actor: Actor) -> str | None:
    return None if actor.manager else NOT_MANAGER_MERGE


def why_not_reassign(actor: Actor) -> str | None:
    return None if actor.manager else "only a manager can reassign a record"


def may_choose_owner(actor: Actor) -> bool:
    """A manager may create a record on a teammate's behalf; a rep's records are her own."""
    return actor.manager


# --- claims (and later every approval step) --------------------------------------------
def why_not_claim_step(
    actor: Actor, current: ExpenseStatus, target: ExpenseStatus, owner_id: str | None
) -> str | None:
    """May `actor` move a claim owned by `owner_id` from `current` to `target`?"""
    allowed = EXPENSE_TRANSITIONS[current]
    if target not in allowed:
        return f"a {current} claim cannot become {target}"
    needed = allowed[target]
    own = owner_id in (None, actor.user_id)
    if needed is Role.MANAGER:
        if not actor.manager:
            return f"only a manager can mark a claim {target}"
        if own and owner_id is not None:
            return "a manager cannot decide their own claim"
    elif not own:
        return f"only the claim's owner can make it {target}"
    return None


def can_approve(actor: Actor) -> bool:
    """Whether the Approvals view offers decisions (each one is still checked per claim)."""
    return actor.manager


# --- quote to cash (issue 19) ----------------------------------------------------------
def why_not_confirm_payment(actor: Actor, owner_id: str | None, status: str) -> str | None:
    """A payment received is confirmed by a manager, never by the one who entered it."""
    if status == "confirmed":
        return "this payment is already confirmed"
    if not actor.manager:
        return "only a manager can confirm a payment"
    if owner_id is not None and owner_id == actor.user_id:
        return "a manager cannot confirm a payment they entered themselves"
    return None


# --- the customer pool, targets (issue 18) ----------------------------------------------
# Team settings only a manager writes (everyone reads them, offline too).
MANAGER_SETTINGS: frozenset[str] = frozenset({"pool_rule", "target"})


def why_not_set_pool_rules(actor: Actor) -> str | None:
    return None if actor.manager else "only a manager sets the pool rules and targets"


def why_not_pool_step(
    actor: Actor, command: str, owner_id: str | None, *, locked: bool = False
) -> str | None:
    """May `actor` claim / release / assign / lock a customer owned by `owner_id` (None: in
    the pool)? Caps and the reclaim wait are the pool rules' (domain/pool_rules.py)."""
    if command == "claim":
        if owner_id == actor.user_id and owner_id is not None:
            return "this customer is already yours"
        if owner_id is not None:
            return "this customer is not in the pool; ask your manager to reassign it"
        return None
    if command == "release":
        if owner_id is None:
            return "this customer is already in the pool"
        if locked and not actor.manager:
            return "this customer is locked by a manager; it cannot go to the pool"
        if owner_id != actor.user_id and not actor.manager:
            return "only its owner or a manager can release this customer"
        return None
    if command in ("assign", "lock"):
        return None if actor.manager else f"only a manager can {command} a customer"
    return f"unknown pool step '{command[:40]}'"


# --- after-sales service (issue 15) -----------------------------------------------------
# A service order is seen by its creator, the managers, and (from dispatch on) the engineer
# it was dispatched to: the server sets `dispatched_to` when a manager approves.
READER_FIELDS["service"] = "dispatched_to"


def why_not_service_step(
    actor: Actor, command: str, owner_id: str | None, engineer_id: str | None
) -> str | None:
    """May `actor` take `command` on a service order created by `owner_id` and assigned to
    `engineer_id`? Requesting is the creator's; approving and rejecting a manager's, never
    on their own request; the visit's steps (start, finish) the assigned engineer's."""
    from crm_tui.domain.service_rules import Who, who_may

    own = owner_id in (None, actor.user_id)
    who = who_may(command)
    if who is Who.MANAGER:
        if not actor.manager:
            return f"only a manager can {command} a dispatch"
        if own and owner_id is not None:
            return f"a manager cannot {command} their own dispatch request"
    elif who is Who.ENGINEER:
        if engineer_id is None:
            return "this order has no engineer"
        # A laptop never signed in is one person's book (the demo): they are its engineer.
        if actor.user_id is not None and engineer_id != actor.user_id:
            return f"only the assigned engineer can {command} this visit"
    elif who is Who.OWNER_OR_MANAGER:
        if not own and not actor.manager:
            return f"only the order's creator or a manager can {command} it"
    elif not own:
        return f"only the order's creator can {command} it"
    return None


def can_see_service(actor: Actor, owner_id: str | None, dispatched_to: str | None) -> bool:
    """Creator, managers, and the engineer once the order is dispatched to them."""
    if actor.user_id is not None and dispatched_to == actor.user_id:
        return True
    return can_see(actor, "service", owner_id)


# --- office (issue 17) ------------------------------------------------------------------
# A work report is seen by its author and its recipients (by default the author's
# managers), not by every manager: it lives in its author's own partition. Its comments and
# read receipts carry the report's audience (author and recipients) so they reach the same
# people. Readers of these rows read them; only the writer edits them.
SELF_ENTITIES = SELF_ENTITIES | {"work_report", "report_comment", "report_read"}
READER_FIELDS["work_report"] = "recipients"
READER_FIELDS["report_comment"] = "audience"
READER_FIELDS["report_read"] = "audience"
AUTHOR_ONLY: frozenset[str] = frozenset({"work_report", "report_comment", "report_read"})


def why_not_set_report_rule(actor: Actor) -> str | None:
    return None if actor.manager else "only a manager sets the team's report rule"


# --- files (issue 17) --------------------------------------------------------------------
# A file on a record is also seen by the record's readers (an assigned engineer sees the
# service order's photos); the server fills `seen_by` when the file is attached.
READER_FIELDS["attachment"] = "seen_by"
