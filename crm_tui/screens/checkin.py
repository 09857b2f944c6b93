"""Provides visit check-in from the follow-ups list (拜访签到, issue 18): on a visit, the key
checks in (a dialog for where: `LAT,LNG` and/or a place, empty takes the customer's
address; and photos: paths, completed as typed, checked before anything is saved) or,
when checked in, checks out with the time spent. A check-in far from the customer is
flagged in the message, never refused. `crm checkin --photo` / `crm checkout` do the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from crm_tui.domain.pool_rules import PoolError, parse_coordinates
from crm_tui.screens.checkin_dialog import CheckInDialog
from crm_tui.services import checkins

_LEAD = re.compile(r"^\s*(-?\d+(?:\.\d+)?\s*[,，]\s*-?\d+(?:\.\d+)?)\s*(.*)$")


def split_where(text: str) -> tuple[str | None, str | None]:
    """'31.23,121.47 外滩' -> ('31.23,121.47', '外滩'); '外滩' -> (None, '外滩')."""
    m = _LEAD.match(text or "")
    if m:
        return m.group(1), (m.group(2).strip() or None)
    return None, (text.strip() or None)


def _check(text: str) -> str | None:
    at, _ = split_where(text)
    if at is None:
        return None
    try:
        parse_coordinates(at)
    except PoolError as exc:
        return str(exc)
    return None


def _why(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    return "; ".join(e.message for e in errors) if errors else str(exc)


def toggle_checkin(app: Any, book: Any, activity_id: str, done: Callable[[], None]) -> None:
    """Check out of the visit's open check-in, else ask where (and for photos) and check in."""
    try:
        current = checkins.open_checkin(book, activity_id)
        if current is not None:
            _, minutes = checkins.check_out(book, activity_id)
            app.notify(f"Checked out after {minutes} min.")
            done()
            return
        checkins._visit(book, activity_id)  # refuse a call or a task before asking where
    except Exception as exc:  # not a visit, a record that is gone
        app.notify(_why(exc), severity="error", timeout=5)
        return

    def save(where: str, photos: list[str]) -> Any:
        at, place = split_where(where)
        return checkins.check_in(book, activity_id, at=at, place=place, photos=photos)

    def saved(made: Any) -> None:
        if made is None:
            return
        where = f" at {made.checkin.place}" if made.checkin.place else ""
        pics = f", {made.photos} photo{'s' if made.photos > 1 else ''}" if made.photos else ""
        if made.flagged:
            app.notify(
                f"Checked in{where}{pics} — {made.distance_m:,} m from the customer (flagged).",
                severity="warning",
                timeout=6,
            )
        else:
            app.notify(f"Checked in{where}{pics}.")
        done()

    app.push_screen(
        CheckInDialog(
            book,
            save,
            check_where=_check,
            placeholder="LAT,LNG and/or a place (empty: the customer's address)",
        ),
        saved,
    )
