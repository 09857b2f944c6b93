"""Provides what every `crm report NAME` does around its own figures: read `--period`,
build (a refused `--team` is one `error:` line), render as md/csv/html, and print it or
write it to `--output`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from crm_tui.cli.context import fail, state


def period_of(ctx: typer.Context, period: str) -> Any:
    """The `--period` a rep typed (this month, 2026-Q4, 2026-11…), or exit with why not."""
    from crm_tui.services import reports

    try:
        return reports.parse_period(period, state(ctx).clock.today())
    except reports.PeriodError as exc:
        fail(f"--period: {exc}")


def emit_text(text: str, output: Path | None) -> None:
    """A rendered report on stdout, or written to `output` (said on stderr)."""
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {output}", err=True)


def emit_report(
    ctx: typer.Context,
    period: str,
    fmt: str,
    output: Path | None,
    team: bool,
    build: Callable[..., Any],
    render: Callable[[Any, str], str],
) -> None:
    """`build(book, period, team=team)` then `render(built, fmt)`; a PermissionError from
    build (a rep asking for the team) is refused on `--team`."""
    chosen = period_of(ctx, period)
    try:
        built = build(state(ctx).book, chosen, team=team)
    except PermissionError as exc:
        fail(f"--team: {exc}")
    emit_text(render(built, fmt), output)
