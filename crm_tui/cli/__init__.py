"""Provides the `crm` command: no subcommand opens the app; subcommands are scriptable.

Each command group lives in its own module with a `register(app)` function; heavy imports
(SQLModel, httpx, Textual) happen inside the commands so `crm` starts fast.
"""

from __future__ import annotations

from pathlib import Path

import typer

from crm_tui.cli import (
    actions,
    add,
    demo,
    duplicates,
    field_sales,
    files,
    groups,
    insight,
    io,
    kb,
    marketing,
    office,
    pool,
    query,
    records,
    report,
    sales_docs,
    service,
    sync,
)
from crm_tui.cli.context import AppOpener, CliState
from crm_tui.cli.hoist import HoistGroup

app = typer.Typer(
    name="crm",
    cls=HoistGroup,  # --db and --now also work after the subcommand
    help="A keyboard-driven CRM for sales reps. Run with no command to open the app.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Command groups, each a module in this package with `register(app)`.
COMMAND_MODULES = [
    groups,
    add,
    records,
    actions,
    demo,
    sync,
    report,
    io,
    query,
    duplicates,
    sales_docs,
    marketing,
    pool,
    field_sales,
    office,
    service,
    files,
    kb,
    insight,
]


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
    # `main` hands in how to open the app (crm_tui/launch.py's `run_app`) as the context obj.
    opener = ctx.obj if callable(ctx.obj) else None
    ctx.obj = CliState.create(db, now, opener)
    if ctx.invoked_subcommand is None:
        ctx.obj.open_app()


for _module in COMMAND_MODULES:
    _module.register(app)


def main(open_app: AppOpener | None = None) -> None:
    """Run the `crm` command line; `open_app` opens the Textual app when a command asks."""
    app(obj=open_app)
