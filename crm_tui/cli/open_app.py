"""Provides `open_app`: what `crm` with no subcommand runs (the Textual app)."""

from __future__ import annotations

from crm_tui.cli.context import CliState


def open_app(state: CliState) -> None:
    from crm_tui.launch import run_app

    run_app(state.db_path, state.clock)
