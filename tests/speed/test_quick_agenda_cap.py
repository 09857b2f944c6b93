"""`crm agenda` as a table is one screen (issue 20: at 100k it printed every overdue
follow-up, 30,000 lines in 0.6 s): of each kind on each day the first few, then "… and N
more", and nothing else changes — the items shown are the first of services/reminders.py's
complete agenda (which `--format json` still lists whole), in its order."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from crm_tui.services import quick_agenda

GROUPS = ("overdue", "followup", "deal", "birthday", "instalment")


def _expected(path: Path, clock, days: int, shown: int) -> str:
    """The complete agenda cut by hand: each group's first `shown`, the rest counted."""
    from crm_tui.services import reminders
    from crm_tui.services.book import Book

    book = Book.open(path, clock)
    try:
        plan = reminders.agenda(book, days)
    finally:
        book.close()
    today = clock.today()
    if not plan:
        return f"Nothing scheduled in the next {days} day{'s' if days > 1 else ''}.\n"
    lines = []
    for day, items in plan.items():
        label = "Today" if day == today else "Tomorrow" if (day - today).days == 1 else ""
        lines.append(f"{day:%a %Y-%m-%d}" + (f"  {label}" if label else ""))
        groups: dict[str, list] = {g: [] for g in GROUPS}
        for item in items:
            late = item.kind == "followup" and "overdue since" in item.detail
            groups["overdue" if late else item.kind].append(item)
        for group, found in groups.items():
            for item in found[:shown]:
                detail = f"  · {item.detail}" if item.detail else ""
                lines.append(f"  {item.time:<7}  {item.title}{detail}")
            if len(found) > shown:
                lines.append(f"  … and {len(found) - shown:,} more {quick_agenda.MORE[group]}")
    return "".join(line + "\n" for line in lines)


@pytest.mark.parametrize(
    ("now", "days"),
    [
        ("2026-11-23T10:00:00+08:00", 7),
        ("2026-11-23T10:00:00+08:00", 60),
        ("2026-12-20T08:00:00+08:00", 30),
        ("2027-02-01T09:00:00+08:00", 14),
        ("2000-01-01T10:00:00+08:00", 1),
    ],
)
def test_the_table_is_the_complete_agenda_cut_to_a_screen(
    crm_demo_book: Path, monkeypatch: pytest.MonkeyPatch, now: str, days: int
) -> None:
    from crm_tui.domain.dates import Clock

    moment = datetime.fromisoformat(now)
    clock = Clock(fixed=moment, zone=moment.tzinfo)
    for shown in (1, 2, 10):
        monkeypatch.setattr(quick_agenda, "SHOWN", shown)
        text = quick_agenda.table_text(crm_demo_book, clock, days)
        assert text == _expected(crm_demo_book, clock, days, shown), shown


def test_the_cut_is_counted(crm_demo_book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_tui.domain.dates import Clock

    moment = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
    clock = Clock(fixed=moment, zone=moment.tzinfo)
    monkeypatch.setattr(quick_agenda, "SHOWN", 1)
    text = quick_agenda.table_text(crm_demo_book, clock, 60)
    assert "more overdue follow-ups (crm query followups status:overdue)" in text
    assert "more follow-ups" in text and "more deals closing" in text
