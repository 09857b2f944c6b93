"""Provides `open_app`: what `crm` with no subcommand runs (the Textual app)."""

from __future__ import annotations

from crm_tui.cli.context import CliState, fail


def open_app(state: CliState) -> None:
    """Open the app on the chosen database; the desk paints before the ORM has loaded."""
    from crm_tui.storage.migrate import migrate_file

    try:
        state.db_path.parent.mkdir(parents=True, exist_ok=True)
        migrate_file(state.db_path)  # plain sqlite3: the desk reads the file straight away
    except Exception as exc:  # a locked, corrupt or unreadable file
        fail(f"cannot open database {state.db_path}: {exc}")
    from crm_tui.app import make_app

    app = make_app(path=state.db_path, clock=state.clock)
    app.run()
