"""Provides the `crm` command: no subcommand opens the app; subcommands are scriptable.

Each command group lives in its own module with a `register(app)` function; heavy imports
(SQLModel, httpx, Textual) happen inside the commands so `crm` starts fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from crm_tui.cli.context import CliState

app = typer.Typer(
    name="crm",
    help="A keyboard-driven CRM for sales reps. Run with no command to open the app.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Command groups, each a module in this package with `register(app)`.
COMMAND_MODULES = ["groups", "records", "demo", "sync", "report", "io", "query", "duplicates"]


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: Path | None = typer.Option(
        None,
        "--db",
        help="Database file (default: $CRM_DB, then the data folder).",
        envvar=None,
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        hidden=True,
        envvar="CRM_NOW",
        help="Pretend it is this ISO date-time (tests, demos).",
    ),
) -> None:
    ctx.obj = CliState.create(db, now)
    if ctx.invoked_subcommand is None:
        from crm_tui.cli.open_app import open_app

        open_app(ctx.obj)


for _name in COMMAND_MODULES:
    importlib.import_module(f"crm_tui.cli.{_name}").register(app)


def main() -> None:
    app()
