"""The office commands as a rep types them: `crm report write` in $EDITOR (an empty report
aborts, like git commit), submit, read, comment, team view and rule; `crm log`; `crm mail`
with a fake xdg-open; `crm contacts`; bad input is one error line and nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.office.conftest import script as _script


def _count(db_path: Path, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]
    finally:
        conn.close()


def test_write_opens_the_editor_on_the_figures_and_saves_the_draft(crm, editor, db_path) -> None:
    crm("add", "customer", "北京钢管")
    fid = crm(
        "add", "followup", "拜访", "--customer", "北京钢管", "--kind", "visit", "--due", "today"
    )
    assert fid.exit_code == 0, fid.stderr
    crm("done", fid.stdout.strip())
    shown = editor("[done]\n拜访北京钢管，谈了报价\n[plan]\n明天发报价单\n")
    made = crm("report", "write", "--kind", "daily")
    assert made.exit_code == 0, made.stderr
    assert "daily report 2026-11-23 draft" in made.stdout
    template = shown.read_text(encoding="utf-8")
    assert "Daily report 2026-11-23" in template and "#   Visits: 1" in template
    rid = made.stdout.split()[-1]
    shown_again = crm("show", rid)
    assert shown_again.exit_code == 0 and "拜访北京钢管" in shown_again.stdout
    listed = crm("list", "reports")
    assert listed.exit_code == 0 and "2026-11-23" in listed.stdout

    done = crm("report", "submit", rid)
    assert done.exit_code == 0 and "submitted" in done.stdout
    shown = crm("show", rid)  # names and money, not recipient ids and the figures' JSON
    assert "Figures (frozen at submit)" in shown.stdout and "Visits: 1" in shown.stdout
    assert '"visits"' not in shown.stdout
    from crm_tui import launch  # the quick `crm show` leaves a report to this command

    assert (
        launch.quick_show(launch.quick_show_options(["--db", str(db_path), "show", rid])) is False
    )
    header, row = crm("list", "reports").stdout.splitlines()[:2]  # its status shows
    assert header.split()[:4] == ["id", "period", "kind", "status"] and "submitted" in row
    read = crm("report", "read", rid)
    assert "Figures (frozen at submit)" in read.stdout and "Visits: 1" in read.stdout
    assert "明天发报价单" in read.stdout
    again = crm("report", "write", "--kind", "daily")
    assert again.exit_code == 1 and "already submitted" in again.stderr


def test_an_empty_report_aborts_and_writes_nothing(crm, editor, db_path) -> None:
    editor("# only a comment\n")
    got = crm("report", "write")
    assert got.exit_code == 1
    assert got.stderr.startswith("error: aborting: the report is empty")
    assert _count(db_path, "work_report") == 0


def test_a_failing_editor_writes_nothing(crm, tmp_path, monkeypatch, db_path) -> None:
    monkeypatch.setenv("EDITOR", str(_script(tmp_path / "bad.sh", "exit 3\n")))
    monkeypatch.delenv("VISUAL", raising=False)
    got = crm("report", "write", "--kind", "weekly")
    assert got.exit_code == 1 and "exited with 3" in got.stderr
    assert _count(db_path, "work_report") == 0


def test_report_verbs_refuse_bad_input(crm, editor) -> None:
    editor("[done]\nx\n")
    bad_kind = crm("report", "write", "--kind", "yearly")
    assert bad_kind.exit_code == 1 and "--kind" in bad_kind.stderr
    bad_period = crm("report", "write", "--period", "someday")
    assert bad_period.exit_code == 1 and "not a period" in bad_period.stderr
    assert crm("report", "read", "nope").exit_code == 1
    team = crm("report", "team")
    assert team.exit_code == 1 and "only a manager" in team.stderr
    rule = crm("report", "rule", "daily", "--days", "mon-fri", "--by", "18:00")
    assert rule.exit_code == 1 and "only a manager" in rule.stderr
    assert crm("report", "rule").stdout.strip() == "daily: mon-fri by 18:00"


def test_the_old_reports_still_work(crm) -> None:
    summary = crm("report", "summary")
    assert summary.exit_code == 0 and summary.stdout
    assert crm("report", "receivables").exit_code == 0
    stray = crm("report", "summary", "extra")
    assert stray.exit_code == 1 and "unexpected" in stray.stderr
    assert crm("report", "nonsense").exit_code == 1


def test_comment_threads_under_the_report(crm, editor) -> None:
    editor("[done]\n今天\n")
    rid = crm("report", "write", "--submit").stdout.split()[-1]
    first = crm("report", "comment", rid, "很好")
    assert first.exit_code == 0
    reply = crm("report", "comment", rid, "谢谢", "--reply", first.stdout.strip())
    assert reply.exit_code == 0, reply.stderr
    read = crm("report", "read", rid).stdout
    assert read.index("很好") < read.index("谢谢")
    empty = crm("report", "comment", rid, "  ")
    assert empty.exit_code == 1 and "write the comment" in empty.stderr


def test_log_a_call(crm, db_path) -> None:
    crm("add", "customer", "上海机电")
    got = crm("log", "上海机电", "--channel", "call", "--minutes", "12", "询价 DN50")
    assert got.exit_code == 0, got.stderr
    shown = crm("show", got.stdout.strip(), "--format", "json")
    row = json.loads(shown.stdout)[0]
    assert (row["channel"], row["minutes"], row["summary"]) == ("call", 12, "询价 DN50")
    bad = crm("log", "上海机电", "--channel", "pigeon")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: channel")
    missing = crm("log", "没有这家", "hi")
    assert missing.exit_code == 1 and "no customer" in missing.stderr
    assert _count(db_path, "contact_log") == 1


def test_mail_opens_mailto_and_logs_it(crm, tmp_path, monkeypatch, db_path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "opened.txt"
    _script(bin_dir / "xdg-open", f'printf "%s" "$1" > {seen}\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    cid = crm("add", "customer", "深圳电子").stdout.strip()
    crm("add", "contact", "张伟", "--customer", cid, "--email", "zhang@example.cn")
    got = crm("mail", "张伟", "--subject", "报价单")
    assert got.exit_code == 0, got.stderr
    assert seen.read_text().startswith("mailto:zhang@example.cn?subject=%E6%8A%A5")
    assert _count(db_path, "contact_log") == 1
    crm("add", "contact", "无邮箱", "--customer", cid)
    bad = crm("mail", "无邮箱")
    assert bad.exit_code == 1 and "no e-mail address" in bad.stderr
    assert _count(db_path, "contact_log") == 1


def test_contacts_statistics_and_quiet_customers(crm) -> None:
    crm("add", "customer", "A客户", "--grade", "A")
    crm("log", "A客户", "--channel", "visit", "--minutes", "30", "--at", "2026-11-01 10:00")
    got = crm("contacts", "--last", "60")
    assert got.exit_code == 0, got.stderr
    assert "visit" in got.stdout and "22 days" in got.stdout
    (line,) = [x for x in got.stdout.splitlines() if "A客户" in x]
    assert line.split()[:4] == ["A", "A客户", "22", "days"]
    as_json = json.loads(crm("contacts", "--last", "60", "--format", "json").stdout)
    assert as_json["by_channel"] == [{"channel": "visit", "contacts": 1, "minutes": 30}]
    (quiet,) = as_json["not_contacted"]["customers"]
    assert (quiet["name"], quiet["days"], len(quiet["id"])) == ("A客户", 22, 36)
    as_csv = crm("contacts", "--format", "csv").stdout.splitlines()
    assert as_csv[0] == "grade,name,days,id" and as_csv[1].startswith("A,A客户,22,")
    relaxed = crm("contacts", "--days", "A=30")
    assert "A客户" not in relaxed.stdout
    bad = crm("contacts", "--days", "Z=1")
    assert bad.exit_code == 1 and "--days" in bad.stderr


def test_report_contacts_equals_plain_sql(crm, db_path) -> None:
    import sqlite3

    crm("add", "customer", "统计一", "--grade", "B")
    for channel, minutes in (("call", "5"), ("call", "7"), ("visit", "60")):
        crm("log", "统计一", "--channel", channel, "--minutes", minutes)
    got = crm("report", "contacts", "--format", "csv")
    assert got.exit_code == 0, got.stderr
    conn = sqlite3.connect(db_path)
    calls = conn.execute(
        "SELECT count(*), sum(minutes) FROM contact_log WHERE channel = 'call'"
    ).fetchone()
    lines = got.stdout.splitlines()
    assert f"channels,call,contacts,{calls[0]}" in lines
    assert f"channels,call,minutes,{calls[1]}" in lines
    team = crm("report", "contacts", "--team")
    assert team.exit_code == 1 and "--team" in team.stderr


def test_help_of_a_report_verb_is_its_own(crm) -> None:
    verb = crm("report", "write", "--help")
    assert verb.exit_code == 0 and "Usage: crm report write" in verb.stdout
    assert "--kind" in verb.stdout
    outer = crm("report", "--help")
    assert outer.exit_code == 0 and "work report verb" in outer.stdout
    assert crm("report", "summary", "--help").exit_code == 0


def test_crm_done_logs_the_call_like_the_app(crm, db_path) -> None:
    cust = crm("add", "customer", "武汉华信").stdout.strip()
    call = crm("add", "followup", "回访", "--customer", cust, "--kind", "call", "--due", "-1d")
    done = crm("done", call.stdout.strip(), "--outcome", "要报价")
    assert done.exit_code == 0, done.stderr
    logged = json.loads(crm("list", "logs", "--format", "json").stdout)
    assert [(r["channel"], r["summary"]) for r in logged] == [("call", "回访: 要报价")]
    task = crm("add", "followup", "整理资料", "--customer", cust, "--kind", "task")
    crm("done", task.stdout.strip())
    assert _count(db_path, "contact_log") == 1  # a task is not a contact


def test_log_survey_and_why_take_part_of_a_name_like_every_customer_option(crm, db_path) -> None:
    """`crm log/survey/why` resolve the customer as `--customer` does: part of a name when
    one customer has it, the candidates listed when several do (review s12, issue 17)."""
    import contextlib
    import io

    from crm_tui import launch

    crm("add", "customer", "北京鼎盛环保集团有限公司")
    crm("add", "customer", "北京鼎盛环保科技有限公司")
    one = crm("log", "鼎盛环保集团", "--channel", "call", "询价")
    assert one.exit_code == 0, one.stderr
    row = json.loads(crm("show", one.stdout.strip(), "--format", "json").stdout)[0]
    assert row["summary"] == "询价"
    several = crm("log", "北京鼎盛环保", "x")
    assert several.exit_code == 1 and "matches several" in several.stderr
    assert "北京鼎盛环保科技有限公司" in several.stderr
    assert _count(db_path, "contact_log") == 1

    scored = crm("survey", "环保科技", "--score", "4")
    assert scored.exit_code == 0 and "4/5" in scored.stdout, scored.stderr
    assert crm("survey", "北京鼎盛环保", "--score", "4").exit_code == 1

    why = crm("why", "环保科技")
    assert why.exit_code == 0 and "北京鼎盛环保科技有限公司  urgency" in why.stdout
    ambiguous = crm("why", "北京鼎盛环保")
    assert ambiguous.exit_code == 1 and "matches several" in ambiguous.stderr
    assert "no record matches" in crm("why", "没有这家").stderr
    # The quick path (no Typer) leaves a part of a name to the full command.
    options = launch.quick_why_options(["--db", str(db_path), "why", "环保科技"])
    assert options is not None
    with contextlib.redirect_stdout(io.StringIO()):
        assert launch.quick_why(options) is False


def test_log_takes_chinese_channel_words(crm, db_path) -> None:
    crm("add", "customer", "上海机电")
    got = crm("log", "上海机电", "--channel", "微信", "发了报价")
    assert got.exit_code == 0, got.stderr
    row = json.loads(crm("show", got.stdout.strip(), "--format", "json").stdout)[0]
    assert row["channel"] == "wechat"
    bad = crm("log", "上海机电", "--channel", "传真", "x")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: channel")
    assert _count(db_path, "contact_log") == 1


def test_log_refuses_absurd_minutes_and_a_time_in_the_future(crm, db_path) -> None:
    """A day at most per entry, no entry after now — on the laptop (CLI, the app's forms
    through the same service) and in the registry's check the server runs (review s12)."""
    import pytest

    from crm_tui.domain.fields import ValidationErrors, check_record

    crm("add", "customer", "上海机电")
    huge = crm("log", "上海机电", "--minutes", "100000000", "x")
    assert huge.exit_code == 1 and huge.stderr.startswith("error: minutes: must be from 0")
    negative = crm("log", "上海机电", "--minutes", "-5", "x")
    assert negative.exit_code == 1 and negative.stderr.count("\n") == 1
    future = crm("log", "上海机电", "--at", "+3d", "x")
    assert future.exit_code == 1 and "in the future" in future.stderr
    assert _count(db_path, "contact_log") == 0
    ok = crm("log", "上海机电", "--at", "yesterday 15:00", "--minutes", "1440", "x")
    assert ok.exit_code == 0, ok.stderr
    with pytest.raises(ValidationErrors, match="minutes"):
        check_record("contact_log", {"customer_id": "c", "channel": "call", "minutes": 1441})
