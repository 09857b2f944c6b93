"""Provides vCard import (2.1, 3.0, 4.0) and export (3.0, 4.0): phones, Outlook, Google.

A card with an organisation (ORG) becomes a contact of that company (found by name or
created); a card without one becomes a customer who is a person; a company card (KIND:org,
or ORG equal to the name) becomes a company customer. FN/N carry CJK names as written,
TEL/EMAIL/ADR/BDAY/NOTE/TITLE/URL/CATEGORIES map to fields, UID carries the record id so a
card imported twice is a duplicate, and photos are skipped with a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from crm_tui.domain.fields import split_tags
from crm_tui.io.import_run import run_import
from crm_tui.io.results import ImportFailed, ImportResult

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)
_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")


@dataclass
class Card:
    line: int
    entity: str  # customer or contact
    values: dict[str, str]
    label: str


def split_cards(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each BEGIN:VCARD … END:VCARD block."""
    start, buf = 0, []
    for number, line in enumerate(text.splitlines(), 1):
        if _BEGIN.match(line):
            start, buf = number, [line]
        elif buf:
            buf.append(line)
            if _END.match(line):
                yield start, "\r\n".join(buf) + "\r\n"
                buf = []
    if buf:
        yield start, "\r\n".join(buf)


def _types(prop: Any) -> set[str]:
    out: set[str] = {str(v).lower() for v in getattr(prop, "singletonparams", [])}  # 2.1 TEL;CELL
    for value in prop.params.get("TYPE", []):
        out |= {t.strip().strip('"').lower() for t in str(value).split(",")}
    return out


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v)
    return str(value or "").strip()


def _bday(raw: str) -> tuple[str | None, str | None]:
    """(ISO date, note) for BDAY: 1985-04-12, 19850412, or --1130 (no year: kept as a note)."""
    raw = raw.strip()
    m = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})", raw)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}", None
    m = re.match(r"^--(\d{2})-?(\d{2})$", raw)
    if m:
        return None, f"Birthday: {m.group(1)}-{m.group(2)}"
    return None, f"Birthday: {raw}" if raw else None


def card_values(card: Any, result: ImportResult, line: int) -> Card:
    """One parsed vobject card as importer rows (field -> text)."""
    c = card.contents
    name = _text(c["fn"][0].value) if "fn" in c else ""
    if not name and "n" in c:
        from crm_tui.io.records import compose_name

        n = c["n"][0].value
        name = compose_name(_text(n.given), _text(n.additional), _text(n.family))
    org = [str(p).strip() for p in c["org"][0].value if str(p).strip()] if "org" in c else []
    kind = _text(c["kind"][0].value).lower() if "kind" in c else ""
    is_company = (
        kind == "org"
        or (bool(org) and org[0] == name)
        or ("x-abshowas" in c and _text(c["x-abshowas"][0].value).upper() == "COMPANY")
    )
    entity = "contact" if org and not is_company else "customer"
    values: dict[str, str] = {"name": name or (org[0] if org else "")}
    extra: list[str] = []
    phones = [
        (re.sub(r"^tel:", "", _text(t.value), flags=re.I), _types(t)) for t in c.get("tel", [])
    ]
    mobiles = [p for p, types in phones if "cell" in types]
    others = [p for p, types in phones if "cell" not in types]
    if entity == "contact":
        if mobiles:
            values["mobile"] = mobiles.pop(0)
        if others:
            values["phone"] = others.pop(0)
        values["customer"] = org[0]
        if "title" in c:
            values["title"] = _text(c["title"][0].value)
    else:
        values["kind"] = "company" if is_company else "person"
        # A person is rung on the mobile; a company on its switchboard.
        first, second = (others, mobiles) if is_company else (mobiles, others)
        if first or second:
            values["phone"] = (first or second).pop(0)
    extra += [f"Phone: {p}" for p in others + mobiles]
    emails = [_text(e.value) for e in c.get("email", []) if _text(e.value)]
    if emails:
        values["email"] = emails.pop(0)
        extra += [f"E-mail: {e}" for e in emails]
    for adr in c.get("adr", []):
        a = adr.value
        parts = [_text(getattr(a, k, "")) for k in ("street", "city", "region", "code", "country")]
        if entity == "customer" and "address" not in values:
            values["address"] = _text(a.street) or ", ".join(p for p in parts if p)
            if _text(a.city):
                values["city"] = _text(a.city)
        else:
            extra.append("Address: " + ", ".join(p for p in parts if p))
    if "bday" in c:
        day, note = _bday(_text(c["bday"][0].value))
        if day:
            values["birthday"] = day
        if note:
            extra.append(note)
    if entity == "customer" and "url" in c:
        values["website"] = _text(c["url"][0].value)
    if entity == "customer" and "categories" in c:
        tags = [t for v in c["categories"] for t in split_tags(_text(v.value))]
        values["tags"] = ",".join(tags)
    notes = [_text(n.value) for n in c.get("note", []) if _text(n.value)]
    if notes or extra:
        values["notes"] = "\n".join(notes + extra)
    if "uid" in c:
        uid = re.sub(r"^urn:uuid:", "", _text(c["uid"][0].value), flags=re.I)
        if uid:
            values["id"] = uid
    if "photo" in c:
        result.note(f"line {line}: photo of '{values['name']}' not imported (photos are skipped)")
    return Card(line, entity, values, values["name"])


