"""Provides `customers_book`: a book of many customers for the customers list's Pilot tests
(typing in its `/` bar, search as you type)."""

from __future__ import annotations

from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.storage.database import Database, open_database


def customers_book(path: Path, clock: Clock, latin: list[str], cjk: list[str]) -> Database:
    """`latin` customers (grade A, 上海) then `cjk` ones (grade B, 北京); reminders checked
    hourly, so no reminder pops over the list while a test types."""
    db = open_database(path, clock)
    db.set_state("reminders.interval", "3600")
    for name in latin:
        db.repos.customers.create({"name": name, "grade": "A", "city": "上海"})
    for name in cjk:
        db.repos.customers.create({"name": name, "grade": "B", "city": "北京"})
    return db
