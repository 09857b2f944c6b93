"""Provides the import engine every file format shares: rows of text in, records out.

A source (CSV, vCard) yields `(line, {field: text}, cells)`; the engine resolves related
records by id or name, parses values through the field registry, finds duplicates (same
name plus phone or e-mail, in the file and in the database), and writes the survivors with
`BulkWriter` inside ONE transaction: an import is applied whole or not at all. Rows that
cannot be imported are kept with their line number and reason for the report file.
"""

from __future__ import annotations

import re
import unicodedata
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from crm_tui.domain.field_parsers import values_parser
from crm_tui.domain.fields import (
    ENTITIES,
    FieldError,
    InputContext,
    ValidationErrors,
    join_tags,
    split_tags,
)
from crm_tui.domain.money import MoneyError, check_currency
from crm_tui.io.column_maps import NAME_PARTS, ref_name_column
from crm_tui.io.dupe_keys import DupeKeys
from crm_tui.io.results import ImportFailed, ImportResult, RowProblem
from crm_tui.storage.bulk import CHUNK, BulkWriter, raw_connection
from crm_tui.storage.engine import SCRATCH_ON_DISK

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

DUPLICATE_POLICIES = ("skip", "merge", "create")
IMPORTABLE = ("customer", "contact", "activity", "opportunity")
_DEDUP_PHONES = {"customer": ("phone",), "contact": ("phone", "mobile")}
# Outlook writes an empty birthday as 0/0/00; other tools 0000-00-00.
_NO_DATE = re.compile(r"^\s*(0{1,2}/0{1,2}/0{2,4}|0000-00-00)\s*$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _norm_name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _norm_phone(text: str) -> str:
    return re.sub(r"\D", "", text)[-11:]


def compose_name(first: str, middle: str, last: str) -> str:
    """Given + family name as the person writes it: 张伟 for Chinese, 'Ann Lee' otherwise."""
    if first and last and all(ord(c) > 0x2E7F for c in (first + last) if not c.isspace()):
        return f"{last}{first}"
    return " ".join(p for p in (first, middle, last) if p)


class RecordImporter:
    """Turns text rows into new records of one entity inside the caller's transaction."""

    def __init__(
        self, db: Database, session: Session, entity: str, on_duplicate: str = "skip"
    ) -> None:
        if entity not in IMPORTABLE:
            raise ImportFailed(
                f"cannot import {ENTITIES[entity].plural}; "
                f"one of: {', '.join(ENTITIES[e].plural for e in IMPORTABLE)}"
            )
        if on_duplicate not in DUPLICATE_POLICIES:
            raise ImportFailed(
                f"--on-duplicate: '{on_duplicate}' is not one of {', '.join(DUPLICATE_POLICIES)}"
            )
        self.db, self.session, self.entity = db, session, entity
        self.spec = ENTITIES[entity]
        self.on_duplicate = on_duplicate
        self.writer = BulkWriter(db, session, entity)
        self.customers = (
            self.writer if entity == "customer" else BulkWriter(db, session, "customer")
        )
        self.result = ImportResult(entity)
        self.conn = raw_connection(session)
        # Scratch space on disk while importing (the app keeps it in memory): the duplicate
        # keys and the sorts that build deferred indexes grow with the file. The engine
        # puts it back when the connection returns to its pool.
        self.conn.execute("PRAGMA temp_store = FILE")
        session.connection().connection.info[SCRATCH_ON_DISK] = True
        self._ids: dict[str, dict[str, bool]] = {}
        self._titles: dict[str, dict[str, list[str]]] = {}
        self._dupes: DupeKeys | None = None
        # New records while they are pending, by id (written ones are read back from the
        # database when a later row merges into them).
        self._pending: dict[str, SimpleNamespace] = {}
        self._foreign_ids = False
        self._dates = {f.name for f in self.spec.fields if f.kind in ("date", "datetime")}
        self._base_ctx = db.input_context
        self._refs = [f for f in self.spec.fields if f.kind == "ref"]
        self._parse = values_parser(entity)  # each column's checks chosen once, not per value

    # --- what already exists, loaded once per import ----------------------------------------
    def expect(self, rows: int) -> None:
        """About how many rows are coming (large imports defer index building)."""
        self.writer.expect(rows)

    def _writers_of(self, entity: str) -> list[BulkWriter]:
        return [w for w in {id(w): w for w in (self.writer, self.customers)}.values()
                if w.entity == entity]  # fmt: skip

    def _known_ids(self, entity: str) -> dict[str, bool]:
        # Loaded on first need only (an import of new rows without ids never needs them),
        # then kept up with what this import adds.
        if entity not in self._ids:
            table = ENTITIES[entity].table
            self._ids[entity] = {
                row_id: bool(deleted)
                for row_id, deleted in self.conn.execute(f'SELECT id, deleted FROM "{table}"')
            }
            for writer in self._writers_of(entity):
                self._ids[entity].update(dict.fromkeys((r.id for r in writer.pending), False))
        return self._ids[entity]

    def _known_titles(self, entity: str) -> dict[str, list[str]]:
        if entity not in self._titles:
            spec = ENTITIES[entity]
            titles: dict[str, list[str]] = {}
            for row_id, title in self.conn.execute(
                f'SELECT id, "{spec.title_field}" FROM "{spec.table}" WHERE deleted = 0'
            ):
                titles.setdefault(_norm_name(title or ""), []).append(row_id)
            for writer in self._writers_of(entity):
                for rec in writer.pending:
                    title = getattr(rec, spec.title_field)
                    titles.setdefault(_norm_name(title or ""), []).append(rec.id)
            self._titles[entity] = titles
        return self._titles[entity]

    def _dupe_keys(self, values: dict[str, Any]) -> list[tuple[str, ...]]:
        name = _norm_name(values.get(self.spec.title_field) or "")
        phones = [_norm_phone(values.get(f) or "") for f in _DEDUP_PHONES.get(self.entity, ())]
        keys = [(name, "p", p) for p in phones if p]
        if values.get("email"):
            keys.append((name, "e", str(values["email"]).casefold()))
        return keys or [(name, "-")]

    def _dupe_index(self) -> DupeKeys:
        if self._dupes is None:
            self._dupes = DupeKeys(self.conn, self.writer.expected * 2)
            if self.entity in _DEDUP_PHONES:
                cols = ["id", "name", "email", *_DEDUP_PHONES[self.entity]]
                cur = self.conn.execute(
                    f'SELECT {", ".join(cols)} FROM "{self.spec.table}" WHERE deleted = 0'
                )
                while batch := cur.fetchmany(5000):
                    for row in batch:
                        values = dict(zip(cols, row, strict=True))
                        self._dupes.claim(self._dupe_keys(values), ("db", values["id"], 0))
        return self._dupes

    # --- rows ----------------------------------------------------------------------------
    def reject(self, line: int, reason: str, cells: list[str] | None = None) -> None:
        self.result.rows += 1
        self.result.rejected.append(RowProblem(line, reason, cells or []))

    def add(self, line: int, raw: dict[str, str], cells: list[str] | None = None) -> None:
        """One row of text, keyed by field name (or pseudo-field); empty values are ignored."""
        self.result.rows += 1
        cells = cells or []
        raw = {
            k: v.strip()
            for k, v in raw.items()
            if v is not None and v.strip() and not (k in self._dates and _NO_DATE.match(v))
        }
        if self.entity == "contact" and "name" not in raw:
            name = compose_name(*(raw.get(p, "") for p in NAME_PARTS))
            if name:
                raw["name"] = name
        for part in NAME_PARTS:
            raw.pop(part, None)
        year_less = _NO_YEAR.match(raw.get("birthday", ""))
        if year_less:  # Google writes '--04-12' when the year is unknown: keep it as a note
            del raw["birthday"]
            note = f"Birthday: {year_less.group(1)}-{year_less.group(2)}"
            raw["notes"] = f"{raw['notes']}\n{note}" if raw.get("notes") else note
        row_id = raw.pop("id", None)
        if row_id is not None and not _UUID_RE.match(row_id):
            # Another tool's record id (Salesforce '0015g…', a row number): not ours to keep.
            if not self._foreign_ids:
                self.result.note(
                    f"line {line}: ids such as '{row_id}' are not crm ids; new ids were given"
                )
            self._foreign_ids = True
            row_id = None
        new_customer: str | None = None
        try:
            for fspec in self._refs:
                resolved, create = self._resolve_ref(fspec.name, fspec.ref or "", raw)
                if fspec.required and not resolved and not create:
                    raise ValidationErrors(
                        [
                            FieldError(
                                ref_name_column(fspec.name),
                                f"is required (a column such as '{ref_name_column(fspec.name)}')",
                            )
                        ]
                    )
                if resolved:
                    raw[fspec.name] = resolved
                if create:
                    new_customer = create
            values = self._parse(raw, self._context(raw))
        except ValidationErrors as exc:
            reason = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            self.result.rejected.append(RowProblem(line, reason, cells))
            return
        keys = self._dupe_keys(values) if self.entity in _DEDUP_PHONES else []
        if self._handle_duplicate(line, row_id, values, cells, keys):
            return
        if row_id is not None:
            known = self._known_ids(self.entity)
            if known.get(row_id):
                reason = f"id {row_id} is a deleted {self.entity}; restore it instead"
                self.result.rejected.append(RowProblem(line, reason, cells))
                return
            if row_id in known:  # a live duplicate imported with --on-duplicate create
                row_id = None
        from crm_tui.storage.database import new_id

        customer_rec = None
        try:
            if new_customer is not None:
                customer_rec = self.customers.prepare({"name": new_customer}, new_id())
                values["customer_id"] = customer_rec.id
            rec = self.writer.prepare(values, row_id or new_id())
        except ValidationErrors as exc:
            reason = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            self.result.rejected.append(RowProblem(line, reason, cells))
            return
        if customer_rec is not None:
            self._register(self.customers, "customer", customer_rec)
            self.result.customers_created += 1
        self._register(self.writer, self.entity, rec)
        if row_id is not None:  # a later row with this id is this record again
            self._dupe_index().claim([("#id", rec.id)], ("new", rec.id, line))
        self._pending[rec.id] = rec
        self.result.created += 1
        if self.entity == "customer":
            self.result.customers_created += 1
        if keys:
            self._dupe_index().claim(keys, ("new", rec.id, line))
        if len(self.writer.pending) >= CHUNK:
            self._write_pending()

    def _write_pending(self) -> None:
        """Write what is pending (customers first: contacts point at them)."""
        if self.customers is not self.writer:
            self.customers.write_pending()
        self.writer.write_pending()
        self._pending.clear()

    def _register(self, writer: BulkWriter, entity: str, rec: SimpleNamespace) -> None:
        writer.add(rec)
        if entity in self._ids:  # only kept up once something looked an id up
            self._ids[entity][rec.id] = False
        if entity in self._titles:  # only kept up once something looked a name up
            title = getattr(rec, ENTITIES[entity].title_field)
            self._titles[entity].setdefault(_norm_name(title or ""), []).append(rec.id)

    def _context(self, raw: dict[str, str]) -> InputContext:
        # An amount is read in its own row's currency (JPY has no cents, KWD has three).
        if raw.get("currency"):
            try:
                return InputContext(self._base_ctx.clock, check_currency(raw["currency"]))
            except MoneyError:
                pass
        return self._base_ctx

    def _resolve_ref(
        self, field_name: str, target: str, raw: dict[str, str]
    ) -> tuple[str | None, str | None]:
        """(id, customer name to create) for a reference given by id or by name."""
        by_id = raw.pop(field_name, None)
        by_name = raw.pop(ref_name_column(field_name), None)
        if by_id and by_id in self._known_ids(target) and not self._known_ids(target)[by_id]:
            return by_id, None
        if not by_name:
            if by_id:
                raise ValidationErrors([FieldError(field_name, f"no {target} with id {by_id}")])
            return None, None
        found = self._known_titles(target).get(_norm_name(by_name), [])
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            raise ValidationErrors(
                [
                    FieldError(
                        ref_name_column(field_name),
                        f"more than one {target} is named '{by_name}'; give {field_name} instead",
                    )
                ]
            )
        if target == "customer" and self.entity == "contact":
            return None, by_name
        raise ValidationErrors(
            [FieldError(ref_name_column(field_name), f"no {target} named '{by_name}'")]
        )

    def _handle_duplicate(
        self,
        line: int,
        row_id: str | None,
        values: dict[str, Any],
        cells: list[str],
        keys: list[tuple[str, ...]],
    ) -> bool:
        """True when the row was a duplicate and has been skipped or merged."""
        target: tuple[str, str, int] | None = None
        if row_id is not None:  # an id made earlier in this file, else one in the database
            target = self._dupe_index().first([("#id", row_id)])
            if target is None and self._known_ids(self.entity).get(row_id) is False:
                target = ("db", row_id, 0)
        elif keys:
            # A row with an id is that record (our own export): its identity decides, so two
            # same-named customers a database really holds both come back.
            target = self._dupe_index().first(keys)
        if target is None or self.on_duplicate == "create":
            return False
        where = f"line {target[2]}" if target[0] == "new" else f"existing {self.entity} {target[1]}"
        if self.on_duplicate == "skip":
            self.result.duplicates.append(RowProblem(line, f"duplicate of {where}", cells))
            return True
        pending = self._pending.get(target[1]) if target[0] == "new" else None
        if pending is None:  # in the database (before this import, or written by it)
            existing = self.db.repos.by_entity[self.entity].require(target[1])
            changes = self._merge(line, where, existing, values)
            if changes:
                self.db.repos.by_entity[self.entity].update(target[1], changes, record_undo=False)
        else:
            for name, value in self._merge(line, where, pending, values).items():
                setattr(pending, name, value)
        self.result.merged += 1
        return True

    def _merge(
        self, line: int, where: str, existing: Any, values: dict[str, Any]
    ) -> dict[str, Any]:
        """Blank fields of the existing record take the row's values; tags are united.

        A field both have with different values keeps the existing value, and says so.
        """
        changes: dict[str, Any] = {}
        for name, value in values.items():
            if value is None:
                continue
            old = getattr(existing, name, None)
            if name == "tags":
                united = join_tags(split_tags(old) + split_tags(value))
                if united != (old or ""):
                    changes[name] = united
            elif old is None or old == "":
                changes[name] = value
            elif old != value:
                self.result.note(
                    f"line {line}: kept {name} '{old}' of {where} (the file has '{value}')"
                )
        return changes

    def finish(self) -> ImportResult:
        if self.customers is not self.writer:
            self.customers.flush()
        self.writer.flush()
        self._pending.clear()
        return self.result

    def close(self) -> None:
        """Drop the scratch tables."""
        if self._dupes is not None:
            self._dupes.close()
            self._dupes = None
