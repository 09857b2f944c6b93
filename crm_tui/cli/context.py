"""Provides what every command shares: the chosen database, the clock, errors and output."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from crm_tui.config import resolve_db_path
from crm_tui.domain.dates import Clock

if TYPE_CHECKING:
    from crm_tui.storage.database import Database


@dataclass
class CliState:
    db_path: Path
    clock: Clock
    db_option: Path | None = None
    _db: Database | None = field(default=None, repr=False)

    @classmethod
    def create(cls, db_option: Path | None, now: str | None) -> CliState:
        clock = Clock()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                fail(f"--now: '{now}' is not an ISO date-time such as 2026-11-23T09:00")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=clock.zone)
            clock = Clock(fixed=moment)
        return cls(resolve_db_path(db_option), clock, db_option)

    @property
    def db(self) -> Database:
        if self._db is None:
            from crm_tui.storage.database import open_database

            try:
                self._db = open_database(self.db_path, self.clock)
            except Exception as exc:  # a locked, corrupt or unreadable file
                fail(f"cannot open database {self.db_path}: {exc}")
        return self._db


def state(ctx: typer.Context) -> CliState:
    return ctx.find_root().obj


def fail(message: str, code: int = 1) -> NoReturn:
    """One clear line on stderr and a non-zero exit: never a traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def emit(
    rows: list[dict[str, Any]], columns: list[str], fmt: str, titles: dict[str, str] | None = None
) -> None:
    """Print rows as an aligned table (CJK-aware), JSON (model field names) or CSV."""
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
        sys.stdout.write(buf.getvalue())
    elif fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold")
        for name in columns:
            table.add_column(
                (titles or {}).get(name, name), overflow="ellipsis", no_wrap=True, max_width=40
            )
        for row in rows:
            table.add_row(*("" if row.get(k) is None else str(row.get(k)) for k in columns))
        Console(width=max(120, Console().width), soft_wrap=False).print(table)
    else:
        fail(f"--format: '{fmt}' is not one of table, json, csv")
