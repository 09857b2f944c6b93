"""Provides `Repository`: create / update / delete / restore / read for one synced table.

Every write validates through the field registry, stamps per-field hybrid clocks, and
appends the change to the outbox and the undo log in the same transaction. Records come
back as detached objects that stay readable after the session closes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from crm_tui.domain import field_clocks
from crm_tui.domain.fields import (
    ENTITIES,
    SYNC_COLUMNS,
    FieldError,
    FieldSpec,
    ValidationErrors,
    check_record,
    parse_values,
    to_wire,
)
from crm_tui.domain.models import MODELS, SyncedRecord
from crm_tui.storage import outbox
from crm_tui.storage.ids import new_id
from crm_tui.storage.merge import clocks_json, extra_json, merge_pulled

if TYPE_CHECKING:
    from crm_tui.storage.store import Store

M = TypeVar("M", bound=SyncedRecord)
_DATETIME = FieldSpec("at", "datetime")


def live(model: type[SyncedRecord]) -> Any:
    """'Not deleted' written as `deleted = 0`: SQLite uses the partial indexes (`WHERE
    deleted = 0`) only for that exact form, not for `deleted IS 0`."""
    return col(model.deleted) == False  # noqa: E712


class NotFound(LookupError):
    pass


class Repository(Generic[M]):
    entity: ClassVar[str]
    default_order: ClassVar[tuple[str, ...]] = ("id",)

    def __init__(self, db: Store, repos: Any = None) -> None:
        self.db = db
        # Every repository of this database (`Repositories`, which sets it; typed loosely:
        # that module imports this one).
        self.repos = repos
        self.spec = ENTITIES[self.entity]
        self.model: type[M] = MODELS[self.entity]  # type: ignore[assignment]

    # --- reads -----------------------------------------------------------------------------
    def get(self, row_id: str, *, include_deleted: bool = False) -> M | None:
        with self.db.reading() as s:
            rec = s.get(self.model, row_id)
            if rec is None or (rec.deleted and not include_deleted):
                return None
            return rec

    def require(self, row_id: str, *, include_deleted: bool = False) -> M:
        rec = self.get(row_id, include_deleted=include_deleted)
        if rec is None:
            raise NotFound(f"no {self.entity} with id {row_id}")
        return rec

    def resolve(self, ref: str, *, include_deleted: bool = False) -> M:
        """A record by full id, unique id prefix (≥ 4 characters) or exact title."""
        ref = ref.strip()
        rec = self.get(ref, include_deleted=include_deleted)
        if rec is not None:
            return rec
        title = getattr(self.model, self.spec.title_field)
        with self.db.reading() as s:
            query = select(self.model).where(
                or_(col(self.model.id).startswith(ref) if len(ref) >= 4 else False, title == ref)
            )
            if not include_deleted:
                query = query.where(live(self.model))
            found = list(s.exec(query.limit(2)))
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound(f"no {self.entity} matches '{ref}'")
        raise NotFound(f"'{ref}' matches more than one {self.entity}; give more of the id")

    def page(
        self,
        *,
        where: Sequence[Any] = (),
        order_by: Sequence[Any] | None = None,
        limit: int = 50,
        offset: int = 0,
        include_deleted: bool = False,
    ) -> list[M]:
        with self.db.reading() as s:
            query = select(self.model)
            for clause in where:
                query = query.where(clause)
            if not include_deleted:
                query = query.where(live(self.model))
            order = order_by or [getattr(self.model, name) for name in self.default_order]
            query = query.order_by(*order).offset(offset).limit(limit)
            return list(s.exec(query))

    def count(self, *, where: Sequence[Any] = (), include_deleted: bool = False) -> int:
        with self.db.reading() as s:
            query = select(func.count()).select_from(self.model)
            for clause in where:
                query = query.where(clause)
            if not include_deleted:
                query = query.where(live(self.model))
            return s.exec(query).one()

    # --- writes ----------------------------------------------------------------------------
    def create(
        self, values: Mapping[str, Any], *, row_id: str | None = None, record_undo: bool = True
    ) -> M:
        parsed = parse_values(self.entity, values, self.db.input_context)
        with self.db.transaction() as s:
            now = self.db.clock.now()
            rec = self.model(
                id=row_id or new_id(),
                owner_id=self.db.user_id,
                created_at=now,
                updated_at=now,
                **{k: v for k, v in parsed.items() if v is not None},
            )
            self.before_create(s, rec, parsed)
            self._check(s, rec, parsed)
            stamp = self.db.tick(s)
            fields = self._user_fields(rec)
            rec.field_hlc = field_clocks.one_clock_json(stamp)
            s.add(rec)
            s.flush()
            self.after_write(s, rec, set(fields))
            outbox.append(
                s,
                entity=self.entity,
                row_id=rec.id,
                kind="create",
                payload={k: to_wire(v) for k, v in fields.items()} | {"owner_id": rec.owner_id},
                base_version=0,
                hlc=stamp,
            )
            if record_undo:
                self._undo(s, rec.id, "create", {})
            return rec

    def update(self, row_id: str, changes: Mapping[str, Any], *, record_undo: bool = True) -> M:
        parsed = parse_values(self.entity, changes, self.db.input_context)
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            self.before_update(s, rec, parsed)
            return self._apply(s, rec, parsed, kind="patch", record_undo=record_undo)

    def delete(self, row_id: str, *, record_undo: bool = True) -> M:
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            self.before_delete(s, rec)
            return self._apply(s, rec, {"deleted": True}, kind="delete", record_undo=record_undo)

    def restore(self, row_id: str, *, record_undo: bool = True) -> M:
        with self.db.transaction() as s:
            rec = s.get(self.model, row_id)
            if rec is None:
                raise NotFound(f"no {self.entity} with id {row_id}")
            if not rec.deleted:
                return rec
            self.before_restore(s, rec)
            return self._apply(s, rec, {"deleted": False}, kind="restore", record_undo=record_undo)

    # --- sync: rows as the server has them ---------------------------------------------------
    def apply_remote(
        self,
        s: Session,
        row_id: str,
        data: Mapping[str, Any],
        *,
        version: int,
        pending: Sequence[Mapping[str, Any]] = (),
    ) -> M:
        """Write a row as the server sent it (no outbox, no undo), with this laptop's pending
        outbox changes laid back over it where their clock is newer (storage/merge.py decides
        the row; this only persists it), keeping the sort key and search index in step.
        `data` is a protocol snapshot (fields, owner_id, deleted, field_hlc, created_at,
        updated_at)."""
        from crm_tui.domain.fields import from_wire

        rec = s.get(self.model, row_id)
        merged = merge_pulled(
            self.entity, data, pending, old_extra=json.loads(rec.extra or "{}") if rec else None
        )
        values = {k: from_wire(self.spec.by_name[k], v) for k, v in merged.fields.items()}
        stamps = {
            k: from_wire(_DATETIME, v)
            for k, v in (("created_at", merged.created_at), ("updated_at", merged.updated_at))
            if v
        }
        if rec is None:
            now = self.db.clock.now()
            rec = self.model(
                id=row_id,
                created_at=stamps.get("created_at", now),
                updated_at=stamps.get("updated_at", now),
                **values,
            )
        else:
            for name, value in values.items():
                setattr(rec, name, value)
            rec.updated_at = stamps.get("updated_at", rec.updated_at)
        if "owner_id" in data:
            rec.owner_id = merged.owner_id
        rec.deleted = merged.deleted
        rec.field_hlc = clocks_json(merged.field_hlc)
        rec.server_version = version
        rec.extra = extra_json(merged.extra)
        if "sort_key" in self.model.model_fields and getattr(rec, "name", None):
            from crm_tui.storage.search import pinyin_key

            rec.sort_key = pinyin_key(rec.name)  # type: ignore[attr-defined]
        s.add(rec)
        s.flush()
        self.after_write(s, rec, set(values))
        return rec

    def tombstone_local(self, s: Session, row_id: str, *, version: int | None = None) -> None:
        """Hide a row the server no longer shows this user (or refused), without syncing it."""
        rec = s.get(self.model, row_id)
        if rec is None or rec.deleted:
            return
        rec.deleted = True
        if version is not None:
            rec.server_version = version
        s.add(rec)
        s.flush()
        self.after_write(s, rec, {"deleted"})

    # --- hooks for the rules of each aggregate ---------------------------------------------
    def before_create(self, s: Session, rec: M, values: dict[str, Any]) -> None:
        """Fill defaults and apply rules before a new record is checked."""

    def before_update(self, s: Session, rec: M, changes: dict[str, Any]) -> None:
        """Refuse or extend a change (adds derived fields to `changes`)."""

    def before_delete(self, s: Session, rec: M) -> None:
        """Refuse a delete the rules do not allow."""

    def before_restore(self, s: Session, rec: M) -> None:
        """Bring back what the delete took with it (called while `rec` is still deleted)."""

    def after_write(self, s: Session, rec: M, changed: set[str]) -> None:
        """Keep derived local data (search index) in step, inside the same transaction."""

    # --- internals -------------------------------------------------------------------------
    def _undo(self, s: Session, row_id: str, kind: str, before: dict[str, Any]) -> None:
        outbox.record_undo(
            s,
            entity=self.entity,
            row_id=row_id,
            kind=kind,
            before=before,
            at=self.db.clock.now().isoformat(),
        )

    def _write_command(
        self, s: Session, rec: M, changes: dict[str, Any], payload: dict[str, Any]
    ) -> None:
        """A business step taken here: `changes` applied and stamped with one clock, the
        command queued for the server to check, and one undo entry — all in `s`."""
        stamp = self.db.tick(s)
        clocks = json.loads(rec.field_hlc or "{}")
        before = {k: getattr(rec, k) for k in changes}
        for name, value in changes.items():
            setattr(rec, name, value)
        rec.field_hlc = json.dumps(field_clocks.stamp(clocks, changes, stamp))
        rec.updated_at = self.db.clock.now()
        s.add(rec)
        s.flush()
        outbox.append(
            s,
            entity=self.entity,
            row_id=rec.id,
            kind="command",
            payload=payload,
            base_version=rec.server_version,
            hlc=stamp,
        )
        self._undo(s, rec.id, "command", before)

    def _all(self) -> Any:
        if self.repos is None:
            raise RuntimeError(f"{type(self).__name__} was made outside Repositories")
        return self.repos

    def _live(self, s: Session, row_id: str) -> M:
        rec = s.get(self.model, row_id)
        if rec is None or rec.deleted:
            raise NotFound(f"no {self.entity} with id {row_id}")
        return rec

    def _user_fields(self, rec: M) -> dict[str, Any]:
        return {name: getattr(rec, name) for name in self.spec.field_names if hasattr(rec, name)}

    def _check(self, s: Session, rec: M, touched: Mapping[str, Any]) -> None:
        errors: list[FieldError] = []
        for name in touched:
            fspec = self.spec.by_name.get(name)
            value = getattr(rec, name, None)
            if fspec is not None and fspec.kind == "ref" and value:
                target = s.get(MODELS[fspec.ref or ""], value)
                if target is None or target.deleted:
                    errors.append(FieldError(name, f"no {fspec.ref} with id {value}"))
        try:
            check_record(self.entity, self._user_fields(rec))
        except ValidationErrors as exc:
            errors.extend(exc.errors)
        if errors:
            raise ValidationErrors(errors)

    def _apply(
        self, s: Session, rec: M, changes: Mapping[str, Any], *, kind: str, record_undo: bool
    ) -> M:
        changed = {k: v for k, v in changes.items() if getattr(rec, k) != v}
        if not changed:
            return rec
        before = {k: getattr(rec, k) for k in changed}
        for name, value in changed.items():
            setattr(rec, name, value)
        if kind == "patch":
            self._check(s, rec, changed)
        stamp = self.db.tick(s)
        clocks = json.loads(rec.field_hlc or "{}")
        rec.field_hlc = json.dumps(field_clocks.stamp(clocks, changed, stamp))
        rec.updated_at = self.db.clock.now()
        s.add(rec)
        s.flush()
        self.after_write(s, rec, set(changed))
        payload = {k: to_wire(v) for k, v in changed.items() if k not in SYNC_COLUMNS}
        outbox.append(
            s,
            entity=self.entity,
            row_id=rec.id,
            kind=kind,
            payload=payload,
            base_version=rec.server_version,
            hlc=stamp,
        )
        if record_undo:
            self._undo(s, rec.id, kind, before)
        return rec
