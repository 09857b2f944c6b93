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


# --- item 2: ids are never cut, columns never dropped, piped or on a narrow terminal ------
_WIDE = [
    {
        "id": 4711,
        "at": "2026-11-23T10:00:00+08:00",
        "kind": "conflict",
        "entity": "customer",
        "row": "019c3927-0000-7000-8000-000000000001",
        "field": "description",
        "kept": "k" * 60,
        "lost": "l" * 60,
        "who": "someone with a long name",
        "reason": "r" * 60,
    }
]
_COLUMNS = list(_WIDE[0])


def test_a_piped_table_keeps_every_column_and_whole_ids(capsys) -> None:
    from crm_tui.cli.output import emit

    emit(_WIDE, _COLUMNS, "table")
    header, line = capsys.readouterr().out.splitlines()
    assert header.split() == _COLUMNS
    assert line.split()[0] == "4711"
    assert "019c3927-0000-7000-8000-000000000001" in line.split()


def test_a_narrow_terminal_table_keeps_whole_ids(capsys, monkeypatch) -> None:
    from crm_tui.cli import output

    monkeypatch.setattr(output, "stdout_is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "80")
    output.emit(_WIDE * 2, _COLUMNS, "table")
    text = capsys.readouterr().out
    assert "4711" in text
    assert "019c3927-0000-7000-8000-000000000001" in text


def test_crm_due_piped_keeps_the_id_column(crm) -> None:
    result = crm("due")
    assert result.exit_code == 0


# --- item 3: claims: submit a rejected claim, articles, a rep's approve -------------------
def _state(db_path, **values: str) -> None:
    import sqlite3

    con = sqlite3.connect(db_path)
    with con:
        for key, value in values.items():
            con.execute(
                "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", (key, value)
            )
    con.close()


def _status(crm, claim: str) -> str:
    import json

    return json.loads(crm("show", claim, "-f", "json").stdout)[0]["status"]


def test_submit_on_a_rejected_claim_reworks_and_submits_it(db_path, crm) -> None:
    claim = crm("add", "expense", "88", "--category", "meals").stdout.strip()
    assert crm("submit", claim).exit_code == 0
    _state(db_path, role="manager", user_id="u-manager")
    assert crm("reject", claim, "--note", "receipt missing").exit_code == 0
    _state(db_path, role="rep", user_id="")
    again = crm("submit", claim)
    assert again.exit_code == 0, again.stderr
    assert _status(crm, claim) == "submitted"


def test_claim_refusals_read_well(db_path, crm) -> None:
    claim = crm("add", "expense", "88", "--category", "meals").stdout.strip()
    _state(db_path, role="rep", user_id="u-rep")
    rep = crm("approve", claim)
    assert rep.exit_code == 1 and "managers" in rep.stderr
    assert "cannot become" not in rep.stderr
    crm("submit", claim)
    _state(db_path, role="manager", user_id="u-manager")
    assert crm("approve", claim).exit_code == 0
    _state(db_path, role="rep", user_id="u-rep")
    late = crm("submit", claim)
    assert late.exit_code == 1 and "an approved claim" in late.stderr


# --- item 4: a rep cannot delete a teammate's customer, refused on the laptop -------------
def _owned_by_teammate(db_path, crm) -> str:
    import sqlite3

    cust = crm("add", "customer", "Teammate Co").stdout.strip()
    con = sqlite3.connect(db_path)
    with con:
        con.execute("UPDATE customer SET owner_id = 'u-other' WHERE id = ?", (cust,))
    con.close()
    return cust


def test_a_reps_delete_of_a_teammates_customer_is_refused_locally(db_path, crm) -> None:
    cust = _owned_by_teammate(db_path, crm)
    _state(db_path, role="rep", user_id="u-rep")
    refused = crm("delete", cust)
    assert refused.exit_code == 1
    assert "only its owner or a manager can delete this customer" in refused.stderr
    assert crm("show", cust).exit_code == 0  # still there


def test_a_never_signed_in_book_deletes_anything(db_path, crm) -> None:
    cust = _owned_by_teammate(db_path, crm)
    assert crm("delete", cust).exit_code == 0


# --- item 5: required options, view prefixes, show by name, sync's first line ------------
def test_reject_and_lost_without_their_option_say_error(db_path, crm) -> None:
    claim = crm("add", "expense", "88", "--category", "meals").stdout.strip()
    crm("submit", claim)
    _state(db_path, role="manager", user_id="u-manager")
    rejected = crm("reject", claim)
    assert rejected.exit_code == 1 and rejected.stderr.startswith("error: ")
    assert "--note" in rejected.stderr
    cust = crm("add", "customer", "Acme").stdout.strip()
    deal = crm("add", "deal", "Big one", "--customer", cust).stdout.strip()
    lost = crm("lost", deal)
    assert lost.exit_code == 1 and lost.stderr.startswith("error: ")
    assert "--reason" in lost.stderr


def test_views_run_takes_a_unique_prefix(crm) -> None:
    import json

    full = crm("views", "run", "Overdue", "-f", "json")
    assert full.exit_code == 0, full.stderr
    ran = crm("views", "run", "OVERD", "-f", "json")
    assert ran.exit_code == 0, ran.stderr
    assert json.loads(ran.stdout) == json.loads(full.stdout)
    several = crm("views", "run", "d")  # Due today, Deals over 50k
    assert several.exit_code == 1 and "several" in several.stderr


def test_show_takes_a_name_fragment_like_customer_does(crm) -> None:
    one = crm("add", "customer", "天成科技").stdout.strip()
    shown = crm("show", "天成")
    assert shown.exit_code == 0, shown.stderr
    assert "天成科技" in shown.stdout and "Contacts" in shown.stdout
    two = crm("add", "customer", "天成贸易").stdout.strip()
    several = crm("show", "天成")
    assert several.exit_code == 1
    assert "天成科技" in several.stderr and "天成贸易" in several.stderr
    assert one[:6] in several.stderr and two[:6] in several.stderr


def test_the_sync_bar_prints_nothing_to_a_pipe(capsys) -> None:
    from crm_tui.cli.sync import _progress_bar

    with _progress_bar() as on_progress:
        on_progress("push", 1, 2)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
