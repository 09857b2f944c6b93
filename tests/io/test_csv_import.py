"""CSV import: encodings, delimiters, other tools' headers, duplicates and refused rows."""

from __future__ import annotations

import json
import sqlite3

import pytest

from crm_tui.domain import field_clocks
from crm_tui.io.csv_import import import_csv, plan_csv
from crm_tui.io.results import ImportFailed
from crm_tui.storage.bulk import sort_key
from crm_tui.storage.search import pinyin_key

CHINESE = (
    "客户名称,联系人,手机,邮箱,城市,地址\n"
    "北京华信科技有限公司,张伟,13800138000,zw@hx.cn,北京,海淀区中关村大街1号\n"
    "上海远航贸易,李娜,13900000000,,上海,浦东新区\n"
)


def _table(db, table: str) -> list[dict]:
    conn = sqlite3.connect(db.path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY created_at, id")]
    finally:
        conn.close()


def _snapshot(db) -> dict[str, int]:
    conn = sqlite3.connect(db.path)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("customer", "contact", "activity", "opportunity", "outbox", "search_doc")
        }
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b""), ("utf-16", b"")],
)
def test_chinese_excel_file_is_read_in_any_common_encoding(db, write, encoding, bom) -> None:
    path = write("客户.csv", bom + CHINESE.encode(encoding))
    result, plan = import_csv(db, path, "customer")
    assert result.created == 2 and not result.rejected
    names = [c.name for c in db.repos.customers.page()]
    assert sorted(names) == sorted(["北京华信科技有限公司", "上海远航贸易"])
    rec = db.repos.customers.search("华信")[0]
    assert (rec.phone, rec.email, rec.city, rec.address) == (
        "13800138000",
        "zw@hx.cn",
        "北京",
        "海淀区中关村大街1号",
    )
    assert plan.ignored == ["联系人"]


def test_short_gbk_file_is_not_mistaken_for_utf16(db, write) -> None:
    path = write("short.csv", "客户名称,城市\n华信,北京\n".encode("gbk"))
    result, plan = import_csv(db, path, "customer")
    assert plan.encoding == "gb18030"
    assert db.repos.customers.page()[0].city == "北京"


def test_western_outlook_file_in_cp1252(db, write) -> None:
    text = (
        "First Name,Last Name,Company,E-mail Address,Business Phone\n"
        "Søren,Müller,Café Zürich,s@cz.ch,+41 44 123 45 67\n"
    )
    result, plan = import_csv(db, write("outlook.csv", text.encode("cp1252")), "contact")
    assert plan.encoding == "cp1252"
    contact = db.repos.contacts.page()[0]
    assert contact.name == "Søren Müller" and contact.phone == "+41 44 123 45 67"
    assert db.repos.customers.require(contact.customer_id).name == "Café Zürich"


def test_damaged_utf8_is_refused_with_its_line_and_nothing_is_written(db, write) -> None:
    data = CHINESE.encode("utf-8") + "广州,王,1,a@b.cn,广州,x\n".encode("gbk")
    before = _snapshot(db)
    with pytest.raises(ImportFailed, match=r"not valid UTF-8: bad byte at line 4"):
        import_csv(db, write("broken.csv", data), "customer")
    assert _snapshot(db) == before


def test_wrong_encoding_named_by_the_user_is_a_clear_error(db, write) -> None:
    path = write("gbk.csv", CHINESE.encode("gbk"))
    with pytest.raises(ImportFailed, match="not valid utf-8"):
        import_csv(db, path, "customer", encoding="utf-8")


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"   "])
def test_empty_file_is_refused(db, write, content) -> None:
    with pytest.raises(ImportFailed, match="empty"):
        import_csv(db, write("empty.csv", content), "customer")


def test_binary_file_is_refused(db, write) -> None:
    with pytest.raises(ImportFailed):
        import_csv(db, write("x.csv", bytes(range(256)) * 4), "customer")


def test_file_without_any_known_column_asks_for_a_map(db, write) -> None:
    with pytest.raises(ImportFailed, match="no header row"):
        import_csv(db, write("x.csv", "foo,bar\n1,2\n"), "customer")


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_detected(db, write, delimiter) -> None:
    path = write("d.csv", CHINESE.replace(",", delimiter))
    result, plan = import_csv(db, path, "customer")
    assert plan.delimiter == delimiter and result.created == 2


