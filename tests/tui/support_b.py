"""Provides a small fixed data set and a host app for the TUI-B screen tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.screen import Screen

from crm_tui.domain.dates import Clock
from crm_tui.screens.shell import Shell
from crm_tui.services.book import Book
from crm_tui.storage.database import Database, open_database

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def fixed_clock() -> Clock:
    return Clock(fixed=NOW, zone=UTC)


_TEMPLATES: dict[bool, Path] = {}


def _template(data: bool) -> Path:
    """A seeded file made once per test run; each test gets its own copy (seeding is slow)."""
    if data not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="crm-tui-b-"))
        db = open_database(folder / "crm.db", fixed_clock())
        db.set_state("user_id", "u-rep")
        if data:
            seed(db)
        db.close()
        _TEMPLATES[data] = folder / "crm.db"
    return _TEMPLATES[data]


def make_db(path: Path, *, data: bool = True, role: str = "rep") -> Database:
    """A database with three customers, deals in several stages, claims and competitors."""
    template = _template(data)
    for suffix in ("", "-wal"):
        source = Path(f"{template}{suffix}")
        if source.exists():
            shutil.copyfile(source, path / f"crm.db{suffix}")
    db = open_database(path / "crm.db", fixed_clock())
    db.set_state("role", role)
    return db


def seed(db: Database) -> None:
    repos = db.repos
    acme = repos.customers.create({"name": "Acme Steel", "city": "Shanghai"})
    bj = repos.customers.create({"name": "北京钢管有限公司", "city": "北京"})
    zw = repos.customers.create({"name": "张伟", "kind": "person"})
    globex = repos.competitors.create(
        {"name": "Globex", "strengths": "price", "weaknesses": "slow delivery"}
    )
    repos.competitors.create({"name": "宝钢代理", "strengths": "本地关系"})
    deals = [
        (acme.id, "Pipe order Q1", "lead", "120000", "2026-12-15"),
        (bj.id, "钢管年度合同", "qualified", "1.2万", "2026-12-01"),
        (acme.id, "Valve retrofit", "proposal", "45000.50", "2026-12-20"),
        (zw.id, "个人采购", "proposal", "8000", ""),
        (bj.id, "Flange supply", "negotiation", "300000", "2026-11-30"),
        (acme.id, "USD export", "lead", "USD 5000", "2027-01-10"),
    ]
    for customer_id, title, stage, amount, close in deals:
        repos.opportunities.create(
            {
                "customer_id": customer_id,
                "title": title,
                "stage": stage,
                "amount": amount,
                "expected_close": close,
                "competitor_id": globex.id if stage == "proposal" else "",
            }
        )
    won = repos.opportunities.create(
        {"customer_id": zw.id, "title": "Old win", "amount": "9999", "expected_close": "2026-11-01"}
    )
    repos.opportunities.move(won.id, 4, closed_on=NOW.date())
    claims = [
        ("2026-11-20", "travel", "320", acme.id, "Train to Shanghai"),
        ("2026-11-21", "meals", "188.50", bj.id, "客户午餐"),
        ("2026-11-22", "lodging", "560", None, "Hotel"),
    ]
    for spent, category, amount, customer_id, text in claims:
        repos.expenses.create(
            {
                "spent_on": spent,
                "category": category,
                "amount": amount,
                "customer_id": customer_id or "",
                "description": text,
            }
        )
    first = repos.expenses.page(limit=1)[0]
    repos.expenses.submit(first.id)
    repos.announcements.create(
        {"title": "Q4 targets", "body": "Close **everything**.", "published_at": "2026-11-20 09:00"}
    )
    repos.announcements.create(
        {"title": "新产品发布", "body": "下周一发布新型号。", "published_at": "2026-11-22 09:00"}
    )


class Host(Shell):
    """Shows one screen over a database, as the real app would (a `Shell` whose book is open;
    records what the screen asks it to open)."""

    def __init__(self, db: Database, make: Callable[[Any], Screen[Any]]) -> None:
        super().__init__()
        self.db = db
        self._book = Book(db)
        self.make = make
        self.results: list[Any] = []
        self.opened: list[tuple[str, str]] = []

    @property
    def book(self) -> Book:
        return self._book

    @property
    def book_ready(self) -> bool:
        return True

    def refresh_status(self) -> None:
        pass

    def open_record(self, entity: str, row_id: str, customer_id: str | None = None) -> None:
        self.opened.append((entity, row_id))

    def on_mount(self) -> None:
        # A screen class is built over the book, as the app builds it; a factory gets the
        # database to seed or save with (`lambda d: RecordForm(..., save=d.repos...)`).
        screen = self.make(self.book) if isinstance(self.make, type) else self.make(self.db)
        if screen.is_modal:
            self.push_screen(screen, self.results.append)
        else:
            self.push_screen(screen)
