"""`crm remind` names the rep's campaigns starting today or tomorrow (issue 16) on both
paths: the full Typer command once crashed on them (KeyError 'campaign') and the quick path
(launch.py -> services/quick.py) left them out. Both print the same bytes, and every id
printed resolves with `crm show`."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from crm_tui import launch
from crm_tui.services import campaigns
from crm_tui.services.book import Book
from crm_tui.storage.database import open_database

NOW = "2026-11-23T10:00:00+08:00"  # the `crm` fixture's --now (a Monday)


def _book(path: Path, clock) -> dict[str, str]:
    db = open_database(path, clock)
    book = Book(db)
    db.set_state("user_id", "u-wang")
    ids = {
        name: campaigns.add_campaign(book, {"name": name, "starts_on": day}).id
        for name, day in (
            ("客户开放日", "2026-11-23"),
            ("明天的研讨会", "2026-11-24"),
            ("下周的展会", "2026-11-30"),
        )
    }
    db.set_state("user_id", "u-li")
    ids["别人的活动"] = campaigns.add_campaign(
        book, {"name": "别人的活动", "starts_on": "2026-11-23"}
    ).id
    db.set_state("user_id", "u-wang")
    db.close()
    return ids


def _quick(path: Path, *extra: str) -> tuple[bool, str]:
    options = launch.quick_remind_options(["--db", str(path), "--now", NOW, "remind", *extra])
    assert options is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_remind(options)
    return answered, out.getvalue()


def test_both_paths_list_my_campaigns_starting_today_or_tomorrow(crm, db_path, clock) -> None:
    ids = _book(db_path, clock)
    full = crm("remind")
    assert full.exit_code == 0 and full.stderr == ""
    lines = [line for line in full.stdout.splitlines() if line.startswith("campaign ")]
    assert [line.split("  ")[-1].strip() for line in lines] == [
        "客户开放日 — 0 registered",
        "明天的研讨会 — 0 registered",
    ]
    answered, quick_out = _quick(db_path)
    assert answered and quick_out == full.stdout
    for line, name in zip(lines, ("客户开放日", "明天的研讨会"), strict=True):
        short = line.split()[1]
        assert ids[name].startswith(short)
        shown = crm("show", short)
        assert shown.exit_code == 0 and name in shown.stdout


def test_options_the_quick_path_hands_over_still_list_campaigns(crm, db_path, clock) -> None:
    _book(db_path, clock)
    plain = crm("remind").stdout
    argv = ("remind", "--deal-days=+7")  # '+7' is not for the quick parser: Typer answers
    assert launch.quick_remind_options(["--db", str(db_path), *argv]) is None
    result = crm(*argv)
    assert result.exit_code == 0 and result.stdout == plain and "明天的研讨会" in plain
