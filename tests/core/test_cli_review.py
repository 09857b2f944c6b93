"""The fresh-eyes review's CLI items (section F): each as the user met it."""

from __future__ import annotations

import pytest


# --- item 1: a malformed login answers with one error line, not a traceback ---------------
@pytest.mark.parametrize(("user", "code"), [("ann", "AB"), ("", "AAAA-BBBB"), ("ann", "X" * 70)])
def test_login_with_malformed_input_fails_in_one_line(crm, user: str, code: str) -> None:
    result = crm("login", "http://127.0.0.1:9", "--user", user, "--code", code)
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip().startswith("error: login failed:")
    assert len(result.stderr.strip().splitlines()) == 1
