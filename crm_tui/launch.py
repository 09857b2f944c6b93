"""Provides `main`, the `crm` entry point: plain `crm` opens the app without loading the CLI.

The launcher imports the CLI, never the other way: the CLI opens the app through the
`run_app` it is handed.

Typer, Click and the command modules cost about a fifth of the app's cold start, so `crm`
with no subcommand (only `--db PATH` / `--now ISO`) opens the app straight away; anything
else, including `--help` and bad options, goes to the full Typer CLI (crm_tui/cli).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock

_APP_OPTIONS = ("--db", "--now")


def app_options(argv: list[str]) -> dict[str, str] | None:
    """`{"--db": ..., "--now": ...}` when argv only opens the app, else None (use the CLI)."""
    options: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name not in _APP_OPTIONS or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None  # let the CLI say what is missing
        options[name] = value
    return options


def main() -> None:
    options = app_options(sys.argv[1:])
    now = options.get("--now", os.environ.get("CRM_NOW")) if options is not None else None
    if options is None or now:
        # `--now` needs the CLI's checks and messages; it is for tests and demos only.
        from crm_tui.cli import main as cli_main

        cli_main(open_app=run_app)
        return
    from crm_tui.config import resolve_db_path
    from crm_tui.domain.dates import Clock

    db_option = options.get("--db")
    run_app(resolve_db_path(Path(db_option) if db_option else None), Clock())


def run_app(path: Path, clock: Clock) -> None:
    """Open the app on `path`; the desk paints before the ORM has loaded."""
    from crm_tui.storage.migrate import migrate_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        migrate_file(path)  # plain sqlite3: the desk reads the file straight away
    except Exception as exc:  # a locked, corrupt or unreadable file
        print(f"error: cannot open database {path}: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    from crm_tui.app import make_app

    make_app(path=path, clock=clock).run()
