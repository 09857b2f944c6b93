"""Provides visit check-in (拜访签到, issue 18) for screens and the CLI: check in on a visit
follow-up (time; the place typed or the customer's address; optional coordinates; notes)
and check out (the duration). A check-in more than the set distance (1 km) from the
customer's own coordinates is flagged, never refused.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.pool_rules import (
    DEFAULT_FLAG_METRES,
    PoolError,
    distance_m,
    far_from_customer,
    parse_coordinates,
)

if TYPE_CHECKING:
    from crm_tui.domain.models import Activity, Checkin
    from crm_tui.services.book import Book

VISIT_KINDS = ("visit", "meeting")


def _error(field: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field, message)])


def _coords(text: str | None, field: str) -> tuple[float, float] | None:
    if not text:
        return None
    try:
        return parse_coordinates(text)
    except PoolError as exc:
        raise _error(field, str(exc)) from None


def _visit(book: Book, ref: str) -> Activity:
    act = book.db.repos.activities.resolve(ref)
    if act.kind not in VISIT_KINDS:
        raise _error("activity_id", f"'{act.subject}' is a {act.kind}; check in on a visit")
    return act


@dataclass(frozen=True)
class CheckedIn:
    checkin: Checkin
    distance_m: int | None  # from the customer, when both have coordinates
    flagged: bool
    photos: int = 0


def open_checkin(book: Book, activity_id: str) -> Checkin | None:
    """The visit's check-in still waiting for its check-out, if any."""
    found = book.db.repos.pool.checkins.of_activity(activity_id)
    return found if found is not None and found.checked_out_at is None else None


def check_in(
    book: Book,
    ref: str,
    *,
    at: str | None = None,
    place: str | None = None,
    notes: str | None = None,
    photos: Sequence[str] = (),
    limit_m: int = DEFAULT_FLAG_METRES,
) -> CheckedIn:
    """Check in on a visit now, with photos attached (services/files.py). Raises
    ValidationErrors (not a visit, bad coordinates, already checked in, a photo missing or
    too large) before anything is written."""
    act = _visit(book, ref)
    where = _coords(at, "at")
    seen: set[Path] = set()
    for photo in photos:
        check_photo(book, photo)
        same = Path(photo).expanduser().resolve()
        if same in seen:
            raise _error("photo", f"{Path(photo).name} is given twice")
        seen.add(same)
    already = open_checkin(book, act.id)
    if already is not None:
        since = book.clock.to_local(_aware(already.checked_in_at))
        raise _error("checked_in_at", f"already checked in at {since:%H:%M}; check out first")
    cust = book.db.repos.customers.get(act.customer_id)
    home = _safe_coords(cust)
    far = far_from_customer(where, home, limit_m)
    distance = round(distance_m(where, home)) if where and home else None
    values: dict[str, Any] = {
        "activity_id": act.id,
        "customer_id": act.customer_id,
        "checked_in_at": book.clock.now(),
        "place": (place or "").strip() or (cust.address if cust else None),
        "at": f"{where[0]:.6f},{where[1]:.6f}" if where else None,
        "distance_m": distance,
        "flagged": far is not None,
        "notes": notes,
    }
    from crm_tui.services import files

    with book.db.transaction():  # a check-in and its photos: all or nothing
        made = book.db.repos.pool.checkins.create(values)
        for photo in photos:
            files.attach(book, "checkin", made.id, photo, note=PHOTO_NOTE)
    return CheckedIn(made, distance, far is not None, len(photos))


PHOTO_NOTE = "check-in photo"


def check_photo(book: Book, path: str | Path) -> int:
    """The size of the photo at `path` after the checks made before anything is written:
    the file is there, within the file limits (services/files.py) and an image."""
    from crm_tui.services import files

    size = files.check_file(book, path, field_name="photo")
    kind = mimetypes.guess_type(Path(path).name)[0] or ""
    if not kind.startswith("image/"):
        raise _error("photo", f"{Path(path).name} is not an image (a photo: jpg, png, heic…)")
    return size


def photos_of(book: Book, checkin_id: str) -> list[Any]:
    """A check-in's photos (attachments), by name."""
    from crm_tui.services import files

    return files.files_of(book, "checkin", checkin_id)


def checkins_of(book: Book, customer_id: str, limit: int = 50) -> list[Checkin]:
    """A customer's visit check-ins, newest first (a customer has a handful)."""
    from crm_tui.domain.models import Checkin

    return book.db.repos.pool.checkins.page(
        where=[Checkin.customer_id == customer_id],
        order_by=[Checkin.checked_in_at.desc()],  # type: ignore[attr-defined]
        limit=limit,
    )


def _safe_coords(cust: Any) -> tuple[float, float] | None:
    text = getattr(cust, "coordinates", None)
    if not text:
        return None
    try:
        return parse_coordinates(text)
    except PoolError:
        return None  # a customer's bad coordinates never block a check-in


def check_out(book: Book, ref: str, notes: str | None = None) -> tuple[Checkin, int]:
    """Check out of the visit's open check-in; returns it and the minutes spent."""
    act = _visit(book, ref)
    current = open_checkin(book, act.id)
    if current is None:
        raise _error("checked_out_at", f"'{act.subject}' has no check-in to check out of")
    now = book.clock.now()
    changes: dict[str, Any] = {"checked_out_at": now}
    if notes:
        changes["notes"] = "\n".join(filter(None, (current.notes, notes)))
    done = book.db.repos.pool.checkins.update(current.id, changes)
    return done, minutes(done.checked_in_at, now)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # stored as UTC


def minutes(start: datetime, end: datetime | None) -> int:
    if end is None:
        return 0
    return max(0, round((_aware(end) - _aware(start)).total_seconds() / 60))