def test_title_line_above_the_header_is_skipped(db, write) -> None:
    path = write("t.csv", "客户列表（导出于 2026-11-20）\n\n" + CHINESE)
    result, plan = import_csv(db, path, "customer")
    assert plan.header_line == 3 and result.created == 2


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (  # Google Contacts (new CSV)
            "First Name,Middle Name,Last Name,Organization Name,Organization Title,"
            "E-mail 1 - Value,Phone 1 - Value,Phone 2 - Value,Birthday,Notes",
            "Ann,,Lee,Acme Ltd,Buyer,ann@acme.com,+1 555 0100,+1 555 0199,1985-04-12,met at fair",
            {
                "name": "Ann Lee",
                "title": "Buyer",
                "email": "ann@acme.com",
                "phone": "+1 555 0100",
                "mobile": "+1 555 0199",
                "birthday": "1985-04-12",
                "notes": "met at fair",
                "company": "Acme Ltd",
            },
        ),
        (  # Salesforce contacts
            "First Name,Last Name,Account Name,Title,Email,Phone,Mobile",
            "Bob,Stone,Stone Corp,CTO,bob@stone.io,010-1234,139 0000 1111",
            {
                "name": "Bob Stone",
                "company": "Stone Corp",
                "title": "CTO",
                "email": "bob@stone.io",
                "phone": "010-1234",
                "mobile": "139 0000 1111",
            },
        ),
        (  # HubSpot contacts
            "First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,Job Title",
            "Cy,Ng,cy@ng.hk,+852 1234 5678,+852 9876 5432,NG Trading,Owner",
            {
                "name": "Cy Ng",
                "company": "NG Trading",
                "phone": "+852 1234 5678",
                "mobile": "+852 9876 5432",
                "title": "Owner",
            },
        ),
        (  # Chinese CRM export, family and given names in separate columns
            "姓,名,公司名称,职务,手机号码,电子邮箱",
            "王,芳,深圳创新科技,采购经理,13712345678,wf@cx.cn",
            {
                "name": "王芳",
                "company": "深圳创新科技",
                "title": "采购经理",
                "mobile": "13712345678",
                "email": "wf@cx.cn",
            },
        ),
    ],
)
def test_contact_exports_of_common_tools_map_automatically(
    db, write, header, row, expected
) -> None:
    result, _plan = import_csv(db, write("c.csv", f"{header}\n{row}\n"), "contact")
    assert result.created == 1, result.rejected
    contact = db.repos.contacts.page()[0]
    company = expected.pop("company")
    assert db.repos.customers.require(contact.customer_id).name == company
    for name, value in expected.items():
        assert str(getattr(contact, name)) == value


@pytest.mark.parametrize(
    "header",
    [
        "Account Name,Phone,Website,Industry,Billing City,Billing Street,Description",  # SF/Zoho
        "Company name,Phone Number,Website URL,Industry,City,Street Address,Description",  # HubSpot
    ],
)
def test_account_exports_of_big_crms_map_to_customers(db, write, header) -> None:
    row = "Acme Ltd,+1 555 0100,acme.example.com,Manufacturing,Shanghai,1 Road,Big buyer"
    result, _plan = import_csv(db, write("a.csv", f"{header}\n{row}\n"), "customer")
    assert result.created == 1, (result.rejected, result.notes)
    rec = db.repos.customers.page()[0]
    assert (rec.name, rec.phone, rec.website, rec.industry, rec.city, rec.notes) == (
        "Acme Ltd",
        "+1 555 0100",
        "acme.example.com",
        "Manufacturing",
        "Shanghai",
        "Big buyer",
    )


def test_explicit_map_wins_and_can_ignore_a_column(db, write) -> None:
    path = write("m.csv", "Firma,Ort,Kommentar\nAcme,Berlin,secret\n")
    result, plan = import_csv(
        db, path, "customer", explicit={"Firma": "name", "Ort": "city", "Kommentar": ""}
    )
    rec = db.repos.customers.page()[0]
    assert (rec.name, rec.city, rec.notes) == ("Acme", "Berlin", None)
    assert plan.ignored == ["Kommentar"]


