"""The after-sales commands: add, request, approve (a service order's id through `crm
approve`, like a claim's), start, finish with the report, `crm show` of its number, plans;
bad input (unknown engineer, rating 6, negative cost, finish before start, a rep approving)
as one `error:` line with nothing written."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest


def _show(crm, ref: str) -> dict:
    found = json.loads(crm("show", ref, "--format", "json").stdout)
    return found[0] if isinstance(found, list) else found


def _outbox(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def _as(db_path: Path, user_id: str, role: str = "rep") -> None:
    with sqlite3.connect(db_path) as conn:
        for key, value in (("user_id", user_id), ("role", role)):
            conn.execute(
                "INSERT INTO sync_state(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


@pytest.fixture
def team(crm, db_path: Path, clock) -> dict[str, str]:
    """A customer and three team members as a pull writes them (users are the server's)."""
    from crm_tui.storage.database import open_database

    assert crm("add", "customer", "无锡轴承厂").exit_code == 0
    db = open_database(db_path, clock)
    ids = {}
    for name, role in (("王工", "rep"), ("李经理", "manager"), ("张敏", "rep")):
        ids[name] = str(uuid.uuid4())
        with db.transaction() as s:
            db.repos.users.apply_remote(
                s, ids[name], {"fields": {"name": name, "role": role}}, version=1
            )
    db.close()
    _as(db_path, ids["张敏"])
    return ids


def test_the_whole_flow_from_the_command_line(crm, db_path: Path, team) -> None:
    added = crm(
        "add", "service", "更换轴承", "--customer", "无锡轴承厂", "--kind", "repair",
        "--planned", "2026-11-25 14:00", "--engineer", "王工",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    sid = added.stdout.strip()
    shown = _show(crm, sid)
    assert shown["number"].startswith("SV-2026-P-") and shown["status"] == "new"
    assert crm("request", shown["number"]).stdout.strip() == sid
    # A rep cannot approve; the manager approves through the same verb as claims.
    refused = crm("approve", sid)
    assert refused.exit_code == 1 and refused.stderr.startswith("error:")
    _as(db_path, team["李经理"], "manager")
    assert crm("approve", sid, "--note", "OK").exit_code == 0
    _as(db_path, team["王工"])
    early = crm("finish", sid, "--hours", "1")
    assert early.exit_code == 1 and "start the visit before finishing" in early.stderr
    assert f"(crm start {sid})" in early.stderr and len(early.stderr.strip().splitlines()) == 1
    assert crm("start", sid).exit_code == 0
    done = crm(
        "finish", sid, "--hours", "2.5", "--cost", "parts=300", "--cost", "travel=45",
        "--rating", "5", "--feedback", "师傅很专业",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    row = _show(crm, sid)
    assert (row["status"], row["minutes"], row["parts_cost"], row["travel_cost"]) == (
        "done",
        150,
        30_000,
        4_500,
    )
    listed = crm("list", "services", "status:done engineer:王工", "--format", "json")
    assert [r["id"] for r in json.loads(listed.stdout)] == [sid]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--engineer", "无名氏"), "engineer: no team member '无名氏'"),
        (("--kind", "fixing"), "kind"),
        (("--planned", "someday"), "planned"),
        (("--planned", "tomorrow", "--until", "yesterday"), "planned_end: ends before it starts"),
    ],
)
def test_bad_new_orders_write_nothing(crm, db_path: Path, team, args, message) -> None:
    before = _outbox(db_path)
    result = crm("add", "service", "检修", "--customer", "无锡轴承厂", *args)
    assert result.exit_code == 1 and result.stderr.startswith("error:")
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _outbox(db_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rating", "6"), "6 is not a rating from 1 to 5"),
        (("--cost", "parts=-5"), "cannot be negative"),
        (("--cost", "fuel=5"), "unknown cost 'fuel'"),
        (("--cost", "parts"), "is not NAME=AMOUNT"),
        (("--hours", "lots"), "not a number of hours"),
    ],
)
def test_bad_finish_reports_write_nothing(crm, db_path: Path, team, args, message) -> None:
    sid = crm(
        "add", "service", "检修", "--customer", "无锡轴承厂", "--engineer", "王工"
    ).stdout.strip()  # fmt: skip
    crm("request", sid)
    _as(db_path, team["李经理"], "manager")
    crm("approve", sid)
    _as(db_path, team["王工"])
    crm("start", sid)
    before = _outbox(db_path)
    result = crm("finish", sid, *args)
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert result.stderr.startswith("error:") and len(result.stderr.strip().splitlines()) == 1
    assert _outbox(db_path) == before


