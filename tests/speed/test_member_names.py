"""`crm list` / `crm show` name team members in their human formats (a service order's
engineer, approver and dispatched_to; a work report's recipients; any record's owner) on
both paths — the quick one (launch.py over services/quick_*.py) and the full Typer one —
byte for byte alike; json keeps the ids (scripts rely on them); an id no member has stays.
domain/member_fields.py lists those fields without the registry: checked against it here."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest

from crm_tui import launch
from tests.service.test_service_cli import _as
from tests.speed.test_quick_list import _argv, _full

STRANGER = "0193c2aa-0000-7000-8000-00000000beef"  # a user id no member on this laptop has


@pytest.fixture
def book(crm, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A signed-in book with a team of two (王芳 the engineer, 李经理 the manager, as a pull
    writes them): one approved service order for 王芳, and 王芳's daily report to both."""
    from crm_tui.domain.dates import Clock
    from crm_tui.storage.database import open_database
    from tests.conftest import NOW, ZONE

    assert crm("add", "customer", "无锡轴承厂").exit_code == 0
    db = open_database(db_path, Clock(fixed=NOW, zone=ZONE))
    team = {}
    for name, role in (("王芳", "rep"), ("李经理", "manager")):
        team[name] = str(uuid.uuid4())
        with db.transaction() as s:
            db.repos.users.apply_remote(
                s, team[name], {"fields": {"name": name, "role": role}}, version=1
            )
    db.close()
    _as(db_path, team["王芳"], "rep")
    added = crm(
        "add", "service", "更换轴承", "--customer", "无锡轴承厂", "--kind", "repair",
        "--planned", "2026-11-25 14:00", "--engineer", "王芳",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    sid = added.stdout.strip()
    assert crm("request", sid).exit_code == 0
    _as(db_path, team["李经理"], "manager")
    assert crm("approve", sid).exit_code == 0
    _as(db_path, team["王芳"], "rep")

    editor = tmp_path / "ed.sh"  # $EDITOR appends the report's text
    editor.write_text("#!/bin/sh\nprintf '[done]\\n修好了轴承\\n' >> \"$1\"\n", encoding="utf-8")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    made = crm("report", "write", "--kind", "daily", "--to", "李经理", "--to", "王芳")
    assert made.exit_code == 0, made.stderr
    return {"team": team, "service": sid, "report": made.stdout.split()[-1]}


def _quick_list(db: Path, *extra: str) -> str:
    options = launch.quick_list_options(_argv(db, *extra))
    assert options is not None, extra
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert launch.quick_list(options), extra
    return out.getvalue()


def _quick_show(db: Path, *extra: str) -> str:
    options = launch.quick_show_options(_argv(db, *extra))
    assert options is not None, extra
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert launch.quick_show(options), extra
    return out.getvalue()


def _fields(text: str) -> dict[str, str]:
    """A shown record's `  key  value` lines."""
    pairs = [line.split(None, 1) for line in text.splitlines()[1:] if line.startswith("  ")]
    return {p[0]: p[1] if len(p) > 1 else "" for p in pairs}


def test_the_service_list_and_query_name_the_engineer_on_both_paths(
    book: dict, db_path: Path
) -> None:
    quick = _quick_list(db_path, "list", "services")
    code, full, _err = _full(db_path, "list", "services")
    assert code == 0 and quick == full
    header, row = full.splitlines()
    assert header.split()[-1] == "dispatched_to" and "customer" in header.split()
    assert row.rstrip().endswith("王芳") and "无锡轴承厂" in row
    assert book["team"]["王芳"] not in full
    queried = _quick_list(db_path, "query", "services", "engineer:王芳")
    assert queried == _full(db_path, "query", "services", "engineer:王芳")[1] == full


def test_json_and_csv_keep_the_ids(book: dict, db_path: Path) -> None:
    engineer = book["team"]["王芳"]
    listed = json.loads(_full(db_path, "list", "services", "-f", "json")[1])
    assert (listed[0]["dispatched_to"], listed[0]["engineer_id"]) == (engineer, engineer)
    assert listed[0]["owner_id"] == engineer
    assert engineer in _quick_list(db_path, "list", "services", "-f", "csv")
    for show in (_quick_show(db_path, "show", book["service"], "-f", "json"),
                 _full(db_path, "show", book["service"], "-f", "json")[1]):  # fmt: skip
        row = json.loads(show)[0]
        assert row["dispatched_to"] == engineer
        assert row["approver_id"] == book["team"]["李经理"]


def test_show_of_a_service_order_names_its_people_on_both_paths(book: dict, db_path: Path) -> None:
    quick = _quick_show(db_path, "show", book["service"])
    code, full, _err = _full(db_path, "show", book["service"])
    assert code == 0 and quick.splitlines()[0] == full.splitlines()[0]
    # the fields beyond the registry may come in another order on the full path (see
    # test_quick_show.py); the values are what counts
    assert _fields(quick) == _fields(full)
    fields = _fields(full)
    assert fields["engineer_id"] == fields["dispatched_to"] == fields["owner_id"] == "王芳"
    assert fields["approver_id"] == "李经理"
    assert not any(uid in full for uid in book["team"].values())


def test_show_of_a_work_report_names_its_recipients(book: dict, db_path: Path) -> None:
    code, full, _err = _full(db_path, "show", book["report"])
    assert code == 0 and "to: 李经理, 王芳" in full  # as `crm report read` prints it
    assert not any(uid in full for uid in book["team"].values())
    # A deleted one is shown field by field (both paths): the list reads as it did, names
    # for ids; an id no member has stays as it is.
    team = book["team"]
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE work_report SET deleted = 1, recipients = ? WHERE id = ?",
            (f"{team['李经理']} {team['王芳']} {STRANGER}", book["report"]),
        )
    quick = _quick_show(db_path, "show", book["report"])
    code, full, _err = _full(db_path, "show", book["report"])
    assert code == 0 and "[deleted]" in quick.splitlines()[0]
    assert quick.splitlines()[0] == full.splitlines()[0] and _fields(quick) == _fields(full)
    fields = _fields(quick)
    assert fields["recipients"] == f"李经理 王芳 {STRANGER}"
    assert fields["owner_id"] == "王芳"
    shown = json.loads(_quick_show(db_path, "show", book["report"], "-f", "json"))[0]
    assert shown["recipients"] == f"{team['李经理']} {team['王芳']} {STRANGER}"


def test_the_member_fields_cover_the_registry() -> None:
    """Every field the registry marks as a team member (`ref="user"`) and every field that
    makes members readers (permissions.READER_FIELDS) is named in a table."""
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.domain.member_fields import member_fields
    from crm_tui.domain.models import MODELS
    from crm_tui.domain.permissions import READER_FIELDS

    for name, spec in ENTITIES.items():
        refs = {f.name for f in spec.fields if f.ref == "user"}
        assert refs <= member_fields(name), name
    for entity, field in READER_FIELDS.items():
        # (an attachment's `seen_by` is the server's, no column here: never shown)
        if field in MODELS[entity].model_fields:
            assert field in member_fields(entity), entity
    for entity in MODELS:  # every listed field exists on its record
        assert member_fields(entity) <= set(MODELS[entity].model_fields), entity


def test_named_keeps_separators_and_unknown_ids() -> None:
    from crm_tui.domain.member_fields import named

    names = {"a1": "王芳", "b2": "李经理"}
    assert named("a1, b2,x9", names) == "王芳, 李经理,x9"
    assert named("", names) == "" and named(None, names) is None and named(3, names) == 3