def test_map_to_an_unknown_field_is_refused(db, write) -> None:
    with pytest.raises(ImportFailed, match="no field 'colour'"):
        import_csv(db, write("m.csv", "name\nx\n"), "customer", explicit={"name": "colour"})


def test_bad_values_are_refused_with_line_and_reason_and_the_rest_imported(db, write) -> None:
    text = (
        "customer,title,amount,expected_close,stage\n"
        "Acme,Pumps,12000.50,2026-12-31,proposal\n"
        "Acme,Valves,twelve,2026-12-31,lead\n"
        "Acme,Pipes,100,2026-02-30,lead\n"
        '"Acme","Multi\nline",100,,lead\n'
        "Acme,Ragged,1,2026-12-01,lead,extra\n"
        "Nobody,Ghost,1,,lead\n"
    )
    db.repos.customers.create({"name": "Acme"})
    result, _plan = import_csv(db, write("o.csv", text), "opportunity")
    assert result.created == 2
    reasons = {p.line: p.reason for p in result.rejected}
    assert set(reasons) == {3, 4, 7, 8}
    assert "amount" in reasons[3] and "twelve" in reasons[3]
    assert "expected_close" in reasons[4] and "2026-02-30" in reasons[4]
    assert "has 6 cells but the header has 5" in reasons[7]
    assert "no customer named 'Nobody'" in reasons[8]
    deal = {o.title: o for o in db.repos.opportunities.page()}
    assert deal["Pumps"].amount == 1_200_050 and deal["Multi\nline"].amount == 10_000


def test_money_is_read_in_its_rows_currency(db, write) -> None:
    db.repos.customers.create({"name": "Acme"})
    text = "customer,title,amount,currency\nAcme,A,1500,JPY\nAcme,B,1.125,KWD\nAcme,C,99.5,\n"
    result, _plan = import_csv(db, write("o.csv", text), "opportunity")
    assert not result.rejected
    got = {o.title: (o.amount, o.currency) for o in db.repos.opportunities.page()}
    assert got == {"A": (1500, "JPY"), "B": (1125, "KWD"), "C": (9950, "CNY")}


def test_duplicates_in_the_file_and_the_database_are_skipped_by_default(db, write) -> None:
    db.repos.customers.create({"name": "Acme Ltd", "phone": "+86 138 0013 8000"})
    text = (
        "name,phone,email\n"
        "acme ltd,13800138000,\n"  # same name (any case) and phone as the database
        "Beta,010-1111,b@b.com\n"
        "BETA,,b@b.com\n"  # same name and e-mail as line 3
        "Beta,010-2222,other@b.com\n"  # same name, different phone and e-mail: a new record
    )
    result, _plan = import_csv(db, write("d.csv", text), "customer")
    assert result.created == 2
    dupes = {p.line: p.reason for p in result.duplicates}
    assert set(dupes) == {2, 4}
    assert "existing customer" in dupes[2] and dupes[4] == "duplicate of line 3"


def test_merge_fills_blanks_unites_tags_and_keeps_existing_values(db, write) -> None:
    existing = db.repos.customers.create(
        {"name": "Acme", "email": "a@acme.com", "city": "北京", "tags": "vip"}
    )
    text = "name,email,city,industry,tags\nAcme,a@acme.com,上海,Steel,export\n"
    result, _plan = import_csv(db, write("m.csv", text), "customer", on_duplicate="merge")
    assert result.merged == 1 and result.created == 0
    rec = db.repos.customers.require(existing.id)
    assert (rec.city, rec.industry, rec.tags) == ("北京", "Steel", "vip,export")
    assert any("kept city '北京'" in note for note in result.notes)
    assert db.outbox_rows()[-1]["kind"] == "patch"


def test_merge_within_the_file(db, write) -> None:
    text = "name,email,city,notes\nAcme,a@acme.com,,first\nAcme,a@acme.com,上海,second\n"
    result, _plan = import_csv(db, write("m.csv", text), "customer", on_duplicate="merge")
    assert (result.created, result.merged) == (1, 1)
    rec = db.repos.customers.page()[0]
    assert (rec.city, rec.notes) == ("上海", "first")


