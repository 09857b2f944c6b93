"""A registration list into a campaign through the importer's reading (encoding, header row,
Chinese headers) — UTF-8 and GB18030 files — with every refused row reported; and the
members' CSV export read back."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crm_tui.services import campaign_import, campaign_members, campaigns
from crm_tui.services.book import Book

SIGNUPS = (
    "报名表（导出）\n"
    "姓名,手机,公司,邮箱,备注\n"
    "张伟,138 0013 8000,北京科技,zw@bj.cn,素食\n"
    "李娜,139-0000-1111,上海机电,,\n"
    "王五,abc,广州贸易,,\n"
    "张伟,+86 13800138000,北京科技,,又报一次\n"
    ",13500000000,无名公司,,\n"
    "赵六,13700003333,深圳电子,bad@,\n"
    '陈静,13612345678,"杭州新材料, 研发部",cj@hz.cn,\n'
)


@pytest.fixture
def book(db) -> Book:
    return Book(db)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_registration_list_imports_with_every_refused_row(
    book: Book, tmp_path: Path, encoding: str
) -> None:
    expo = campaigns.add_campaign(book, {"name": "上海工业博览会"})
    campaign_members.add_people(book, expo.id, [{"name": "李娜", "phone": "13900001111"}])
    path = tmp_path / "signups.csv"
    path.write_bytes(SIGNUPS.encode(encoding))
    result = campaign_import.import_registrations(book, expo.id, path)
    assert (result.rows, result.created, result.merged) == (7, 2, 1)
    problems = {p.line: p.reason for p in result.rejected + result.duplicates}
    assert problems == {
        5: "phone: 'abc' is not a phone number",
        6: "the same person as an earlier row (张伟)",
        7: "name: is required",
        8: "email: 'bad@' is not an e-mail address",
    }
    people = {m.name: m for m in campaign_members.members(book, expo.id)}
    assert sorted(people) == ["张伟", "李娜", "陈静"]
    assert all(m.status == "registered" for m in people.values())
    assert people["陈静"].company == "杭州新材料, 研发部" and people["张伟"].notes == "素食"
    assert people["张伟"].source == "web_form" and people["李娜"].source == "invitation"
    # The refused rows go to a report file beside it, as the importer's do.
    report = tmp_path / "signups.rejected.csv"
    campaign_import.write_report(report, result, ["姓名", "手机", "公司", "邮箱", "备注"])
    with report.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == ["5", "6", "7", "8"] and rows[1][2] == "王五"


def test_cli_import_and_export(crm, db_path: Path, tmp_path: Path) -> None:
    assert crm("add", "campaign", "客户开放日").exit_code == 0
    path = tmp_path / "signups.csv"
    path.write_bytes(SIGNUPS.encode("gb18030"))
    dry = crm("import", "registrations", "客户开放日", str(path), "--dry-run")
    assert "dry run: nothing was changed" in dry.stdout
    assert crm("members", "客户开放日", "--format", "csv").stdout.count("\n") == 1  # header
    done = crm("import", "registrations", "客户开放日", str(path))
    assert done.exit_code == 2  # some rows refused: the importer's partial exit
    assert "line 5: phone: 'abc' is not a phone number" in done.stdout
    assert (tmp_path / "signups.rejected.csv").exists()
    out = tmp_path / "members.csv"
    assert crm("members", "客户开放日", "--export", str(out)).exit_code == 0
    with out.open(encoding="utf-8-sig") as fh:
        names = sorted(r["name"] for r in csv.DictReader(fh))
    assert names == ["张伟", "李娜", "陈静"]
    missing = crm("import", "registrations", "客户开放日", str(tmp_path / "none.csv"))
    assert missing.exit_code == 1 and missing.stderr.startswith("error: ")
