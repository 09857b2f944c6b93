"""The marketing commands as a rep types them: campaigns, partners, invite from a query,
register, attend at the door, a walk-in, members (and their CSV), a claim on a campaign —
and bad input: one `error:` line, exit 1, nothing written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from crm_tui.services.book import Book


def _setup(crm) -> str:
    assert crm("add", "partner", "国家会展中心", "--kind", "venue").exit_code == 0
    made = crm(
        "add",
        "campaign",
        "上海工业博览会",
        "--kind",
        "exhibition",
        "--start",
        "2026-12-10",
        "--end",
        "2026-12-12",
        "--budget",
        "5万",
        "--partner",
        "国家会展中心",
    )
    assert made.exit_code == 0, made.stderr
    crm("add", "customer", "上海机电", "--city", "上海", "--grade", "A")
    crm("add", "contact", "李娜", "--customer", "上海机电", "--mobile", "13900001111")
    crm("add", "customer", "北京机电", "--city", "北京", "--grade", "A")
    return made.stdout.strip()


def _members(db_path: Path) -> list:
    book = Book.open(db_path)
    try:
        return book.db.repos.marketing.members.page(limit=100)
    finally:
        book.close()


def test_invite_register_attend_walk_in_and_list(crm, db_path: Path, tmp_path: Path) -> None:
    campaign_id = _setup(crm)
    invited = crm("invite", "上海工业博览会", "grade:A city:上海")
    assert (
        invited.exit_code == 0 and invited.stdout.strip() == "invited 1; 0 already on the campaign"
    )
    again = crm("invite", "上海工业博览会", "grade:A city:上海")
    assert again.stdout.strip() == "invited 0; 1 already on the campaign"
    reg = crm(
        "register",
        "上海工业博览会",
        "--name",
        "张伟",
        "--phone",
        "138 0013 8000",
        "--company",
        "北京科技",
    )
    assert reg.exit_code == 0 and reg.stdout.strip().endswith("张伟 registered")
    member_id = reg.stdout.split()[0]
    attended = crm("attend", campaign_id[:8], "8000")
    assert attended.exit_code == 0 and "张伟 attended" in attended.stdout
    shown = crm("show", member_id[:8])
    assert shown.exit_code == 0 and "attended" in shown.stdout
    walk = crm(
        "walk-in",
        "上海工业博览会",
        "--name",
        "陈静",
        "--phone",
        "13612345678",
        "--company",
        "杭州新材料",
    )
    assert walk.exit_code == 0 and "陈静 attended" in walk.stdout
    assert crm("show", walk.stdout.split()[-1]).exit_code == 0  # the new customer resolves
    listed = crm("members", "上海工业博览会", "--status", "attended", "--format", "json")
    assert listed.exit_code == 0 and '"张伟"' in listed.stdout and '"李娜"' not in listed.stdout
    out = tmp_path / "members.csv"
    assert crm("members", "上海工业博览会", "--export", str(out)).exit_code == 0
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["name"] for r in rows) == ["张伟", "李娜", "陈静"]
    claim = crm("add", "expense", "1200", "--category", "travel", "--campaign", "上海工业博览会")
    assert claim.exit_code == 0
    deal = crm("add", "deal", "展会线索", "--customer", "上海机电", "--campaign", "上海工业博览会")
    assert deal.exit_code == 0
    assert crm("add", "deal", "X", "--customer", "上海机电", "--campaign", "无").exit_code == 1
    linked = crm("link-partner", "上海工业博览会", "国家会展中心", "--remove")
    assert linked.stdout.strip() == "上海工业博览会: partners none"


def test_bad_input_is_one_error_line_and_nothing_written(crm, db_path: Path) -> None:
    _setup(crm)
    crm("invite", "上海工业博览会", "city:上海")
    assert crm("attend", "上海工业博览会", "李娜").exit_code == 0
    before = _members(db_path)
    cases = [
        (("invite", "上海工业博览会", "grde:A"), "unknown field 'grde'"),
        (("invite", "无此活动", "grade:A"), "no campaign matches '无此活动'"),
        (("invite", "上海工业博览会", "  "), "give a query"),
        (
            ("register", "上海工业博览会", "--name", "王五", "--phone", "abc"),
            "is not a phone number",
        ),
        (("register", "上海工业博览会", "--name", "王五", "--email", "x@"), "not an e-mail"),
        (("attend", "上海工业博览会", "赵六"), "no one on '上海工业博览会' matches '赵六'"),
        (("decline", "上海工业博览会", "李娜"), "an attended member cannot become declined"),
        (("add", "campaign", "X", "--kind", "party"), "'party' is not one of"),
        (
            ("add", "campaign", "X", "--start", "2026-12-05", "--end", "2026-12-01"),
            "before the start",
        ),
        (("add", "campaign", "X", "--partner", "无"), "no partner matches"),
        (("add", "expense", "10", "--campaign", "无"), "no campaign matches"),
        (("members", "上海工业博览会", "--status", "maybe"), "'maybe' is not one of"),
    ]
    for args, message in cases:
        result = crm(*args)
        assert result.exit_code == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], (
            args,
            lines,
        )
    assert [(m.id, m.status) for m in _members(db_path)] == [(m.id, m.status) for m in before]


def test_list_members_takes_a_campaign_name(crm) -> None:
    _setup(crm)
    crm("invite", "上海工业博览会", "grade:A city:上海")
    listed = crm("list", "members", "上海工业博览会", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert [m["name"] for m in json.loads(listed.stdout)] == ["李娜"]
    table = crm("list", "members", "上海工业博览会")  # the quick path hands it on
    assert table.exit_code == 0 and "李娜" in table.stdout
    words = crm("list", "members", "李娜", "--format", "json")  # not a campaign: a search
    assert [m["name"] for m in json.loads(words.stdout)] == ["李娜"]
