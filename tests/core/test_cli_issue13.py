"""Issue 13's CLI items, each as a new user met it: ids that resolve, lists that do not stop
at 50, a command for every screen action, a customer briefing, options where people type
them, duplicates that warn, agenda days and years, the screens' words."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest


def _ids(table: str) -> list[str]:
    """The first column of a table's data lines."""
    return [line.split()[0] for line in table.splitlines()[1:] if line.strip()]


def _state(db_path, **values: str) -> None:
    con = sqlite3.connect(db_path)
    with con:
        for key, value in values.items():
            con.execute(
                "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", (key, value)
            )
    con.close()


# --- item 1: short ids unique in the book -------------------------------------------------
def test_every_printed_id_resolves_even_when_made_in_the_same_minute(crm) -> None:
    cust = crm("add", "customer", "Acme Ltd").stdout.strip()
    for n in range(12):
        assert (
            crm("add", "followup", f"call {n}", "--customer", cust, "--due", "-1d").exit_code == 0
        )
    table = crm("list", "followups").stdout
    shown = _ids(table)
    assert len(shown) == 12 and len(set(shown)) == 12
    assert all(len(i) >= 6 for i in shown)
    for short in shown:  # the old 8 characters were shared by all of them
        result = crm("show", short)
        assert result.exit_code == 0, result.stderr
    reminded = [line.split()[1] for line in crm("remind").stdout.splitlines()]
    assert len(reminded) == 12
    for short in reminded:
        assert crm("show", short).exit_code == 0


def test_short_ids_are_git_like_and_fast_in_one_statement(db_path, crm) -> None:
    from crm_tui.domain.dates import Clock
    from crm_tui.services.book import Book
    from crm_tui.services.short_ids import short_ids

    crm("add", "customer", "Solo")
    book = Book.open(db_path, Clock())
    try:
        ids = [
            "019c3927-0000-7000-8000-000000000001",
            "019c3927-0000-7000-8000-000000000002",
            "019c4000-0000-7000-8000-000000000003",
        ]
        for n, row_id in enumerate(ids):
            from crm_tui.services import records

            records.create(book, "competitor", {"name": f"c{n}"}, row_id=row_id)
        shorts = short_ids(book, ids)
        assert shorts[ids[0]] == ids[0] and shorts[ids[1]] == ids[1]  # differ in the last char
        assert shorts[ids[2]] == "019c40"  # at least 6, no longer than needed
    finally:
        book.close()


# --- item 2: every match unless --limit; a terminal table says what it left out -------------
@pytest.fixture
def sixty(db_path, crm):
    from crm_tui.domain.dates import Clock
    from crm_tui.services import records
    from crm_tui.services.book import Book

    crm("add", "customer", "seed")
    book = Book.open(db_path, Clock())
    try:
        for n in range(60):
            records.create(book, "customer", {"name": f"北京{n:02d}", "city": "北京", "grade": "A"})
    finally:
        book.close()
    return crm


def test_json_csv_and_pipes_give_every_match(sixty) -> None:
    crm = sixty
    rows = json.loads(crm("list", "customers", "city:北京 grade:A,B", "--format", "json").stdout)
    assert len(rows) == 60
    csv_lines = crm("query", "customers", "city:北京", "--format", "csv").stdout.splitlines()
    assert len(csv_lines) == 61
    assert len(_ids(crm("list", "customers", "city:北京").stdout)) == 60  # a pipe: all
    assert len(json.loads(crm("list", "customers", "北京", "-f", "json", "-n", "5").stdout)) == 5


def test_a_table_on_a_terminal_caps_and_says_so(sixty, monkeypatch) -> None:
    from crm_tui.cli import output

    monkeypatch.setattr(output, "stdout_is_terminal", lambda: True)
    result = sixty("list", "customers", "city:北京")
    assert len(_ids(result.stdout)) == 50
    assert "50 of 60 shown (--limit N" in result.stderr


