"""The `crm` command: scriptable, consistent, and clear about bad input."""

from __future__ import annotations

import json
import sqlite3

import pytest
from rich.cells import cell_len


def _count(db_path, table: str) -> int:
    if not db_path.exists():
        return 0
    return sqlite3.connect(db_path).execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_added_chinese_customer_is_found_by_substring(crm) -> None:
    added = crm("add", "customer", "北京科技有限公司", "--city", "北京")
    assert added.exit_code == 0
    listed = crm("list", "customers", "科技", "--format", "json")
    rows = json.loads(listed.stdout)
    assert [r["name"] for r in rows] == ["北京科技有限公司"]
    assert rows[0]["id"] == added.stdout.strip() and rows[0]["city"] == "北京"


def test_every_add_command_prints_the_new_id(crm) -> None:
    cust = crm(
        "add",
        "customer",
        "Acme Ltd",
        "--tag",
        "vip",
        "--tag",
        "export",
        "--grade",
        "a",
        "--email",
        "x@acme.example",
    ).stdout.strip()
    contact = crm(
        "add", "contact", "Jane Smith", "--customer", "Acme", "--mobile", "+44 7700 900123"
    )
    followup = crm(
        "add",
        "followup",
        "Call about pumps",
        "--customer",
        cust[:8],
        "--due",
        "fri 10:00",
        "--kind",
        "call",
    )
    deal = crm(
        "add",
        "opportunity",
        "Pumps x40",
        "--customer",
        "Acme Ltd",
        "--amount",
        "120000",
        "--close",
        "eom",
    )
    claim = crm(
        "add",
        "expense",
        "88.50",
        "--category",
        "meals",
        "--customer",
        "Acme Ltd",
        "--date",
        "yesterday",
    )
    for result in (contact, followup, deal, claim):
        assert result.exit_code == 0, result.stderr
        assert len(result.stdout.strip()) == 36
    shown = json.loads(crm("show", deal.stdout.strip(), "--format", "json").stdout)[0]
    assert shown["amount"] == 12_000_000 and shown["probability"] == 10
    assert shown["expected_close"] == "2026-11-30" and shown["entity"] == "opportunity"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["add", "customer", "X", "--email", "nope"], "email"),
        (["add", "customer", "X", "--grade", "Z"], "grade"),
        (["add", "customer", "X", "--birthday", "1990-02-30"], "birthday"),
        (["add", "customer", "X", "--phone", "call me"], "phone"),
        (["add", "customer", ""], "name"),
        (["add", "contact", "Jane", "--customer", "Nobody"], "customer"),
        (["add", "contact", "Jane", "--customer", "Acme", "--email", "x@"], "email"),
        (["add", "followup", "Call", "--customer", "Acme", "--due", "someday"], "due_at"),
        (["add", "followup", "Call", "--customer", "Acme", "--kind", "fax"], "kind"),
        (["add", "opportunity", "Deal", "--customer", "Acme", "--amount", "-5"], "amount"),
        (["add", "opportunity", "Deal", "--customer", "Acme", "--stage", "lost"], "closed_on"),
        (
            ["add", "opportunity", "Deal", "--customer", "Acme", "--probability", "150"],
            "probability",
        ),
        (["add", "expense", "--", "-20"], "amount"),
        (["add", "expense", "abc"], "amount"),
        (["add", "expense", "20", "--date", "31/31/2026"], "spent_on"),
        (["add", "expense", "20", "--category", "yacht"], "category"),
        (["add", "expense", "20", "--receipt", "/no/such/file.jpg"], "receipt"),
    ],
)
def test_bad_input_exits_non_zero_naming_the_field_and_writes_nothing(
    crm, db_path, args, field
) -> None:
    crm("add", "customer", "Acme")
    before = _count(db_path, "outbox")
    result = crm(*args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and field in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert _count(db_path, "outbox") == before


def test_edit_done_with_next_and_delete_with_undo(crm) -> None:
    cust = crm("add", "customer", "Acme").stdout.strip()
    assert crm("edit", cust, "--city", "上海", "--grade", "B").exit_code == 0
    shown = json.loads(crm("show", cust, "--format", "json").stdout)[0]
    assert (shown["city"], shown["grade"]) == ("上海", "B")
    bad = crm("edit", cust, "--cty", "x")
    assert bad.exit_code == 1 and "no field 'cty'" in bad.stderr

    act = crm("add", "followup", "Call", "--customer", cust, "--due", "today").stdout.strip()
    done = crm("done", act[:13], "--outcome", "wants a quote", "--next", "fri send quote")
    assert done.exit_code == 0, done.stderr
    done_label, closed_id, next_label, next_id = done.stdout.split()
    assert (done_label, closed_id, next_label) == ("done", act, "next")
    follow = json.loads(crm("show", next_id, "--format", "json").stdout)[0]
    assert follow["subject"] == "send quote" and follow["due_at"].startswith("2026-11-26T16")
    assert crm("done", act).exit_code == 1  # already done

    assert crm("delete", cust).exit_code == 0
    assert json.loads(crm("list", "customers", "--format", "json").stdout) == []
    assert crm("delete", cust, "--undo").exit_code == 0
    assert len(json.loads(crm("list", "customers", "--format", "json").stdout)) == 1


def test_unknown_ids_entities_and_formats_are_one_line_errors(crm) -> None:
    for args in (
        ["show", "ffffffff"],
        ["list", "widgets"],
        ["list", "customers", "-f", "xml"],
        ["done", "nope"],
        ["delete", "nope"],
    ):
        result = crm(*args)
        assert result.exit_code != 0 and result.stderr.startswith("error: "), args


def test_table_output_aligns_chinese_and_english(crm) -> None:
    crm("add", "customer", "北京科技有限公司", "--city", "北京", "--grade", "A")
    crm("add", "customer", "Acme Steel Pipe Ltd", "--city", "London", "--grade", "B")
    out = crm("list", "customers", "--format", "table").stdout.splitlines()
    header, *rows = [line for line in out if line.strip()]
    grade_col = cell_len(header[: header.index("grade")])
    for row in rows:
        # the grade letter starts at the same screen column on every row
        prefix_cells = 0
        for i, ch in enumerate(row):
            if prefix_cells == grade_col:
                assert row[i] in "AB", row
                break
            prefix_cells += cell_len(ch)
    assert any(row.startswith(row[:8]) and "北京科技有限公司" in row for row in rows)
    csv_out = crm("list", "customers", "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("id,name")


def test_db_option_beats_env_which_beats_the_default(crm, tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from crm_tui.cli import app
    from crm_tui.config import default_db_path

    env_db = tmp_path / "env.db"
    monkeypatch.setenv("CRM_DB", str(env_db))
    runner = CliRunner()
    assert runner.invoke(app, ["add", "customer", "EnvCo"]).exit_code == 0
    assert _count(env_db, "customer") == 1
    opt_db = tmp_path / "opt.db"
    assert runner.invoke(app, ["--db", str(opt_db), "add", "customer", "OptCo"]).exit_code == 0
    assert _count(opt_db, "customer") == 1 and _count(env_db, "customer") == 1
    monkeypatch.delenv("CRM_DB")
    assert runner.invoke(app, ["add", "customer", "DefaultCo"]).exit_code == 0
    assert _count(default_db_path(), "customer") == 1
    assert str(default_db_path()).startswith(str(tmp_path.parent.parent))


def test_conflicts_lists_losing_values_and_parked_rows(crm, db_path) -> None:
    assert crm("conflicts").stdout.strip() == "No conflicts and no parked rows."
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO conflict(entity, row_id, field, kind, losing_value, winning_value, who, "
        "reason, at) VALUES ('customer', 'c1', 'city', 'conflict', '\"北京\"', '\"上海\"', "
        "'王芳', NULL, '2026-11-22 10:00:00')"
    )
    conn.execute(
        "INSERT INTO pull_parked(row_id, entity, seq, change, waits_for, reason) "
        "VALUES ('a1', 'activity', 7, '{}', NULL, 'due_at: year 9999 is after 2200')"
    )
    conn.commit()
    rows = json.loads(crm("conflicts", "--format", "json").stdout)
    assert [(r["kind"], r["entity"]) for r in rows] == [
        ("conflict", "customer"),
        ("parked", "activity"),
    ]
    assert rows[0]["kept"] == "上海" and rows[0]["lost"] == "北京"
    assert "9999" in rows[1]["reason"]
    table = crm("conflicts").stdout
    assert "北京" in table and "parked" in table


def test_server_conflicts_lists_edits_the_server_kept(tmp_path) -> None:
    from typer.testing import CliRunner

    from crm_tui.cli import app

    url = f"sqlite:///{tmp_path / 'server.db'}"
    runner = CliRunner()
    empty = runner.invoke(app, ["server", "--database-url", url, "conflicts"])
    assert empty.exit_code == 0 and "No lost edits" in empty.stdout
    conn = sqlite3.connect(tmp_path / "server.db")
    conn.execute(
        "INSERT INTO server_conflict(entity, row_id, field, lost_value, user_id, reason, "
        "created_at) VALUES ('customer', 'c1', 'notes', '\"call back\"', NULL, "
        "'the row was deleted', '2026-11-22 10:00:00')"
    )
    conn.commit()
    listed = runner.invoke(app, ["server", "--database-url", url, "conflicts", "--format", "json"])
    [row] = json.loads(listed.stdout)
    assert (row["row_id"], row["lost_value"], row["reason"]) == (
        "c1",
        "call back",
        "the row was deleted",
    )


def test_undoing_a_customer_delete_brings_back_the_contacts_it_took(crm) -> None:
    cust = crm("add", "customer", "华信科技").stdout.strip()
    kept = crm("add", "contact", "张伟", "--customer", cust).stdout.strip()
    alone = crm("add", "contact", "李娜", "--customer", cust).stdout.strip()
    assert crm("delete", alone).exit_code == 0  # deleted on its own, before the company

    def live_contacts() -> list[str]:
        out = crm("list", "contacts", "--format", "json").stdout
        return sorted(r["name"] for r in json.loads(out))

    assert crm("delete", cust).exit_code == 0
    assert live_contacts() == []
    assert crm("delete", cust, "--undo").exit_code == 0
    assert live_contacts() == ["张伟"]  # 李娜 stays deleted: she was not taken with it

    assert crm("delete", cust).exit_code == 0
    undone = crm("undo")
    assert undone.exit_code == 0 and "deleted" in undone.stdout
    assert live_contacts() == ["张伟"]
    assert crm("show", kept, "--format", "json").exit_code == 0


def test_a_competitor_made_from_the_shell_can_be_named_on_a_lost_deal(crm) -> None:
    """Review s15 W1: `--competitor` needed a competitor that only the app could make."""
    customer = crm("add", "customer", "上海重工").stdout.strip()
    deal = crm("add", "opportunity", "阀门 50 套", "--customer", customer).stdout.strip()
    refused = crm("lost", deal, "--reason", "price", "--competitor", "宝钢")
    assert refused.exit_code == 1 and "no competitor matches '宝钢'" in refused.stderr
    made = crm("add", "competitor", "宝钢", "--strengths", "价格低")
    assert made.exit_code == 0
    assert crm("lost", deal, "--reason", "price", "--competitor", "宝钢").exit_code == 0
    shown = json.loads(crm("show", deal, "--format", "json").stdout)[0]
    assert shown["competitor_id"] == made.stdout.strip()
    assert shown["stage"] == "lost"
    blank = crm("add", "competitor", "  ")
    assert blank.exit_code == 1 and "name" in blank.stderr
    # A second 宝钢 would make `--competitor 宝钢` ambiguous: refused, with the one there is.
    again = crm("add", "competitor", " 宝钢 ")
    assert again.exit_code == 1
    assert f"'宝钢' is already a competitor ({made.stdout.strip()[:8]})" in again.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["list", "customers", "--limit", "0"], "--limit"),
        (["add", "customer"], "Missing argument 'name'"),
        (["lisst"], "No such command 'lisst'"),
    ],
)
def test_a_usage_mistake_is_one_error_line(crm, args: list[str], says: str) -> None:
    """Review s15 W4: Click's usage errors printed 'Usage: ...', a blank line and 'Error: ...';
    the app's own rule is one `error:` line that names the command and its --help."""
    result = crm(*args)
    assert result.exit_code == 2  # a usage error, as an unknown option is
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: crm") and says in lines[0], lines
    assert "--help" in lines[0]


def test_login_from_a_script_without_a_code_says_what_is_missing(crm) -> None:
    """Review s15 W13: with nothing to answer the prompt it printed 'Aborted!'."""
    result = crm("login", "http://127.0.0.1:9", "--user", "王芳")
    assert result.exit_code == 1
    assert "error: login needs the enrolment code: --code CODE" in result.stderr
    assert "Aborted" not in result.stderr + result.stdout


def test_a_claim_dated_after_today_is_refused_where_it_is_typed(crm, db_path) -> None:
    """Review s15 W5: `--date tomorrow` was taken; a claim is for money already spent."""
    before = _count(db_path, "expense")
    ahead = crm("add", "expense", "388.50", "--category", "meals", "--date", "tomorrow")
    assert ahead.exit_code == 1
    assert "error: spent_on: 2026-11-24 is after today" in ahead.stderr  # --now is 11-23
    assert _count(db_path, "expense") == before
    ok = crm("add", "expense", "388.50", "--category", "meals", "--date", "today")
    assert ok.exit_code == 0, ok.stderr
