"""`crm import/export/backup/restore`: exit codes, one clear line on failure, files written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


def _count(db_path: Path, table: str) -> int:
    if not db_path.exists():
        return 0
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


GOOD = "客户名称,手机,城市\n华信科技,13800138000,北京\n远航贸易,13900000000,上海\n"


def test_import_csv_reports_and_exits_zero(crm, write, db_path) -> None:
    result = crm("import", "csv", str(write("c.csv", GOOD.encode("gbk"))))
    assert result.exit_code == 0, result.stderr
    assert "read as gb18030" in result.stdout
    assert "2 rows read: imported 2 customers" in result.stdout
    assert _count(db_path, "customer") == 2


def test_refused_rows_go_to_a_report_file_and_exit_two(crm, write, db_path, tmp_path) -> None:
    path = write("c.csv", GOOD + "坏的,abc,x\n短,1\n")
    result = crm("import", "csv", str(path))
    assert result.exit_code == 2
    report = tmp_path / "c.rejected.csv"
    assert f"refused and duplicate rows, with reasons: {report}" in result.stdout
    lines = report.read_text("utf-8-sig").splitlines()
    assert lines[0] == "line,reason,客户名称,手机,城市"
    assert lines[1].startswith("4,phone: 'abc' is not a phone number")
    assert lines[2].startswith('5,"has 2 cells but the header has 3')
    assert _count(db_path, "customer") == 2


def test_nothing_importable_fails_with_one_line(crm, write, db_path) -> None:
    result = crm("import", "csv", str(write("c.csv", "客户名称,手机\nx,abc\n")))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no rows imported: 1 refused")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", (), "the file is empty; nothing was imported"),
        (b"a,b\n1,2\n", (), "no header row found"),
        (GOOD.encode("gbk"), ("--encoding", "utf-8"), "not valid utf-8: bad byte at line 1"),
        (GOOD.encode(), ("--map", "nonsense"), "write it as COLUMN=field"),
        (GOOD.encode(), ("--map", "城市=colour"), "no field 'colour'"),
        (GOOD.encode(), ("--entity", "expenses"), "cannot import claims"),  # the screens' word
        (GOOD.encode(), ("--entity", "widgets"), "unknown record type 'widgets'"),
        (GOOD.encode(), ("--on-duplicate", "maybe"), "'maybe' is not one of skip, merge"),
    ],
)
def test_bad_input_fails_with_one_clear_line_and_changes_nothing(
    crm, write, db_path, content, args, message
) -> None:
    result = crm("import", "csv", str(write("c.csv", content)), *args)
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert _count(db_path, "customer") == 0


def test_missing_file_fails_cleanly(crm, tmp_path) -> None:
    result = crm("import", "csv", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "cannot read" in result.stderr


def test_dry_run_changes_nothing(crm, write, db_path) -> None:
    result = crm("import", "csv", str(write("c.csv", GOOD)), "--dry-run")
    assert result.exit_code == 0
    assert "would import 2 customers" in result.stdout and "dry run" in result.stdout
    assert _count(db_path, "customer") == 0


def test_export_csv_to_a_file_imports_back_into_another_database(crm, write, tmp_path) -> None:
    crm("import", "csv", str(write("c.csv", GOOD)))
    out = tmp_path / "out.csv"
    result = crm("export", "csv", "customers", "city:北京", "-o", str(out))
    assert result.exit_code == 0 and "exported 1 customer" in result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for Chinese
    other = tmp_path / "other.db"
    assert crm("import", "csv", str(out), db=other).exit_code == 0
    assert _count(other, "customer") == 1


def test_export_with_a_bad_query_says_where(crm, tmp_path) -> None:
    result = crm("export", "csv", "customers", "cty:北京", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 1 and "did you mean city" in result.stderr
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.csv.part").exists()


def test_export_vcard_and_import_it(crm, write, tmp_path) -> None:
    crm("import", "csv", str(write("c.csv", GOOD)))
    result = crm("export", "vcard", "--version", "4.0")
    assert result.exit_code == 0 and result.stdout.count("BEGIN:VCARD") == 2
    vcf = write("x.vcf", result.stdout)
    imported = crm("import", "vcard", str(vcf), db=tmp_path / "other.db")
    assert imported.exit_code == 0, imported.stderr
    assert _count(tmp_path / "other.db", "customer") == 2


def test_export_ledger(crm) -> None:
    crm("add", "expense", "88.50", "--category", "meals", "--date", "2026-11-20")
    result = crm("export", "ledger")
    assert result.exit_code == 0
    assert "expenses:meals" in result.stdout and "CNY 88.50" in result.stdout


def test_backup_and_restore(crm, write, db_path, tmp_path) -> None:
    crm("import", "csv", str(write("c.csv", GOOD)))
    backup = tmp_path / "b.json"
    result = crm("backup", str(backup))
    assert result.exit_code == 0 and "backed up" in result.stdout
    refused = crm("restore", str(backup))
    assert refused.exit_code == 1 and "already holds records" in refused.stderr
    fresh = tmp_path / "fresh.db"
    assert crm("restore", str(backup), db=fresh).exit_code == 0
    assert _count(fresh, "customer") == 2
    assert crm("restore", str(backup), "--force").exit_code == 0
    bad = write("bad.json", "{}")
    result = crm("restore", str(bad), db=tmp_path / "x.db")
    assert result.exit_code == 1 and "not a crm backup" in result.stderr


@pytest.mark.slow
def test_fifty_megabyte_file_imports_whole_in_one_go(crm, tmp_path, db_path) -> None:
    path = tmp_path / "big.csv"
    # Long notes (at the 4,000-character cap): a big file, not a slow one (100k rows is bench work).
    note = "x" * 4_000
    rows = 12_600
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("name,city,notes\n")
        for i in range(rows):
            fh.write(f"Customer {i},City {i % 50},{note}\n")
    assert path.stat().st_size > 50_000_000
    result = crm("import", "csv", str(path))
    assert result.exit_code == 0, result.stderr
    assert f"{rows} rows read: imported {rows} customers" in result.stdout
    assert _count(db_path, "customer") == rows


def test_fifty_megabyte_file_with_a_bad_byte_at_the_end_changes_nothing(
    crm, tmp_path, db_path
) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.write(b"name,city,notes\n")
        line = ("客户,北京," + "备注" * 1000 + "\n").encode()
        for _ in range(50_000_000 // len(line) + 1):
            fh.write(line)
        fh.write(b"bad,\xff\xfe,x\n")
    result = crm("import", "csv", str(path))
    assert result.exit_code == 1 and "not valid UTF-8: bad byte at line" in result.stderr
    assert _count(db_path, "customer") == 0


def test_strict_import_is_all_or_nothing(crm, write, db_path, tmp_path) -> None:
    path = write("c.csv", GOOD + "坏的,abc,x\n")
    result = crm("import", "csv", str(path), "--strict")
    assert result.exit_code == 1
    assert "1 rows refused, so nothing was imported (--strict)" in result.stderr
    assert "nothing imported, because 1 rows were refused" in result.stdout
    assert (tmp_path / "c.rejected.csv").exists()
    assert _count(db_path, "customer") == 0 and _count(db_path, "outbox") == 0
    assert crm("import", "csv", str(write("ok.csv", GOOD)), "--strict").exit_code == 0
    assert _count(db_path, "customer") == 2
