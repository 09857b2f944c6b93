"""A file longer than the detection sample is read as it is imported (memory stays flat):
every row arrives in any common encoding — also with a character cut at the sample's end —
and a bad byte far into the file stops the import with its line and writes nothing."""

from __future__ import annotations

import sqlite3

import pytest

from crm_tui.io import csv_import
from crm_tui.io.csv_import import estimate_rows, import_csv, plan_csv
from crm_tui.io.results import ImportFailed

HEADER = "客户名称,手机,城市\n"


def _rows(n: int) -> str:
    return "".join(f"华信科技{i:05d}有限公司,138{i:08d},武汉\n" for i in range(n))


def _names(db) -> list[str]:
    conn = sqlite3.connect(db.path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM customer ORDER BY name")]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("utf-16", b"")],
)
def test_a_file_longer_than_the_sample_imports_every_row(
    db, write, monkeypatch: pytest.MonkeyPatch, encoding: str, bom: bytes
) -> None:
    # 1,001 bytes: the sample ends inside a two- or three-byte character.
    monkeypatch.setattr(csv_import, "_SAMPLE", 1001)
    path = write("big.csv", bom + (HEADER + _rows(400)).encode(encoding))
    plan = plan_csv(path, "customer")
    assert not plan.complete  # the rows stream from the file
    assert 399 <= estimate_rows(plan) <= 401
    result, _ = import_csv(db, path, "customer")
    assert (result.created, result.rejected) == (400, [])
    names = _names(db)
    assert names[0] == "华信科技00000有限公司" and names[-1] == "华信科技00399有限公司"


def test_a_bad_byte_after_the_sample_names_its_line_and_writes_nothing(
    db, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_import, "_SAMPLE", 2048)
    good = (HEADER + _rows(300)).encode("utf-8")
    path = write("broken.csv", good + b"\xff\xfe broken,1,x\n" + _rows(5).encode("utf-8"))
    with pytest.raises(ImportFailed, match="not valid UTF-8: bad byte at line 302 "):
        import_csv(db, path, "customer")
    assert _names(db) == []


def _count(db, sql: str) -> int:
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_rows_written_a_chunk_at_a_time_still_merge_and_link(
    db, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm_tui.io import records

    monkeypatch.setattr(records, "CHUNK", 3)  # every few rows go to the database at once
    lines = [f"公司{i},1390000000{i}," for i in range(8)]
    lines.append("公司1,13900000001,gs1@example.cn")  # the same company, now with an e-mail
    path = write("c.csv", "名称,电话,邮箱\n" + "\n".join(lines) + "\n")
    result, _ = import_csv(db, path, "customer", on_duplicate="merge")
    assert (result.created, result.merged, result.rejected) == (8, 1, [])
    emails = "SELECT count(*) FROM customer WHERE name = '公司1' AND email = 'gs1@example.cn'"
    assert _count(db, emails) == 1  # merged into a row already written
    # Contacts name their company: each new company is made once, whichever chunk it is in.
    people = [f"联系人{i},新公司{i % 3},1370000000{i}" for i in range(7)]
    path = write("p.csv", "姓名,公司,手机\n" + "\n".join(people) + "\n")
    result, _ = import_csv(db, path, "contact")
    assert (result.created, result.customers_created, result.rejected) == (7, 3, [])
    assert _count(db, "SELECT count(*) FROM customer WHERE name LIKE '新公司%'") == 3
    assert _count(db, "SELECT count(*) FROM contact WHERE customer_id IS NULL") == 0
    assert _count(db, "SELECT count(DISTINCT row_id) FROM outbox WHERE kind = 'create'") == 18
    assert [c.name for c in db.repos.contacts.search("联系人6")] == ["联系人6"]


def test_the_app_gets_its_scratch_space_back_in_memory_after_an_import(db, write) -> None:
    from crm_tui.storage.bulk import raw_connection

    path = write("c.csv", HEADER + _rows(5))
    import_csv(db, path, "customer")
    import_csv(db, path, "customer", dry_run=True)  # the rollback path too
    with db.transaction() as session:
        assert raw_connection(session).execute("PRAGMA temp_store").fetchone()[0] == 2