# --- item 3: a command for every screen action ------------------------------------------------
def test_claim_and_deal_actions_are_commands(db_path, crm) -> None:
    cust = crm("add", "customer", "Acme Ltd").stdout.strip()
    claim = crm("add", "expense", "88", "--category", "meals", "--customer", cust).stdout.strip()
    refused = crm("edit", claim, "--status", "submitted")
    assert refused.exit_code == 1 and f"crm submit {claim}" in refused.stderr
    assert crm("submit", claim[:13]).stdout.strip() == claim
    assert json.loads(crm("show", claim, "-f", "json").stdout)[0]["status"] == "submitted"
    assert crm("withdraw", claim).exit_code == 0
    assert json.loads(crm("show", claim, "-f", "json").stdout)[0]["status"] == "draft"
    assert crm("reject", claim, "--note", "x").exit_code == 1  # a rep cannot decide
    crm("submit", claim)
    _state(db_path, role="manager", user_id="u-manager")
    assert crm("approve", claim, "--note", "ok").exit_code == 0, crm("show", claim).stdout
    assert json.loads(crm("show", claim, "-f", "json").stdout)[0]["status"] == "approved"

    deal = crm("add", "opportunity", "Pumps", "--customer", cust, "--amount", "5万").stdout.strip()
    other = crm("add", "opportunity", "Valves", "--customer", cust).stdout.strip()
    assert crm("won", deal, "--on", "2026-11-20").exit_code == 0
    won = json.loads(crm("show", deal, "-f", "json").stdout)[0]
    assert (won["stage"], won["closed_on"]) == ("won", "2026-11-20")
    assert crm("lost", other, "--reason", "price").exit_code == 0
    lost = json.loads(crm("show", other, "-f", "json").stdout)[0]
    assert (lost["stage"], lost["lost_reason"]) == ("lost", "price")
    assert "undid" in crm("undo").stdout


def test_views_list_and_run(crm) -> None:
    cust = crm("add", "customer", "Acme Ltd").stdout.strip()
    late = crm("add", "followup", "late", "--customer", cust, "--due", "-2d").stdout.strip()
    crm("add", "followup", "later", "--customer", cust, "--due", "+2d")
    listed = crm("views").stdout
    assert "Overdue" in listed and "due:overdue" in listed
    ran = json.loads(crm("views", "run", "overdue", "-f", "json").stdout)
    assert [r["id"] for r in ran] == [late]
    assert crm("views", "run", "nope").exit_code == 1


def test_conflicts_restore_and_dismiss_are_commands(crm) -> None:
    assert crm("conflicts").exit_code == 0
    bad = crm("conflicts", "restore", "42")
    assert bad.exit_code == 1 and "no open conflict 42" in bad.stderr
    assert crm("conflicts", "dismiss", "x").exit_code == 1


# --- item 4: a customer briefing ---------------------------------------------------------------
def test_show_customer_is_a_briefing(crm) -> None:
    cust = crm("add", "customer", "Acme Ltd", "--city", "London").stdout.strip()
    crm("add", "contact", "Jane", "--customer", cust, "--mobile", "13800138000")
    done = crm("add", "followup", "first call", "--customer", cust, "--due", "-3d").stdout.strip()
    crm("done", done, "--outcome", "wants a quote")
    crm("add", "followup", "send quote", "--customer", cust, "--due", "+1d")
    crm("add", "opportunity", "Pumps", "--customer", cust, "--amount", "5万")
    crm("add", "expense", "88", "--category", "meals", "--customer", cust)
    shown = crm("show", cust).stdout
    for part in ("Contacts (1)", "Jane", "Open follow-ups (1)", "send quote", "Last done (1)",
                 "wants a quote", "Open deals (1)", "Pumps", "Claims (1)"):  # fmt: skip
        assert part in shown, part
    assert "deleted" not in shown and not re.search(r"\d\d:\d\d:\d\d\.\d", shown)
    nested = json.loads(crm("show", cust, "-f", "json").stdout)[0]
    assert [c["name"] for c in nested["contacts"]] == ["Jane"]
    assert nested["done_followups"][0]["outcome"] == "wants a quote"
    assert len(nested["open_deals"]) == 1 and len(nested["claims"]) == 1
    plain = crm("show", done).stdout  # any record: no flags or microseconds either
    assert "deleted" not in plain and not re.search(r"\d\d:\d\d:\d\d\.\d", plain)


# --- item 5: options where people type them -------------------------------------------------
def test_options_after_the_subcommand(tmp_path, crm) -> None:
    from typer.testing import CliRunner

    from crm_tui.cli import app

    url = f"sqlite:///{tmp_path / 'server.db'}"
    runner = CliRunner()
    init = runner.invoke(app, ["server", "init", "--database-url", url])
    assert init.exit_code == 0, init.output
    added = runner.invoke(app, ["server", "add-user", "ann", "--database-url", url])
    assert added.exit_code == 0 and "enrolment code" in added.output
    listed = runner.invoke(app, ["list", "customers", "--db", str(tmp_path / "x.db")])
    assert listed.exit_code == 0