class _Rollback(Exception):
    pass


def import_vcard(
    db: Database,
    path: Path,
    *,
    on_duplicate: str = "skip",
    dry_run: bool = False,
    strict: bool = False,
) -> tuple[ImportResult, ImportResult]:
    """Import every card: customers (people and companies) first, then contacts.

    Both happen in one transaction. Returns (customers result, contacts result).
    """
    import vobject

    from crm_tui.io.csv_import import decode

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    text, _encoding = decode(data)
    people = ImportResult("customer")
    parsed: list[Card] = []
    bad: list[tuple[int, str]] = []
    for line, chunk in split_cards(text):
        try:
            card = vobject.readOne(chunk, allowQP=True)  # 2.1 (older phones) uses QP
            parsed.append(card_values(card, people, line))
        except Exception as exc:  # vobject raises many kinds on a malformed card
            bad.append((line, f"unreadable card: {exc}".splitlines()[0]))
    if not parsed and not bad:
        raise ImportFailed(f"{path} holds no vCards (no BEGIN:VCARD line)")

    def rows(entity: str) -> Iterator[tuple[int, dict[str, str] | None, list[str], str | None]]:
        if entity == "customer":
            for line, reason in bad:
                yield line, None, [], reason
        for card in parsed:
            if card.entity == entity:
                yield card.line, card.values, [card.label], None

    try:
        with db.transaction():
            customers = run_import(db, "customer", rows("customer"), on_duplicate=on_duplicate)
            contacts = run_import(db, "contact", rows("contact"), on_duplicate=on_duplicate)
            customers.notes[:0] = people.notes
            customers.dry_run = contacts.dry_run = dry_run
            if strict and (customers.rejected or contacts.rejected):
                customers.aborted = contacts.aborted = True
            if dry_run or customers.aborted:
                raise _Rollback
    except _Rollback:
        pass
    return customers, contacts


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) for N: 张伟 -> (张, 伟); 'Ann B Lee' -> (Lee, Ann B)."""
    if _CJK.match(name) and 2 <= len(name) <= 4:
        return name[0], name[1:]
    parts = name.rsplit(" ", 1)
    return (parts[1], parts[0]) if len(parts) == 2 else (name, "")


def _card(row: dict[str, Any], version: str, org: str | None, company: bool) -> Any:
    import vobject

    card = vobject.vCard()
    card.add("version").value = version
    name = row["name"]
    card.add("fn").value = name
    family, given = ("", "") if company else _split_name(name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("uid").value = row["id"]
    if company:
        if version == "4.0":
            card.add("kind").value = "org"
        else:
            card.add("x-abshowas").value = "COMPANY"
    if org:
        card.add("org").value = [org]
    if row.get("title"):
        card.add("title").value = row["title"]
    for field_name, kind in (("mobile", "CELL"), ("phone", "WORK" if org else "VOICE")):
        if row.get(field_name):
            tel = card.add("tel")
            tel.value = row[field_name]
            tel.type_param = kind.lower() if version == "4.0" else kind
    if row.get("email"):
        card.add("email").value = row["email"]
    if row.get("address") or row.get("city"):
        card.add("adr").value = vobject.vcard.Address(
            street=row.get("address") or "", city=row.get("city") or ""
        )
    if row.get("website"):
        card.add("url").value = row["website"]
    if row.get("birthday"):
        card.add("bday").value = row["birthday"]
    if row.get("tags"):
        card.add("categories").value = split_tags(row["tags"])
    if row.get("notes"):
        card.add("note").value = row["notes"]
    return card


def export_vcard(db: Database, out: IO[str], query: str | None = None, version: str = "3.0") -> int:
    """Write customers (people and companies) and contacts as vCards; returns how many.

    A query selects customers; their contacts come along, and so do contacts the query
    matches themselves (a name or number) when it is a query contacts understand.
    """
    from crm_tui.io.csv_export import matching_ids, stored_rows
    from crm_tui.query import QueryError

    if version not in ("3.0", "4.0"):
        raise ValueError(f"vCard version '{version}' is not 3.0 or 4.0")
    chosen = matching_ids(db, "customer", query)  # a bad query fails here, before any output
    try:
        contacts = matching_ids(db, "contact", query)
    except QueryError:  # e.g. city:北京 — a customer field; the customers' contacts still come
        contacts = set()
    count = 0
    for row in stored_rows(db, "customer"):
        if chosen is None or row["id"] in chosen:
            company = row.get("kind") != "person"
            out.write(_card(row, version, row["name"] if company else None, company).serialize())
            count += 1
    from crm_tui.storage.engine import connect

    conn = connect(db.path, readonly=True)
    try:
        names = dict(conn.execute("SELECT id, name FROM customer").fetchall())
    finally:
        conn.close()
    for row in stored_rows(db, "contact"):
        wanted = chosen is None or row["customer_id"] in chosen or row["id"] in (contacts or ())
        if wanted:
            out.write(_card(row, version, names.get(row["customer_id"]), False).serialize())
            count += 1
    return count