def test_plans_and_their_visits(crm, db_path: Path, team) -> None:
    bad = crm("add", "service-plan", "--customer", "无锡轴承厂", "--every", "quarterly")
    assert bad.exit_code == 1 and "not an interval" in bad.stderr
    plan = crm(
        "add", "service-plan", "--customer", "无锡轴承厂", "--every", "3m",
        "--from", "2026-12-01", "--engineer", "王工", "--ahead", "10",
    )  # fmt: skip
    assert plan.exit_code == 0, plan.stderr
    made = crm("plan-visits").stdout.split()
    assert len(made) == 1 and crm("plan-visits").stdout == ""
    row = _show(crm, made[0])
    assert row["kind"] == "maintenance" and row["engineer_id"] == team["王工"]


def test_crm_report_service(crm, db_path: Path, team, tmp_path: Path) -> None:
    sid = crm(
        "add", "service", "保养", "--customer", "无锡轴承厂", "--kind", "maintenance",
        "--planned", "2026-11-24 09:00",
    ).stdout.strip()  # fmt: skip
    assert sid
    md = crm("report", "service", "--period", "2026-11")
    assert md.exit_code == 0 and "Service statistics" in md.stdout and "maintenance" in md.stdout
    out = tmp_path / "service.csv"
    assert crm("report", "service", "-p", "2026-11", "-o", str(out)).exit_code == 0
    assert "by_kind" in out.read_text(encoding="utf-8")
    refused = crm("report", "service", "--team")
    assert refused.exit_code == 1 and refused.stderr.startswith("error: --team:")


def test_undo_after_a_step_says_what_to_do(crm, db_path: Path, team) -> None:
    sid = crm(
        "add", "service", "调试", "--customer", "无锡轴承厂", "--engineer", "王工"
    ).stdout.strip()  # fmt: skip
    assert crm("request", sid).exit_code == 0
    undone = crm("undo")
    assert undone.exit_code == 1 and "withdraw the request or cancel it" in undone.stderr


def test_withdraw_and_cancel(crm, db_path: Path, team) -> None:
    sid = crm(
        "add", "service", "培训", "--customer", "无锡轴承厂", "--engineer", "王工"
    ).stdout.strip()  # fmt: skip
    crm("request", sid)
    assert crm("withdraw", sid).exit_code == 0 and _show(crm, sid)["status"] == "new"
    assert crm("cancel", sid).exit_code == 0 and _show(crm, sid)["status"] == "cancelled"
    again = crm("request", sid)
    assert again.exit_code == 1 and "cancelled service order cannot be requested" in again.stderr


def test_edit_names_the_engineer_as_add_does(crm, team) -> None:
    """Review s15 W11: `crm add service --engineer 王工` but `crm edit ID --engineer` was
    refused ("did you mean --engineer-id?"): one field, one option name."""
    sid = crm("add", "service", "检修", "--customer", "无锡轴承厂").stdout.strip()
    edited = crm("edit", sid, "--engineer", "张敏")
    assert edited.exit_code == 0, edited.stderr
    shown = json.loads(crm("show", sid, "--format", "json").stdout)
    shown = shown[0] if isinstance(shown, list) else shown
    assert shown["engineer_id"] == team["张敏"]
    assert crm("edit", sid, "--engineer", "nobody-like-this").exit_code == 1