def test_unknown_fields_suggest_and_help_lists_fields(crm) -> None:
    cust = crm("add", "customer", "Acme Ltd").stdout.strip()
    bad = crm("edit", cust, "--cty", "上海")
    assert bad.exit_code == 1 and "did you mean --city?" in bad.stderr
    helped = crm("edit", "--help").stdout
    assert "--city" in helped and "--due-at" in helped and "--expected-close" in helped
    typo = crm("add", "customer", "X", "--cty", "上海")
    assert typo.exit_code == 2
    assert typo.stderr.startswith("error: ") and "did you mean --city?" in typo.stderr
    negative = crm("add", "expense", "-20")
    assert negative.exit_code == 1
    assert negative.stderr.startswith("error: amount:") and "No such option" not in negative.stderr


# --- item 6: done says which is which; CSV without float noise ------------------------------
def test_csv_has_no_float_noise(db_path, crm) -> None:
    cust = crm("add", "customer", "Acme Ltd").stdout.strip()
    con = sqlite3.connect(db_path)
    with con:
        con.execute("UPDATE customer SET urgency = 7.599999999999999 WHERE id = ?", (cust,))
    con.close()
    out = crm("list", "customers", "--format", "csv").stdout
    assert "7.6" in out and "7.599999999999999" not in out
    assert "7.599999999999999" not in crm("list", "customers", "--format", "json").stdout


# --- item 7: a customer like an existing one ----------------------------------------------------
def test_adding_a_look_alike_customer_warns(crm) -> None:
    first = crm("add", "customer", "北京科技有限公司", "--phone", "138 0013 8000")
    second = crm("add", "customer", "北京科技 有限公司")
    assert second.exit_code == 0 and len(second.stdout.strip()) == 36
    assert "looks like an existing customer" in second.stderr
    assert "北京科技有限公司" in second.stderr and "same name" in second.stderr
    by_phone = crm("add", "customer", "Other Co", "--phone", "+86 13800138000")
    assert "same phone" in by_phone.stderr
    forced = crm("add", "customer", "北京科技", "--force")
    assert forced.exit_code == 0 and forced.stderr == ""
    listed = crm("duplicates").stdout
    assert "北京科技" in listed
    # Nothing flagged by a server, said without contradicting the look-alikes above it.
    assert "Look alike in this book (2 groups;" in listed
    assert "Claimed twice (flagged by the server): none" in listed
    short = crm("show", first.stdout.strip()).stdout
    assert "北京科技有限公司" in short


# --- item 9: agenda days and far dates ---------------------------------------------------------
def test_agenda_includes_day_n_and_far_dates_have_a_year(crm) -> None:
    cust = crm("add", "customer", "Acme Ltd").stdout.strip()
    crm("add", "followup", "on day seven", "--customer", cust, "--due", "+7d 10:00")
    crm("add", "followup", "ancient", "--customer", cust, "--due", "2025-12-11 10:00")
    crm("add", "followup", "recent", "--customer", cust, "--due", "2026-11-11 10:00")
    agenda = crm("agenda", "--days", "7").stdout
    assert "on day seven" in agenda and "2026-11-30" in agenda
    assert "overdue since 2025-12-11" in agenda
    assert "overdue since 11-11" in agenda


# --- item 11: the screens' words -------------------------------------------------------------
def test_messages_use_the_screens_words(crm) -> None:
    missing = crm("done", "nope")
    assert "no follow-up matches 'nope'" in missing.stderr and "activity" not in missing.stderr
    cust = crm("add", "customer", "Acme Ltd").stdout.strip()
    crm("add", "followup", "call", "--customer", cust)
    assert "undid added follow-up" in crm("undo").stdout


def test_import_messages_print_ids_that_resolve(crm, tmp_path) -> None:
    # Issue 13 item 1: "duplicate of existing customer 019c3927" did not resolve.
    for n in range(3):  # same minute: their first 8 characters are shared
        crm("add", "customer", f"华信科技{n}")
    existing = crm("add", "customer", "远航贸易", "--phone", "13900000000").stdout.strip()
    path = tmp_path / "c.csv"
    path.write_text("客户名称,手机,城市\n远航贸易,13900000000,上海\n", encoding="utf-8")
    result = crm("import", "csv", str(path))
    found = re.search(r"existing customer (\S+)", result.stdout)
    assert found, result.stdout
    short = found.group(1)
    assert existing.startswith(short) and len(short) >= 6
    shown = crm("show", short)
    assert shown.exit_code == 0 and "远航贸易" in shown.stdout
