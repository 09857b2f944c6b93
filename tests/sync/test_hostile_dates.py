"""Issue 14 item 1: a follow-up stored in year 1 or 9999 (before the server refused such
dates) never makes `crm list followups` or `crm agenda` crash, in UTC+8 or UTC-5."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.storage.database import open_database
from tests.sync.conftest import crm


@pytest.fixture
def edge_db(tmp_path: Path) -> Path:
    path = tmp_path / "edge.db"
    db = open_database(path, Clock())
    customer = db.repos.customers.create({"name": "Edge Co"})
    for subject in ("year one", "year 9999"):
        db.repos.by_entity["activity"].create(
            {"customer_id": customer.id, "subject": subject, "due_at": "2026-12-05 10:00"}
        )
    db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE activity SET due_at = '0001-01-01 00:00:00.000000' "
                     "WHERE subject = 'year one'")  # fmt: skip
        conn.execute("UPDATE activity SET due_at = '9999-12-31 23:30:00.000000' "
                     "WHERE subject = 'year 9999'")  # fmt: skip
    return path


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
def test_edge_dates_list_and_show_in_the_agenda(edge_db: Path, zone: str, monkeypatch) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        listed = crm("--db", str(edge_db), "list", "followups")
        assert listed.exit_code == 0, listed.output
        assert "year one" in listed.output and "year 9999" in listed.output
        agenda = crm("--db", str(edge_db), "agenda")
        assert agenda.exit_code == 0, agenda.output
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
