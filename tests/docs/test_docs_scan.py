"""A contract's signed scan through the files module (issue 19 gap 4): `crm contract
--scan FILE` and `a` on the contract screen attach it to the contract; a missing file is
refused before anything is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crm_tui.screens.contracts import ContractScreen
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import contract_scans, files, payments
from crm_tui.services.book import Book
from tests.tui.pilot import settle
from tests.tui.support_b import Host


def _scan(tmp_path: Path, name: str = "合同-签字.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4 signed contract\n" * 20)
    return path


def _count(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_crm_contract_scan_attaches_it(crm, db_path: Path, tmp_path: Path) -> None:
    crm("add", "customer", "上海机电")
    deal = crm("add", "opportunity", "电机采购", "--customer", "上海机电").stdout.strip()
    missing = crm("contract", "--deal", deal, "--amount", "3万", "--scan", str(tmp_path / "no.pdf"))
    assert missing.exit_code == 1 and missing.stderr.startswith("error:"), missing.stderr
    assert "no file at" in missing.stderr
    assert _count(db_path, "contract") == 0
    made = crm("contract", "--deal", deal, "--amount", "3万", "--scan", str(_scan(tmp_path)))
    assert made.exit_code == 0, made.stderr
    assert "attached 合同-签字.pdf as " in made.stdout
    with sqlite3.connect(db_path) as conn:
        entity, name, note, attachment = conn.execute(
            "SELECT a.record_entity, a.name, a.note, c.attachment FROM attachment a "
            "JOIN contract c ON c.id = a.record_id"
        ).fetchone()
    assert (entity, name, note, attachment) == ("contract", "合同-签字.pdf", "signed scan", None)


@pytest.mark.anyio
async def test_a_on_a_contract_attaches_the_scan(db, short_tmp_path: Path) -> None:
    tmp_path = short_tmp_path  # typed key by key: a short path is fewer rounds of the app
    book = Book(db)
    acme = db.repos.customers.create({"name": "北京钢管有限公司"})
    deal = db.repos.opportunities.create({"customer_id": acme.id, "title": "无缝钢管"})
    contract = payments.new_contract(book, deal_ref=deal.id, amount="3万")
    scan = _scan(tmp_path)
    app = Host(db, lambda d: ContractScreen(Book(d), contract.id))
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*str(tmp_path / "nope.pdf"), "enter")  # refused inline, stays open
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        assert files.files_of(book, "contract", contract.id) == []
        await pilot.press("ctrl+u", *str(scan), "enter")
        await settle(pilot)
        assert isinstance(app.screen, ContractScreen)
        head = str(app.screen.query_one("#contract-head").render())
        assert "scan: 合同-签字.pdf" in head
    found = files.files_of(book, "contract", contract.id)
    assert [(a.name, a.note) for a in found] == [("合同-签字.pdf", "signed scan")]
    assert files.open_path(book, found[0].id).read_bytes() == scan.read_bytes()
    assert contract_scans.scan_names(book, contract.id) == ["合同-签字.pdf"]
