"""Provides the import of a registration list into a campaign (issue 16): a CSV from a web
form or Excel, UTF-8 or GB18030, with Chinese headers (姓名/手机/公司/邮箱). The importer's
reading is reused whole — encoding and delimiter detection, the header row, the column map
(io/member_columns.py) and its row-problem report (`write_report`) — and the people are
added through services.campaign_members, so each is on the campaign once (with the member id
every laptop makes for them). Every refused row is reported with its line and reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui.domain.fields import ValidationErrors, check_record, parse_values
from crm_tui.io import csv_import
from crm_tui.io.results import ImportFailed, ImportResult, RowProblem, write_report
from crm_tui.services.campaign_members import MemberBatch
from crm_tui.services.campaigns import find as find_campaign

if TYPE_CHECKING:
    from crm_tui.io.csv_import import CsvPlan
    from crm_tui.services.book import Book

__all__ = ["ImportFailed", "import_registrations", "plan", "write_report"]

ENTITY = "campaign_member"
# What a registration list may set; the campaign, status and times are the import's own.
PERSON = ("name", "company", "phone", "email", "notes")


def plan(path: Path, encoding: str | None = None) -> CsvPlan:
    """The file's encoding, delimiter, header row and column map (ImportFailed when it has
    no usable header)."""
    return csv_import.plan_csv(Path(path), ENTITY, None, encoding)


def import_registrations(
    book: Book,
    campaign_ref: str,
    path: Path,
    *,
    encoding: str | None = None,
    status: str = "registered",
    dry_run: bool = False,
) -> ImportResult:
    """Register everyone in the file (source: web form); someone already on the campaign is
    moved on to registered and counted as merged, a repeated row as a duplicate, and one
    who cannot be registered again (a no-show) refused with its line."""
    campaign = find_campaign(book, campaign_ref)
    the_plan = plan(path, encoding)
    result = ImportResult(ENTITY, dry_run=dry_run)
    for note in the_plan.notes():
        result.note(note)
    ctx = book.input_context
    good: list[tuple[int, dict[str, str], list[str]]] = []
    for line, values, cells, refused in the_plan.rows():
        result.rows += 1
        if refused or values is None:
            result.rejected.append(RowProblem(line, refused or "unreadable row", cells))
            continue
        person = {k: v for k, v in values.items() if k in PERSON}
        try:
            parsed = parse_values(ENTITY, person, ctx)
            check_record(ENTITY, parsed | {"campaign_id": campaign.id})
        except ValidationErrors as exc:
            reason = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            result.rejected.append(RowProblem(line, reason, cells))
            continue
        good.append((line, person | {"source": "web_form"}, cells))
    batch = MemberBatch(book, campaign)
    if dry_run:  # the rows a real run would refuse are refused here too
        for line, person, cells in good:
            if (refused := batch.refusal(person, status)) is not None:
                reason = "; ".join(f"{e.field}: {e.message}" for e in refused.errors)
                result.rejected.append(RowProblem(line, reason, cells))
            else:
                result.created += 1
        return result
    seen: set[str] = set()
    for line, person, cells in good:
        try:
            member, new = batch.add(person, status, signup=True)
        except ValidationErrors as exc:
            # One person who cannot step (a no-show signing up again) is a refused row;
            # the rest of the file still goes in.
            reason = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            result.rejected.append(RowProblem(line, reason, cells))
            continue
        if new:
            result.created += 1
        elif member.id in seen:
            reason = f"the same person as an earlier row ({member.name})"
            result.duplicates.append(RowProblem(line, reason, cells))
        else:
            result.merged += 1
        seen.add(member.id)
    return result
