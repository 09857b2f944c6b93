"""Provides what an import tells the rep: the result, each refused row, and the report file.

`ImportFailed` means the whole file was refused and nothing was written; an `ImportResult`
counts what was created, merged and skipped, and keeps every refused or duplicate row with
its line number and reason for `write_report`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from crm_tui.domain.fields import ENTITIES

_MAX_NOTES = 50


class ImportFailed(Exception):
    """The whole file cannot be imported (unreadable, empty, no header); nothing was written."""


@dataclass
class RowProblem:
    line: int
    reason: str
    cells: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    entity: str
    rows: int = 0
    created: int = 0
    merged: int = 0
    customers_created: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    duplicates: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    aborted: bool = False  # all or nothing (--strict) and a row was refused: nothing written

    def note(self, text: str) -> None:
        if len(self.notes) < _MAX_NOTES:
            self.notes.append(text)
        elif len(self.notes) == _MAX_NOTES:
            self.notes.append("… more notes left out")

    def summary(self) -> str:
        plural = ENTITIES[self.entity].plural
        if self.aborted:
            return (
                f"{self.rows} rows read: nothing imported, because {len(self.rejected)} "
                f"rows were refused (all or nothing)"
            )
        verb = "would import" if self.dry_run else "imported"
        parts = [f"{verb} {self.created} {plural}"]
        if self.customers_created and self.entity != "customer":
            parts.append(f"{self.customers_created} new customers")
        if self.merged:
            parts.append(f"{self.merged} merged into existing records")
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} duplicates skipped")
        if self.rejected:
            parts.append(f"{len(self.rejected)} rows rejected")
        return f"{self.rows} rows read: " + ", ".join(parts)


def write_report(path: Path, result: ImportResult, headers: list[str]) -> int:
    """Every refused and duplicate row with its line number and reason, as CSV (UTF-8 BOM,
    so Excel opens Chinese text correctly). Returns how many rows were written."""
    problems = sorted(result.rejected + result.duplicates, key=lambda p: p.line)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "reason", *headers])
        for problem in problems:
            writer.writerow([problem.line, problem.reason, *problem.cells])
    return len(problems)
