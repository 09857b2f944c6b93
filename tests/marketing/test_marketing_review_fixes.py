"""Defects a fresh-eyes review found in the marketing commands (s12 review, issue 16): an
empty name on a sign-up, a registration list with someone who cannot register again, two
campaigns of one name, a no-show who never registered, and a bad e-mail on a known person —
each one clear `error:` line (or a refused row), never a traceback or a half-written file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crm_tui.services import campaign_import, campaign_members, campaigns
from crm_tui.services.book import Book


def _one_error(result, message: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


def _members(db_path: Path) -> dict[str, tuple[str, str | None]]:
    book = Book.open(db_path)
    try:
        rows = book.db.repos.marketing.members.page(limit=100)
        return {m.name: (m.status, m.email) for m in rows}
    finally:
        book.close()


def test_register_with_an_empty_name_is_one_error(crm, db_path: Path) -> None:
    assert crm("add", "campaign", "上海工业博览会").exit_code == 0
    for name in ("", "  "):
        _one_error(
            crm("register", "上海工业博览会", "--name", name, "--phone", "13900001111"),
            "name: is required",
        )
    assert _members(db_path) == {}
    # Also when the phone belongs to someone already on the campaign.
    assert (
        crm("register", "上海工业博览会", "--name", "李四", "--phone", "13900001111").exit_code == 0
    )
    _one_error(
        crm("register", "上海工业博览会", "--name", "", "--phone", "13900001111"),
        "name: is required",
    )


def test_register_checks_and_keeps_the_email_of_someone_already_on(crm, db_path: Path) -> None:
    assert crm("add", "campaign", "客户开放日").exit_code == 0
    assert crm("register", "客户开放日", "--name", "李四", "--phone", "13900001111").exit_code == 0
    _one_error(
        crm("register", "客户开放日", "--name", "李四", "--email", "bad@"),
        "email: 'bad@' is not an e-mail address",
    )
    assert _members(db_path) == {"李四": ("registered", None)}
    again = crm("register", "客户开放日", "--name", "李四", "--email", "ls@example.cn")
    assert again.exit_code == 0, again.stderr
    assert _members(db_path) == {"李四": ("registered", "ls@example.cn")}


def test_no_show_only_for_a_registrant(crm, db_path: Path) -> None:
    assert crm("add", "campaign", "客户开放日").exit_code == 0
    assert crm("add", "customer", "上海机电", "--city", "上海").exit_code == 0
    assert (
        crm("add", "contact", "黄静", "--customer", "上海机电", "--mobile", "13900002222").exit_code
        == 0
    )
    assert crm("invite", "客户开放日", "city:上海").exit_code == 0
    _one_error(
        crm("no-show", "客户开放日", "黄静"),
        "only a registrant can be a no-show; this one is invited and never registered",
    )
    assert _members(db_path) == {"黄静": ("invited", None)}
    assert crm("register", "客户开放日", "--name", "黄静", "--phone", "13900002222").exit_code == 0
    done = crm("no-show", "客户开放日", "黄静")
    assert done.exit_code == 0 and "黄静 no-show" in done.stdout


REG3 = "姓名,手机\n周八,13800000008\n罗洋,13800000005\n吴九,13800000009\n"


def test_import_refuses_a_no_show_row_and_imports_the_rest(
    crm, db_path: Path, tmp_path: Path
) -> None:
    assert crm("add", "campaign", "客户开放日").exit_code == 0
    assert crm("register", "客户开放日", "--name", "罗洋", "--phone", "13800000005").exit_code == 0
    assert crm("no-show", "客户开放日", "罗洋").exit_code == 0
    path = tmp_path / "reg3.csv"
    path.write_text(REG3, encoding="utf-8")
    done = crm("import", "registrations", "客户开放日", str(path))
    assert done.exit_code == 2, (done.stdout, done.stderr)  # partial: some rows refused
    assert "line 3: status: 罗洋: a no_show member cannot become registered" in done.stdout
    assert _members(db_path) == {
        "周八": ("registered", None),
        "罗洋": ("no_show", None),
        "吴九": ("registered", None),
    }
    with (tmp_path / "reg3.rejected.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == ["3"] and rows[1][2] == "罗洋"


def test_import_service_reports_the_refused_line(db, tmp_path: Path) -> None:
    book = Book(db)
    day = campaigns.add_campaign(book, {"name": "武汉技术交流会"})
    campaign_members.add_people(
        book, day.id, [{"name": "罗洋", "phone": "13800000005"}], "registered"
    )
    member = campaign_members.find_member(book, day.id, "罗洋")
    campaign_members.step(book, member.id, "no_show")
    path = tmp_path / "reg3.csv"
    path.write_text(REG3, encoding="utf-8")
    result = campaign_import.import_registrations(book, day.id, path)
    assert (result.rows, result.created, result.merged) == (3, 2, 0)
    assert [(p.line, p.cells[0]) for p in result.rejected] == [(3, "罗洋")]


def test_a_second_campaign_of_one_name_warns_and_the_name_lists_both(crm) -> None:
    first = crm("add", "campaign", "上海工业博览会", "--start", "2026-12-10")
    assert first.exit_code == 0 and first.stderr == ""
    second = crm("add", "campaign", "上海工业博览会", "--start", "2026-12-12")
    assert second.exit_code == 0
    warning = second.stderr.strip()
    assert warning.startswith("warning: a campaign named '上海工业博览会' already exists:")
    assert first.stdout.strip()[:8] in warning and "starts 2026-12-10" in warning
    for args in (
        ("attend", "上海工业博览会", "8000"),
        ("register", "上海工业博览会", "--name", "张伟", "--phone", "13800138000"),
        ("members", "上海工业博览会"),
    ):
        result = crm(*args)
        _one_error(result, "'上海工业博览会' matches 2 campaigns: ")
        line = result.stderr
        assert "starts 2026-12-10" in line and "starts 2026-12-12" in line, line
        assert first.stdout.strip()[:8] in line and second.stdout.strip()[:8] in line
        assert line.strip().endswith("give the id")
    # Either id still works.
    by_id = crm("register", second.stdout.strip()[:13], "--name", "张伟", "--phone", "13800138000")
    assert by_id.exit_code == 0, by_id.stderr


def test_register_says_where_a_known_person_was(crm) -> None:
    assert crm("add", "campaign", "客户开放日").exit_code == 0
    assert (
        crm("register", "客户开放日", "--name", "欧阳涛", "--phone", "13900003333").exit_code == 0
    )
    assert crm("decline", "客户开放日", "欧阳涛").exit_code == 0
    back = crm("register", "客户开放日", "--name", "欧阳涛", "--phone", "13900003333")
    assert back.exit_code == 0 and back.stdout.strip().endswith("欧阳涛 registered (had declined)")
    again = crm("register", "客户开放日", "--name", "欧阳涛", "--phone", "13900003333")
    assert again.stdout.strip().endswith("欧阳涛 registered (already registered)")
    assert crm("attend", "客户开放日", "3333").exit_code == 0
    late = crm("register", "客户开放日", "--name", "欧阳涛", "--phone", "13900003333")
    assert late.exit_code == 0 and late.stdout.strip().endswith(
        "欧阳涛 attended (already attended)"
    )


def test_member_commands_print_short_ids_that_resolve(crm) -> None:
    assert crm("add", "campaign", "客户开放日").exit_code == 0
    reg = crm("register", "客户开放日", "--name", "张伟", "--phone", "13800138000")
    member_id = reg.stdout.split()[0]
    assert 6 <= len(member_id) < 36 and crm("show", member_id).exit_code == 0
    walk = crm("walk-in", "客户开放日", "--name", "陈静", "--company", "杭州新材料")
    assert walk.exit_code == 0 and "陈静 attended; customer 杭州新材料 " in walk.stdout
    customer_id = walk.stdout.split()[-1]
    assert len(customer_id) < 36 and "杭州新材料" in crm("show", customer_id).stdout
    table = crm("members", "客户开放日").stdout.splitlines()
    assert table[1].split()[0] in (member_id, walk.stdout.split()[0])
    assert all(len(line.split()[0]) < 36 for line in table[1:])


def test_dry_run_refuses_what_the_import_would(db, tmp_path: Path) -> None:
    book = Book(db)
    day = campaigns.add_campaign(book, {"name": "武汉技术交流会"})
    campaign_members.add_people(
        book, day.id, [{"name": "罗洋", "phone": "13800000005"}], "registered"
    )
    campaign_members.step(book, campaign_members.find_member(book, day.id, "罗洋").id, "no_show")
    path = tmp_path / "reg3.csv"
    path.write_text(REG3, encoding="utf-8")
    dry = campaign_import.import_registrations(book, day.id, path, dry_run=True)
    assert dry.created == 2 and [p.line for p in dry.rejected] == [3]
    assert [m.name for m in campaign_members.members(book, day.id)] == ["罗洋"]


def test_missing_name_and_an_existing_export_file_are_one_error(
    crm, db_path: Path, tmp_path: Path
) -> None:
    assert crm("add", "campaign", "客户开放日").exit_code == 0
    _one_error(crm("register", "客户开放日", "--phone", "13900001111"), "name: is required")
    _one_error(crm("walk-in", "客户开放日", "--phone", "13900001111"), "name: is required")
    assert _members(db_path) == {}
    out = tmp_path / "members.csv"
    out.write_text("keep me", encoding="utf-8")
    _one_error(crm("members", "客户开放日", "--export", str(out)), f"--export: {out} exists")
    assert out.read_text(encoding="utf-8") == "keep me"
    assert crm("register", "客户开放日", "--name", "李四", "--phone", "13900001111").exit_code == 0
    assert crm("members", "客户开放日", "--export", str(out), "--force").exit_code == 0
    assert "李四" in out.read_text(encoding="utf-8-sig")


@pytest.mark.anyio
async def test_campaign_page_gives_the_company_room_and_shows_every_step_key(db) -> None:
    from rich.cells import cell_len

    from crm_tui.screens.campaign_detail import CampaignDetailScreen
    from crm_tui.widgets.cells import column_widths
    from crm_tui.widgets.record_table import MIN_FLEX
    from tests.tui.support_b import Host

    book = Book(db)
    expo = campaigns.add_campaign(book, {"name": "客户开放日"})
    app = Host(db, lambda b: CampaignDetailScreen(b, expo.id))
    async with app.run_test(size=(120, 40)):
        screen = app.screen
        columns = screen.columns()
        widths = dict(
            zip([c.key for c in columns], column_widths(columns, 118, MIN_FLEX), strict=True)
        )
        assert widths["company"] >= cell_len("长沙长城食品股份有限公司")
        shown = {b.key for b in screen.BINDINGS if getattr(b, "show", True)}
        assert {"a", "x", "o", "I"} <= shown


def test_the_app_warns_of_a_second_campaign_of_one_name(db) -> None:
    book = Book(db)
    first = campaigns.add_campaign(book, {"name": "上海工业博览会", "starts_on": "2026-12-10"})
    assert campaigns.namesake_warning(book, first) is None
    second = campaigns.add_campaign(book, {"name": "上海工业博览会", "starts_on": "2026-12-12"})
    warning = campaigns.namesake_warning(book, second) or ""
    assert warning.startswith("Another campaign is also called 上海工业博览会: 上海工业博览会 (")
    assert first.id[:6] in warning and "starts 2026-12-10" in warning
    assert "2026-12-12" not in warning


def test_an_ambiguous_campaign_on_a_deal_or_claim_lists_the_candidates(crm) -> None:
    first = crm("add", "campaign", "上海工业博览会", "--start", "2026-12-10").stdout.strip()
    second = crm("add", "campaign", "上海工业博览会", "--start", "2026-12-12").stdout.strip()
    assert crm("add", "customer", "上海机电").exit_code == 0
    for args in (
        ("add", "deal", "展会线索", "--customer", "上海机电", "--campaign", "上海工业博览会"),
        ("add", "expense", "1200", "--category", "travel", "--campaign", "上海工业博览会"),
    ):
        result = crm(*args)
        _one_error(result, "'上海工业博览会' matches more than one campaign: ")
        assert first[:13] in result.stderr and second[:13] in result.stderr
        assert "starts 2026-12-10" in result.stderr and "starts 2026-12-12" in result.stderr
    by_id = ("add", "deal", "展会线索", "--customer", "上海机电", "--campaign", first[:13])
    assert crm(*by_id).exit_code == 0
