"""Provides the repositories of issue 18: the pool's steps on a customer (claim, release,
assign, lock: server-checked commands, applied here at once and queued), the team's pool
rules, visit check-ins and monthly targets.

A step taken offline shows at once on this laptop; the server checks it again (first claim
wins, caps, the reclaim wait) and a refused one comes back with the server's row.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col

from crm_tui.domain.fields import FieldError, ValidationErrors, to_wire
from crm_tui.domain.models import Checkin, Customer, PoolRule, Target
from crm_tui.domain.pool_rules import DEFAULT_GRADE
from crm_tui.storage.repository import Repository


def _refuse(field: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field, message)])


class PoolRepo(Repository[Customer]):
    """The pool's steps on a customer (not in `by_entity`: the customers repo is that)."""

    entity = "customer"
    default_order = ("sort_key", "id")

    def _step(self, row_id: str, command: str, changes: dict[str, Any], **extra: Any) -> Customer:
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            self.check(s, rec, command, extra)
            # The server's answer names the fields; a refused step is recorded against them.
            fields = {k: to_wire(v) for k, v in changes.items() if k != "owner_id"}
            payload = {"command": command, "fields": fields} | extra
            self._write_command(s, rec, changes, payload)
            return rec

    def check(self, s: Session, rec: Customer, command: str, extra: dict[str, Any]) -> None:
        """The laptop's own check before a step is queued (the server checks again)."""
        if command == "claim" and rec.owner_id is not None:
            mine = rec.owner_id == self.db.user_id
            raise _refuse(
                "owner_id",
                "this customer is already yours"
                if mine
                else ("this customer is not in the pool; ask your manager to reassign it"),
            )

    def claim(self, row_id: str) -> Customer:
        now = self.db.clock.now()
        return self._step(
            row_id, "claim", {"owner_id": self.db.user_id, "pool_since": None, "claimed_at": now}
        )

    def release(self, row_id: str, reason: str) -> Customer:
        with self.db.reading() as s:
            rec = s.get(Customer, row_id)
            owner = rec.owner_id if rec else None
        changes = {"owner_id": None, "pool_since": self.db.clock.now(), "previous_owner_id": owner}
        return self._step(row_id, "release", changes, reason=reason)

    def assign(self, row_id: str, owner_id: str) -> Customer:
        now = self.db.clock.now()
        changes = {"owner_id": owner_id, "pool_since": None, "claimed_at": now}
        return self._step(row_id, "assign", changes, owner_id=owner_id)

    def lock(self, row_id: str, locked: bool = True) -> Customer:
        return self._step(row_id, "lock", {"locked": locked})

    def owned_count(self, user_id: str) -> int:
        with self.db.reading() as s:
            return int(
                s.connection()
                .execute(
                    text("SELECT count(*) FROM customer WHERE owner_id = :u AND deleted = 0"),
                    {"u": user_id},
                )
                .scalar_one()
            )

    def pending_steps(self) -> dict[str, str]:
        """Customers with a pool step still in the outbox: row id -> command (pending)."""
        with self.db.reading() as s:
            rows = s.connection().execute(
                text(
                    "SELECT row_id, payload FROM outbox WHERE entity = 'customer' "
                    "AND kind = 'command' ORDER BY client_seq"
                )
            )
            return {row_id: json.loads(payload).get("command", "") for row_id, payload in rows}


class PoolRuleRepo(Repository[PoolRule]):
    entity = "pool_rule"
    default_order = ("grade", "id")

    def rows(self) -> list[dict[str, Any]]:
        """Every rule row by id, as the server orders them (the newest of a grade wins)."""
        return [r.model_dump() for r in self.page(order_by=[PoolRule.id], limit=100)]

    def for_grade(self, grade: str | None) -> PoolRule | None:
        found = self.page(
            where=[PoolRule.grade == (grade or DEFAULT_GRADE)],
            order_by=[col(PoolRule.id).desc()],  # the row in force: the newest id
            limit=1,
        )
        return found[0] if found else None


class CheckinRepo(Repository[Checkin]):
    entity = "checkin"
    default_order = ("checked_in_at", "id")

    def of_activity(self, activity_id: str) -> Checkin | None:
        found = self.page(
            where=[Checkin.activity_id == activity_id],
            order_by=[Checkin.checked_in_at.desc()],  # type: ignore[attr-defined]
            limit=1,
        )
        return found[0] if found else None


class TargetRepo(Repository[Target]):
    entity = "target"
    default_order = ("month", "user_id", "id")

    def find(self, month: str, user_id: str | None) -> Target | None:
        where = [Target.month == month]
        where.append(Target.user_id == user_id if user_id else Target.user_id.is_(None))  # type: ignore[union-attr]
        found = self.page(where=where, limit=1)
        return found[0] if found else None


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


class PoolRepositories:
    """Issue 18's repositories of one database (`Repositories.pool`)."""

    def __init__(self, db: Any, repos: Any) -> None:
        self.steps = PoolRepo(db, repos)
        self.rules = PoolRuleRepo(db, repos)
        self.checkins = CheckinRepo(db, repos)
        self.targets = TargetRepo(db, repos)
        self.by_entity: dict[str, Repository[Any]] = {
            r.entity: r for r in (self.rules, self.checkins, self.targets)
        }
