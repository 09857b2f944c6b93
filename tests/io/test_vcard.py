"""vCard 3.0 / 4.0: phones' address books in, cards out, CJK names intact."""

from __future__ import annotations

import io

from crm_tui.io.vcard import export_vcard, import_vcard

CARDS = """BEGIN:VCARD
VERSION:4.0
FN:张伟
N:张;伟;;;
ORG:北京华信科技有限公司;销售部
TITLE:经理
TEL;TYPE=cell;VALUE=uri:tel:+86-138-0013-8000
TEL;TYPE="work,voice":010-12345678
TEL;TYPE=home:010-87654321
EMAIL;TYPE=work:zw@hx.cn
ADR;TYPE=work:;;海淀区中关村大街1号;北京;;100080;中国
BDAY:--1130
NOTE:多行\\n笔记\\, 逗号
PHOTO:data:image/png;base64,iVBORw0KGgo=
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:Lee;Ann;;;
FN:Ann Lee
TEL;TYPE=CELL:+1 555 0100
EMAIL;TYPE=INTERNET:ann@x.com
BDAY:1985-04-12
ADR;TYPE=HOME:;;1 Main St;Springfield;;;USA
PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:broken card
BDAY;VALUE=date:::
TEL;;;
END:VCARD
"""


def test_cards_become_contacts_of_their_company_or_person_customers(db, write) -> None:
    customers, contacts = import_vcard(db, write("all.vcf", CARDS))
    assert contacts.created == 1 and contacts.customers_created == 1
    zhang = db.repos.contacts.page()[0]
    assert (zhang.name, zhang.title, zhang.mobile, zhang.phone, zhang.email) == (
        "张伟",
        "经理",
        "+86-138-0013-8000",
        "010-12345678",
        "zw@hx.cn",
    )
    assert "多行\n笔记, 逗号" in zhang.notes
    assert "Phone: 010-87654321" in zhang.notes and "Birthday: 11-30" in zhang.notes
    assert "Address: 海淀区中关村大街1号, 北京, 100080, 中国" in zhang.notes
    assert db.repos.customers.require(zhang.customer_id).name == "北京华信科技有限公司"
    ann = {c.name: c for c in db.repos.customers.page()}["Ann Lee"]
    assert (ann.kind, ann.phone, ann.email, str(ann.birthday), ann.address, ann.city) == (
        "person",
        "+1 555 0100",
        "ann@x.com",
        "1985-04-12",
        "1 Main St",
        "Springfield",
    )
    assert [p.line for p in customers.rejected] == [26]
    assert "unreadable card" in customers.rejected[0].reason
    photo_notes = [n for n in customers.notes if "photo" in n]
    assert len(photo_notes) == 2 and "line 1" in photo_notes[0]


def test_second_import_of_the_same_cards_finds_duplicates(db, write) -> None:
    path = write("all.vcf", CARDS)
    import_vcard(db, path)
    customers, contacts = import_vcard(db, path)
    assert customers.created == 0 and contacts.created == 0
    assert len(customers.duplicates) == 1 and len(contacts.duplicates) == 1


def test_export_then_import_keeps_people_companies_and_contacts(db, tmp_path) -> None:
    from crm_tui.storage.database import open_database

    acme = db.repos.customers.create(
        {
            "name": "Acme, Ltd; 北京",
            "phone": "010-1234",
            "website": "acme.example.com",
            "tags": "vip,出口",
            "address": "1 Road",
            "city": "北京",
        }
    )
    db.repos.customers.create(
        {
            "name": "王芳",
            "kind": "person",
            "birthday": "1990-02-03",
            "email": "wf@x.cn",
            "notes": "likes tea\nand golf",
        }
    )
    db.repos.contacts.create(
        {
            "customer_id": acme.id,
            "name": "张伟",
            "title": "CEO",
            "mobile": "13800138000",
            "phone": "010-5678",
        }
    )
    for version in ("3.0", "4.0"):
        out = io.StringIO()
        assert export_vcard(db, out, version=version) == 3
        assert f"VERSION:{version}" in out.getvalue()
        path = tmp_path / f"out{version}.vcf"
        path.write_text(out.getvalue(), encoding="utf-8")
        other = open_database(tmp_path / f"copy{version}.db", db.clock)
        customers, contacts = import_vcard(other, path)
        assert not customers.rejected and not contacts.rejected
        got = {c.name: c for c in other.repos.customers.page()}
        assert got["Acme, Ltd; 北京"].id == acme.id
        assert (got["Acme, Ltd; 北京"].kind, got["Acme, Ltd; 北京"].tags) == ("company", "vip,出口")
        assert got["Acme, Ltd; 北京"].website == "acme.example.com"
        assert (got["王芳"].kind, str(got["王芳"].birthday)) == ("person", "1990-02-03")
        assert got["王芳"].notes == "likes tea\nand golf"
        zhang = other.repos.contacts.page()[0]
        assert (zhang.name, zhang.title, zhang.mobile, zhang.phone, zhang.customer_id) == (
            "张伟",
            "CEO",
            "13800138000",
            "010-5678",
            acme.id,
        )
        other.close()


def test_dry_run_changes_nothing(db, write) -> None:
    customers, contacts = import_vcard(db, write("all.vcf", CARDS), dry_run=True)
    assert customers.dry_run and contacts.created == 1
    assert db.repos.customers.count() == 0 and db.pending_changes() == 0


def test_a_file_without_cards_is_refused(db, write) -> None:
    import pytest

    from crm_tui.io.results import ImportFailed

    with pytest.raises(ImportFailed, match="no vCards"):
        import_vcard(db, write("x.vcf", "hello\n"))


def test_export_with_a_query_takes_the_customers_contacts_along(db) -> None:
    bj = db.repos.customers.create({"name": "北京钢管", "city": "北京"})
    sh = db.repos.customers.create({"name": "上海远航", "city": "上海"})
    db.repos.contacts.create({"customer_id": bj.id, "name": "张伟"})
    db.repos.contacts.create({"customer_id": sh.id, "name": "李娜"})
    out = io.StringIO()
    assert export_vcard(db, out, "city:北京") == 2
    assert "FN:张伟" in out.getvalue() and "李娜" not in out.getvalue()
    out = io.StringIO()
    assert export_vcard(db, out, "李娜") == 2  # the contact, found by name, and her company
    assert "FN:李娜" in out.getvalue() and "ORG:上海远航" in out.getvalue()


def test_old_phone_exports_in_vcard_21_with_quoted_printable_names(db, write) -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0=E4=BC=9F\r\n"
        "TEL;CELL:13800138000\r\nTEL;WORK:010-1234\r\nEND:VCARD\r\n"
    )
    customers, _contacts = import_vcard(db, write("old.vcf", card))
    person = db.repos.customers.page()[0]
    assert (person.name, person.kind, person.phone) == ("张伟", "person", "13800138000")
    assert "Phone: 010-1234" in person.notes


def test_strict_vcard_import_writes_nothing_when_a_card_is_refused(db, write) -> None:
    customers, contacts = import_vcard(db, write("all.vcf", CARDS), strict=True)
    assert customers.aborted and contacts.created == 1
    assert db.repos.customers.count() == 0 and db.pending_changes() == 0