def test_create_policy_imports_duplicates_anyway(db, write) -> None:
    text = "name,email\nAcme,a@acme.com\nAcme,a@acme.com\n"
    result, _plan = import_csv(db, write("m.csv", text), "customer", on_duplicate="create")
    assert result.created == 2 and db.repos.customers.count() == 2


def test_contacts_link_to_existing_customers_or_create_them(db, write) -> None:
    acme = db.repos.customers.create({"name": "Acme Ltd"})
    text = "name,company,mobile\nJane,ACME LTD,13800000001\nJoe,New Co,13800000002\n"
    result, _plan = import_csv(db, write("c.csv", text), "contact")
    assert (result.created, result.customers_created) == (2, 1)
    by_name = {c.name: c for c in db.repos.contacts.page()}
    assert by_name["Jane"].customer_id == acme.id
    assert db.repos.customers.require(by_name["Joe"].customer_id).name == "New Co"
    assert [c.name for c in db.repos.customers.search("jane")] == ["Acme Ltd"]


def test_contact_without_a_company_is_refused(db, write) -> None:
    result, _plan = import_csv(db, write("c.csv", "name,mobile\nJane,13800000001\n"), "contact")
    assert result.created == 0
    assert "customer: is required" in result.rejected[0].reason


def test_followups_import_with_due_dates(db, write, clock) -> None:
    acme = db.repos.customers.create({"name": "Acme"})
    text = "客户名称,主题,类型,跟进时间\nAcme,回访,visit,2026-11-30 14:30\nAcme,电话,call,fri\n"
    result, _plan = import_csv(db, write("f.csv", text), "activity")
    assert result.created == 2, result.rejected
    visit = {a.subject: a for a in db.repos.activities.page()}["回访"]
    assert visit.customer_id == acme.id and visit.kind == "visit"
    assert clock.to_local(visit.due_at).strftime("%Y-%m-%d %H:%M") == "2026-11-30 14:30"
    assert visit.remind_at == visit.due_at


def test_import_writes_outbox_rows_sort_keys_and_search_documents(db, write) -> None:
    import_csv(db, write("c.csv", CHINESE), "customer")
    rows = _table(db, "customer")
    assert [r["sort_key"] for r in rows] == [pinyin_key(r["name"]) for r in rows]
    outbox = db.outbox_rows()
    assert [o["kind"] for o in outbox] == ["create", "create"]
    assert {o["row_id"] for o in outbox} == {r["id"] for r in rows}
    payload = outbox[0]["payload"]
    assert payload["name"] == rows[0]["name"] and "owner_id" in payload
    # Made in one step: one clock for every field (the compact form), the one it was queued with.
    clocks = json.loads(rows[0]["field_hlc"])
    stamp = next(o["hlc"] for o in outbox if o["row_id"] == rows[0]["id"])
    assert clocks == field_clocks.one_clock(stamp)
    assert {field_clocks.clock_of(clocks, f) for f in ("name", "phone", "city")} == {stamp}
    assert stamp <= db.state("last_hlc")
    assert [c.name for c in db.repos.customers.search("远航")] == ["上海远航贸易"]


def test_dry_run_changes_nothing_but_reports_everything(db, write) -> None:
    before = _snapshot(db)
    result, _plan = import_csv(
        db, write("c.csv", CHINESE + "x,1,abc,bad,x,y\n"), "customer", dry_run=True
    )
    assert result.dry_run and result.created == 2 and len(result.rejected) == 1
    assert _snapshot(db) == before


def test_a_failure_while_writing_leaves_the_database_as_it_was(db, write, monkeypatch) -> None:
    from crm_tui.storage import bulk

    before = _snapshot(db)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "index_records", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_csv(db, write("c.csv", CHINESE), "contact")
    assert _snapshot(db) == before


def test_preview_shows_mapped_rows_and_refusals(write) -> None:
    plan = plan_csv(write("c.csv", CHINESE + "only,two\n"), "contact")
    preview = plan.preview()
    assert preview[0][1] == {
        "customer": "北京华信科技有限公司",
        "name": "张伟",
        "mobile": "13800138000",
        "email": "zw@hx.cn",
    }
    assert preview[-1][0] == 4 and "has 2 cells" in (preview[-1][2] or "")


