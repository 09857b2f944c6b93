"""`crm server add-user / users / revoke` close the server database when the command ends:
run in-process (tests, anything embedding the CLI) each call used to leave its SQLite
checkpoint thread waking every second for the rest of the process."""

from __future__ import annotations

import threading

from typer.testing import CliRunner

from crm_tui.cli import app


def _checkpointers() -> int:
    return sum(t.name == "sqlite-checkpoint" and t.is_alive() for t in threading.enumerate())


def test_admin_commands_leave_no_thread_behind(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    before = _checkpointers()
    runner = CliRunner()
    for args in (
        ["add-user", "lin", "--role", "rep"],
        ["add-user", "wang", "--role", "manager"],
        ["users", "--format", "json"],
        ["revoke", "lin"],
    ):
        result = runner.invoke(app, ["server", "--database-url", url, *args])
        assert result.exit_code == 0, result.output
    assert "wang" in runner.invoke(app, ["server", "--database-url", url, "users"]).output
    assert _checkpointers() == before
