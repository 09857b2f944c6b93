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
    with pytest.raises(ImportFailed, match="not valid utf-8: bad byte at line 302 "):
        import_csv(db, path, "customer")
    assert _names(db) == []
