"""Provides `crm demo`: write a realistic demo database and open the app on it."""

from __future__ import annotations

from pathlib import Path

import typer

from crm_tui.cli.context import fail, state


def demo(
    ctx: typer.Context,
    customers: int = typer.Option(
        2000,
        "--customers",
        min=1,
        max=2_000_000,
        help="How many customers (each has ~10 follow-ups).",
    ),
    seed: int = typer.Option(7, "--seed", help="Same seed, same data."),
    no_open: bool = typer.Option(False, "--no-open", help="Only write the database."),
    fresh: bool = typer.Option(
        False, "--fresh", help="Write new data even if today's demo file is already there."
    ),
) -> None:
    """Generate a demo book of business (to --db or the demo file) and open the app on it."""
    from crm_tui.config import demo_db_path
    from crm_tui.services.demo import prepare

    st = state(ctx)
    path = Path(st.db_option or demo_db_path())
    try:
        for line in prepare(path, customers=customers, seed=seed, clock=st.clock, fresh=fresh):
            typer.echo(f"{path}: {line}", err=not no_open)
    except OSError as exc:
        fail(f"cannot write {path}: {exc}")
    if no_open:
        return
    st.open_app(path)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
