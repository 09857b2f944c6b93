"""Provides the shared command groups (`crm import …`, `crm export …`) that several modules fill."""

from __future__ import annotations

import typer

import_app = typer.Typer(help="Bring records in from other tools.", no_args_is_help=True)
export_app = typer.Typer(help="Write records out for other tools.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