@pytest.mark.parametrize(
    "name", ["张伟", "重庆银行 Acme", "长乐行123号", "〇一 x", "𠀀abc", "Zhao Ltd"]
)
def test_bulk_sort_key_equals_the_repositorys(name) -> None:
    assert sort_key(name) == pinyin_key(name)


def test_tabs_and_semicolons_inside_values_do_not_change_the_delimiter(db, write) -> None:
    text = 'name,notes,city\nAcme,"a\tb\tc\td;e;f;g",x\nBeta,\t\t\t\t\t\t,y\n'
    result, plan = import_csv(db, write("n.csv", text), "customer")
    assert plan.delimiter == "," and result.created == 2


def test_progress_is_reported_while_a_large_file_is_read(db, write) -> None:
    lines = "".join(f"Customer {i},010-{i:06d}\n" for i in range(2500))
    seen: list[int] = []
    result, _plan = import_csv(
        db, write("p.csv", "name,phone\n" + lines), "customer", progress=seen.append
    )
    assert result.created == 2500 and seen == [1000, 2000]


def test_every_record_type_exports_with_its_stable_columns(db) -> None:
    import io

    from crm_tui.domain.fields import ENTITIES
    from crm_tui.io.csv_export import export_columns, export_csv

    acme = db.repos.customers.create({"name": "Acme"})
    db.repos.expenses.create({"spent_on": "2026-11-20", "amount": "12.5", "customer_id": acme.id})
    for entity in ENTITIES:
        out = io.StringIO()
        count = export_csv(db, entity, out)
        header = out.getvalue().splitlines()[0]
        assert header == ",".join(export_columns(entity))
        assert count == {"customer": 1, "expense": 1}.get(entity, 0)
    out = io.StringIO()
    export_csv(db, "expense", out)
    assert ",12.50,CNY," in out.getvalue() and f",{acme.id},Acme," in out.getvalue()


def test_another_tools_ids_are_not_kept_as_ours(db, write) -> None:
    text = "Id,Account Name\n0015g00000XyZ1,Acme\n0015g00000XyZ2,Beta\n"
    result, _plan = import_csv(db, write("sf.csv", text), "customer")
    assert result.created == 2
    assert all(len(c.id) == 36 for c in db.repos.customers.page())
    assert any("not crm ids" in note for note in result.notes)


def test_a_row_without_a_name_is_refused_not_a_crash(db, write) -> None:
    result, _plan = import_csv(db, write("n.csv", "name,phone\n,13800138000\nAcme,\n"), "customer")
    assert result.created == 1
    assert [(p.line, p.reason) for p in result.rejected] == [(2, "name: is required")]


def test_row_estimate_for_the_progress_bar(write) -> None:
    from crm_tui.io.csv_import import estimate_rows

    assert estimate_rows(plan_csv(write("a.csv", CHINESE), "customer")) == 2
    assert estimate_rows(plan_csv(write("b.csv", CHINESE.rstrip("\n")), "customer")) == 2


def test_outlooks_empty_birthday_is_empty_not_a_bad_date(db, write) -> None:
    text = "First Name,Last Name,Company,Birthday\nAnn,Lee,Acme,0/0/00\nBo,Li,Acme,4/12/1985\n"
    result, _plan = import_csv(db, write("o.csv", text), "contact")
    assert result.created == 2 and not result.rejected
    born = {c.name: c.birthday for c in db.repos.contacts.page()}
    assert born["Ann Lee"] is None and str(born["Bo Li"]) == "1985-04-12"


def test_a_birthday_without_a_year_is_kept_in_the_notes(db, write) -> None:
    text = "Name,Organization Name,Birthday,Notes\nAnn Lee,Acme,--04-12,met at fair\n"
    result, _plan = import_csv(db, write("g.csv", text), "contact")
    assert result.created == 1
    ann = db.repos.contacts.page()[0]
    assert ann.birthday is None and ann.notes == "met at fair\nBirthday: 04-12"
