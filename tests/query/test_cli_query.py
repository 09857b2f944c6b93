"""`crm query`, `crm why`, `crm remind`, `crm agenda` and `crm export ics` at a fixed "now"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta

import pytest
import vobject
from typer.testing import CliRunner

from crm_tui.cli import app
from crm_tui.domain.dates import Clock
from crm_tui.storage.database import open_database

NOW_ARG = "2026-11-23T10:00"  # local (the tests pin TZ to Asia/Shanghai)


@pytest.fixture
def seeded(tmp_path, clock):
    path = tmp_path / "crm.db"
    db = open_database(path, Clock(fixed=clock.now(), zone=clock.zone))
    r = db.repos
    acme = r.customers.create({"name": "Acme 北京", "city": "北京", "grade": "A", "tags": "vip"})
    zeta = r.customers.create(
        {"name": "Zeta", "city": "上海", "grade": "C", "kind": "person", "birthday": "1985-11-26"}
    )
    deal = r.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "pipes",
            "amount": "80k",
            "stage": "negotiation",
            "expected_close": "2026-11-27",
        }
    )
    ids = {
        "overdue": r.activities.create(
            {
                "customer_id": acme.id,
                "subject": "call back",
                "due_at": "yesterday",
                "opportunity_id": deal.id,
            }
        ).id,
        "visit": r.activities.create(
            {
                "customer_id": zeta.id,
                "subject": "visit plant",
                "due_at": "tomorrow 15:00",
                "kind": "visit",
            }
        ).id,
        "later": r.activities.create(
            {"customer_id": zeta.id, "subject": "send quote", "due_at": "2026-12-10"}
        ).id,
        "deal": deal.id,
        "acme": acme.id,
    }
    db.close()
    return path, ids


def run(path, *args, now=NOW_ARG, env=None):
    runner = CliRunner()
    return runner.invoke(app, ["--db", str(path), "--now", now, *args], env=env)


def test_query_prints_matching_rows(seeded):
    path, _ = seeded
    result = run(path, "query", "customers", "city:北京 +vip", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in json.loads(result.stdout)] == ["Acme 北京"]


def test_query_count_limit_and_csv(seeded):
    path, _ = seeded
    assert run(path, "query", "followups", "status:open", "--count").stdout.strip() == "3"
    csv_out = run(path, "query", "followups", "", "--format", "csv", "--limit", "1").stdout
    assert len(csv_out.strip().splitlines()) == 2


def test_query_sorts_by_urgency_and_by_field(seeded):
    path, _ = seeded
    urgent = json.loads(
        run(path, "query", "followups", "", "--sort", "urgency", "-f", "json").stdout
    )
    assert [r["subject"] for r in urgent] == ["call back", "visit plant", "send quote"]
    by_name = json.loads(
        run(path, "query", "customers", "", "--sort", "-name", "-f", "json").stdout
    )
    assert [r["name"] for r in by_name] == ["Zeta", "Acme 北京"]
    assert run(path, "query", "deals", "", "--sort", "urgency").exit_code == 1
    assert "not a field" in run(path, "query", "deals", "", "--sort", "colour").output


def test_list_sorts_by_urgency_like_query(seeded):
    path, _ = seeded
    listed = json.loads(run(path, "list", "followups", "--sort", "urgency", "-f", "json").stdout)
    assert [r["subject"] for r in listed] == ["call back", "visit plant", "send quote"]
    refused = run(path, "list", "deals", "--sort", "urgency")
    assert refused.exit_code == 1 and "urgency" in refused.output


def test_query_error_is_one_line_with_the_column(seeded):
    path, _ = seeded
    result = run(path, "query", "customers", "grade:A cty:北京")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: query: unknown field 'cty' for customers at column 9; did you mean city?"
    )


def test_list_accepts_the_query_language(seeded):
    path, _ = seeded
    result = run(path, "list", "deals", "amount>50k stage:open", "--format", "json")
    assert [r["title"] for r in json.loads(result.stdout)] == ["pipes"]


def test_why_shows_the_terms(seeded):
    path, ids = seeded
    result = run(path, "why", ids["overdue"][:13])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("call back  urgency ")
    for term in ("due", "overdue", "deal", "grade"):
        assert any(line.startswith(term + " ") for line in lines[2:]), result.stdout
    assert run(path, "why", ids["deal"]).exit_code == 1


def test_remind_prints_what_is_due_now(seeded):
    path, _ = seeded
    result = run(path, "remind")
    assert result.exit_code == 0
    out = result.stdout
    assert "follow-up" in out and "call back" in out
    assert "visit plant" not in out  # its reminder is tomorrow 15:00
    assert "birthday" in out and "Zeta" in out
    assert "deal" in out and "pipes" in out


def test_remind_is_silent_when_nothing_is_due(tmp_path):
    result = run(tmp_path / "empty.db", "remind")
    assert result.exit_code == 0 and result.stdout == ""


def test_remind_notify_calls_the_desktop_notifier(seeded, tmp_path):
    path, _ = seeded
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "notified.txt"
    script = bin_dir / "notify-send"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\n')
    script.chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    assert run(path, "remind", "--notify", env=env).exit_code == 0
    assert "reminders" in log.read_text() and "call back" in log.read_text()


def test_agenda_groups_by_day(seeded):
    path, _ = seeded
    out = run(path, "agenda", "--days", "4").stdout.splitlines()
    assert out[0] == "Mon 2026-11-23  Today"
    assert "call back" in out[1] and "overdue since 11-22" in out[1]
    assert out[2] == "Tue 2026-11-24  Tomorrow"
    assert out[3].split()[:3] == ["15:00", "visit", "plant"]
    assert any("Zeta" in line and "birthday" in line for line in out)
    assert "send quote" not in "\n".join(out)
    data = json.loads(run(path, "agenda", "--days", "30", "-f", "json").stdout)
    assert {"day": "2026-12-10", "title": "send quote"}.items() <= next(
        d for d in data if d["title"] == "send quote"
    ).items()


def _events(ics: bytes) -> dict[str, vobject.base.Component]:
    cal = vobject.readOne(ics.decode("utf-8"))
    return {ev.uid.value: ev for ev in cal.vevent_list}


def test_export_ics_parses_back_with_an_independent_parser(seeded, tmp_path):
    path, ids = seeded
    out = tmp_path / "fu.ics"
    result = run(path, "export", "ics", "--days", "30", "-o", str(out))
    assert result.exit_code == 0, result.output
    events = _events(out.read_bytes())
    assert set(events) == {f"{ids[k]}@crm_tui" for k in ("overdue", "visit", "later")}
    allday = events[f"{ids['overdue']}@crm_tui"]
    assert str(allday.dtstart.value) == "2026-11-22"  # a date, not a date-time
    assert allday.summary.value == "call: call back — Acme 北京"
    timed = events[f"{ids['visit']}@crm_tui"]
    assert timed.dtstart.value.isoformat() == "2026-11-24T07:00:00+00:00"
    alarm = timed.valarm
    assert alarm.trigger.value.isoformat() == "2026-11-24T07:00:00+00:00"
    assert allday.valarm.trigger.value.isoformat() == "2026-11-22T01:00:00+00:00"  # 09:00 local


def test_export_ics_query_and_window(seeded):
    path, ids = seeded
    result = run(path, "export", "ics", "kind:visit")
    assert set(_events(result.stdout_bytes)) == {f"{ids['visit']}@crm_tui"}
    soon = run(path, "export", "ics", "--days", "3")
    assert f"{ids['later']}@crm_tui" not in set(_events(soon.stdout_bytes))
    assert run(path, "export", "ics", "kind:nope").exit_code == 1


def test_reexport_after_an_edit_keeps_the_uid_and_raises_sequence(seeded, clock):
    path, ids = seeded
    first = _events(run(path, "export", "ics").stdout_bytes)
    db = open_database(path, Clock(fixed=clock.now() + timedelta(hours=2), zone=clock.zone))
    db.repos.activities.update(ids["visit"], {"subject": "visit plant (moved)"})
    db.close()
    second = _events(run(path, "export", "ics", now="2026-11-23T12:00").stdout_bytes)
    uid = f"{ids['visit']}@crm_tui"
    assert set(first) == set(second)
    assert int(second[uid].sequence.value) > int(first[uid].sequence.value)
    assert second[uid].summary.value.endswith("visit plant (moved) — Zeta")


@pytest.mark.skipif(shutil.which("khal") is None, reason="khal is not installed")
def test_khal_imports_the_file(seeded, tmp_path):
    path, ids = seeded
    out = tmp_path / "fu.ics"
    run(path, "export", "ics", "-o", str(out))
    cal_dir = tmp_path / "cal"
    cal_dir.mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        f"[calendars]\n[[crm]]\npath = {cal_dir}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n"
        "longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\n"
        "longdatetimeformat = %Y-%m-%d %H:%M\n"
    )
    env = os.environ | {"TZ": "Asia/Shanghai", "XDG_DATA_HOME": str(tmp_path / "data")}
    for _ in range(2):  # importing twice must update, not duplicate
        subprocess.run(
            ["khal", "-c", str(config), "import", "--batch", "-a", "crm", str(out)],
            check=True,
            env=env,
            capture_output=True,
            timeout=60,
        )
    assert len(list(cal_dir.glob("*.ics"))) == 3
    listed = subprocess.run(
        ["khal", "-c", str(config), "list", "2026-11-22", "2026-12-31"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "visit plant" in listed and "call back" in listed
