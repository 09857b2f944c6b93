"""The admin and login commands as a team lead and a rep type them."""

from __future__ import annotations

import uuid

from tests.sync.conftest import crm


def test_login_prompts_for_the_code_and_a_wrong_code_fails_clearly(server, tmp_path) -> None:
    name = f"rep-{uuid.uuid4().hex[:8]}"
    code = server.add_user(name, "rep")
    path = str(tmp_path / "lap.db")
    wrong = crm("--db", path, "login", server.url, "--user", name, "--code", "AAAA-BBBB")
    assert wrong.exit_code == 1 and "codes work once" in wrong.stderr
    ok = crm_input(code + "\n", "--db", path, "login", server.url, "--user", name)
    assert ok.exit_code == 0, ok.output
    assert f"signed in as {name} (rep)" in ok.stdout
    again = crm(
        "--db", str(tmp_path / "other.db"), "login", server.url, "--user", name, "--code", code
    )
    assert again.exit_code == 1  # one-time: the same code cannot enrol a second laptop


def test_users_lists_members_with_devices_and_revocation(server, laptop) -> None:
    lap = laptop("manager")
    listing = crm("server", "--database-url", server.database_url, "users", "--format", "json")
    assert listing.exit_code == 0
    import json

    [me] = [u for u in json.loads(listing.stdout) if u["name"] == lap.name]
    assert (me["role"], me["devices"], me["revoked"]) == ("manager", 1, False)
    bad = crm("server", "--database-url", server.database_url, "add-user", "x", "--role", "boss")
    assert bad.exit_code == 1 and "rep, manager, admin" in bad.stderr
    unknown = server.revoke("nobody-at-all")
    assert unknown.exit_code == 1 and "no team member" in unknown.stderr


def test_sync_without_login_says_how_to_sign_in(tmp_path) -> None:
    result = crm("--db", str(tmp_path / "fresh.db"), "sync")
    assert result.exit_code == 1 and "crm login" in result.stderr


def crm_input(text: str, *args: str):
    from typer.testing import CliRunner

    from crm_tui.cli import app

    return CliRunner().invoke(app, list(args), input=text, catch_exceptions=False)
