"""Provides the manager's "merge" command: two customers that are one company become one.

Sent on the losing customer with `{"command": "merge", "into": SURVIVOR_ID}`. In one
transaction every record pointing at the loser (contacts, follow-ups, deals, claims: any
entity with a `customer_id` ref) moves to the survivor, each logged in its own partition so
every laptop that sees it pulls it; the survivor's empty fields are filled from the loser
(never overwriting a value: the loser's differing values go into a dated line of the
survivor's notes, tags are joined); the loser becomes a tombstone that records
`merged_into`; the duplicate flags between the two are cleared. A change pushed later that
still names the loser (a follow-up made offline) is redirected by `follow_merged`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from crm_tui.domain.field_clocks import tidy
from crm_tui.domain.fields import ENTITIES, join_tags, split_tags
from crm_tui.domain.permissions import why_not_merge
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.duplicates import flag_duplicates
from crm_tui.server.crud.errors import MergeRefused
from crm_tui.server.crud.merge import MergeOutcome
from crm_tui.server.crud.records import ChangeSet, actor_of, utcnow
from crm_tui.server.models import Account, CustomerKey, Record
from crm_tui.sync.protocol import Mutation

# Every entity that points at a customer does so through a field named customer_id (the
# expression index of migration 0002 is on that key).
CHILD_ENTITIES = tuple(
    sorted(
        name
        for name, spec in ENTITIES.items()
        if any(f.kind == "ref" and f.ref == "customer" for f in spec.fields)
    )
)
assert all("customer_id" in ENTITIES[n].by_name for n in CHILD_ENTITIES)
_KEY_FIELDS = frozenset({"name", "phone", "email"})
_MAX_HOPS = 10


def customer_ref(session: Session) -> str:
    """SQL for the customer id inside `record.data`, exactly as migration 0002 indexed it."""
    if session.get_bind().dialect.name == "postgresql":
        return "(data::jsonb ->> 'customer_id')"
    return "json_extract(data, '$.customer_id')"


def follow_merged(session: Session, customer_id: str) -> str | None:
    """The live customer a merged customer now lives on (through chains of merges), or None
    when `customer_id` is not a merged customer."""
    current, hops = customer_id, 0
    while hops < _MAX_HOPS:
        rec = session.get(Record, current)
        if rec is None or rec.entity != "customer" or not rec.deleted:
            return current if hops else None
        target = json.loads(rec.data).get("merged_into")
        if not target:
            return None
        current, hops = str(target), hops + 1
    return None


def _locked(session: Session, row_id: str) -> Record | None:
    return session.exec(select(Record).where(col(Record.id) == row_id).with_for_update()).first()


def merge_customer(
    session: Session,
    account: Account,
    m: Mutation,
    loser: Record,
    changes: ChangeSet,
    clock: ServerClock,
) -> MergeOutcome:
    """Merge the customer `loser` into `m.payload["into"]` (see the module docstring);
    raises MergeRefused (a Refused) with the sentence for the manager."""
    reason = why_not_merge(actor_of(account))
    if reason:
        raise MergeRefused(reason)
    if loser.entity != "customer":
        raise MergeRefused(f"only customers can be merged, not a {loser.entity}")
    into = str(m.payload.get("into") or "")
    loser_data = json.loads(loser.data)
    if loser.deleted:
        if loser_data.get("merged_into") and follow_merged(session, loser.id) == (
            follow_merged(session, into) or into
        ):
            return MergeOutcome()  # already merged there (a retry, or a second manager)
        raise MergeRefused("this customer was deleted; restore it first")
    if into == loser.id:
        raise MergeRefused("a customer cannot be merged into itself")
    survivor = _locked(session, follow_merged(session, into) or into)
    if survivor is not None and survivor.id == loser.id:
        return MergeOutcome()  # `into` was merged into this one meanwhile: already one customer
    if survivor is None or survivor.entity != "customer":
        raise MergeRefused(f"no customer {into} on the server")
    if survivor.deleted:
        raise MergeRefused("the customer to keep was deleted; restore it first")
    # Above both rows' clocks: another worker may have written them since this one began.
    stamp = clock.tick(
        [*json.loads(loser.field_hlc).values(), *json.loads(survivor.field_hlc).values()]
    )
    moved = _move_children(session, account, loser.id, survivor.id, stamp, changes)
    filled = _fill_survivor(survivor, loser, account, stamp)
    # The loser: a tombstone that says where it went, no longer flagged or keyed.
    partners = set(loser_data.get("duplicate_of") or []) - {survivor.id}
    loser_data["merged_into"] = survivor.id
    _unflag(loser_data, None)
    clocks = json.loads(loser.field_hlc)
    clocks.update(dict.fromkeys(("deleted", "merged_into"), stamp))
    _save(loser, loser_data, clocks, account, deleted=True)
    changes.touch(loser, fields=dict.fromkeys(("deleted", "merged_into"), account.id))
    session.execute(delete(CustomerKey).where(col(CustomerKey.row_id) == loser.id))
    # The survivor and every other customer flagged against the loser lose that flag.
    survivor_data = json.loads(survivor.data)
    if _unflag(survivor_data, loser.id) or filled:
        _save(survivor, survivor_data, json.loads(survivor.field_hlc), account)
        changes.touch(survivor, fields=dict.fromkeys(filled, account.id))
    for other_id in sorted(partners):
        other = _locked(session, other_id)
        if other is None or other.entity != "customer":
            continue
        data = json.loads(other.data)
        if _unflag(data, loser.id):
            _save(other, data, json.loads(other.field_hlc), account)
            changes.touch(other)
    if _KEY_FIELDS & set(filled):
        flag_duplicates(session, survivor, changes)
    return MergeOutcome(changed={"deleted": True, "merged_into": survivor.id, "moved": moved})


def _save(
    rec: Record,
    data: dict[str, Any],
    clocks: dict[str, str],
    account: Account,
    *,
    deleted: bool | None = None,
) -> None:
    rec.data = json.dumps(data, ensure_ascii=False)
    rec.field_hlc = json.dumps(tidy(clocks))
    if deleted is not None:
        rec.deleted = deleted
    rec.updated_at = utcnow()
    rec.updated_by = account.id


def _unflag(data: dict[str, Any], other_id: str | None) -> bool:
    """Drop `other_id` (every id when None) from a customer's duplicate flags. An emptied
    flag becomes null, not absent, so laptops (which keep unknown fields) clear it too."""
    flagged = list(data.get("duplicate_of") or [])
    kept = [] if other_id is None else [x for x in flagged if x != other_id]
    if kept == flagged:
        return False
    data["duplicate_of"] = kept or None
    return True


def _move_children(
    session: Session,
    account: Account,
    loser_id: str,
    survivor_id: str,
    stamp: str,
    changes: ChangeSet,
) -> int:
    ids = [
        r[0]
        for r in session.connection().execute(
            text(f"SELECT id FROM record WHERE {customer_ref(session)} = :c ORDER BY id"),
            {"c": loser_id},
        )
    ]
    if not ids:
        return 0
    rows = session.exec(
        select(Record)
        .where(col(Record.id).in_(ids), col(Record.entity).in_(CHILD_ENTITIES))
        .order_by(col(Record.id))
        .with_for_update()
    ).all()
    for child in rows:
        data = json.loads(child.data)
        data["customer_id"] = survivor_id
        clocks = json.loads(child.field_hlc)
        clocks["customer_id"] = stamp
        _save(child, data, clocks, account)
        session.add(child)
        changes.touch(child, fields={"customer_id": account.id})
    return len(rows)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _fill_survivor(survivor: Record, loser: Record, account: Account, stamp: str) -> list[str]:
    """Fill the survivor's empty fields from the loser; note the loser's differing values
    in the survivor's notes. Returns the fields changed."""
    spec = ENTITIES["customer"]
    mine, theirs = json.loads(survivor.data), json.loads(loser.data)
    clocks = json.loads(survivor.field_hlc)
    changed: list[str] = []
    differing: list[str] = []
    for fspec in spec.fields:
        name = fspec.name
        value, other = mine.get(name), theirs.get(name)
        if _empty(other) or other == value:
            continue
        if _empty(value):
            mine[name] = other
            changed.append(name)
        elif fspec.kind == "tags":
            joined = join_tags([*split_tags(value), *split_tags(other)])
            if joined != value:
                mine[name] = joined
                changed.append(name)
        else:
            differing.append(f"{name}: {other}")
    if differing:
        line = (
            f"Merged from {theirs.get('name') or loser.id} on {utcnow():%Y-%m-%d}; "
            f"its other values: {'; '.join(differing)}"
        )
        mine["notes"] = f"{mine['notes']}\n{line}" if not _empty(mine.get("notes")) else line
        if "notes" not in changed:
            changed.append("notes")
    if changed:
        clocks.update(dict.fromkeys(changed, stamp))
        _save(survivor, mine, clocks, account)
    return changed
