"""A row with an unclosed quote is refused on its own line with that reason, and every row
after it is still read and imported — in a small file and in one streamed from disk, in
GB18030 too — while a real quoted value over several lines (an address) stays one row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crm_tui.io import csv_import, csv_records
from crm_tui.io.csv_import import import_csv, plan_csv
from crm_tui.io.results import write_report

HEADER = "名称,城市,电话,等级,邮箱"
REVIEW_ROWS = [  # review.md #4, as Chinese Excel saves it (GB18030, CRLF)
    HEADER,
    "杭州绿源茶业有限公司,杭州,13800001111,A,a@x.com",
    "宁波海港物流有限公司,宁波,13800002222,Z,b@x.com",
    "温州鞋都贸易有限公司,温州,13800003333,B,not-an-email",
    "嘉兴丝绸有限公司,嘉兴,13800004444,C",
    '"未闭合引号,湖州,1,A,c@x.com',
    "台州汽配有限公司,台州,13800005555,B,d@x.com",
]


def _customers(db) -> dict[str, dict]:
    conn = sqlite3.connect(db.path)
    conn.row_factory = sqlite3.Row
    try:
        return {r["name"]: dict(r) for r in conn.execute("SELECT * FROM customer")}
    finally:
        conn.close()


def _padding(n: int, width: int) -> list[str]:
    """Valid rows that push what follows past a small detection sample."""
    return [f"华信科技{i:05d}有限公司,武汉" + "," * (width - 2) for i in range(n)]


@pytest.fixture(params=["small", "streamed"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "streamed":
        monkeypatch.setattr(csv_import, "_SAMPLE", 1001)  # the rows below come from disk
    return request.param


def _write(write, name: str, rows: list[str], path_kind: str) -> tuple[Path, int]:
    """The file (GB18030, CRLF) and how many padding lines sit after the header."""
    pad = _padding(60, rows[0].count(",") + 1) if path_kind == "streamed" else []
    lines = [rows[0], *pad, *rows[1:]]
    path = write(name, ("\r\n".join(lines) + "\r\n").encode("gb18030"))
    assert plan_csv(path, "customer").complete is (path_kind == "small")
    return path, len(pad)


def test_the_review_file_refuses_the_unclosed_quote_alone_and_imports_the_next_row(
    db, write, path_kind: str, tmp_path: Path
) -> None:
    path, pad = _write(write, "r_gb.csv", REVIEW_ROWS, path_kind)
    result, plan = import_csv(db, path, "customer")
    assert plan.encoding == "gb18030"
    assert result.rows == 6 + pad and result.created == 2 + pad
    reasons = {p.line - pad: p.reason for p in result.rejected}
    assert set(reasons) == {3, 4, 5, 6}
    assert reasons[6].startswith("unclosed quote in column '名称': its closing \" is missing")
    assert "has 4 cells" in reasons[5]  # the row above keeps its own reason
    got = _customers(db)
    assert got["台州汽配有限公司"]["phone"].endswith("13800005555")
    assert not any("未闭合" in name for name in got)
    # The report shows the broken line in its columns, and nothing of the line after it.
    report = tmp_path / "rejected.csv"
    write_report(report, result, plan.headers)
    text = report.read_text(encoding="utf-8-sig")
    assert f'{6 + pad},"unclosed quote' in text and '"""未闭合引号",湖州,1,A,c@x.com' in text
    assert "台州汽配" not in text


def test_a_quoted_address_over_two_lines_is_still_one_row(db, write, path_kind: str) -> None:
    rows = [
        "名称,城市,地址,备注",
        '华信科技有限公司,北京,"海淀区中关村大街1号\r\n科技大厦5层",老客户',
        '远航贸易,上海,"浦东新区""世纪大道""100号',  # unclosed: the rows below still import
        "绿源茶业,杭州,西湖区,新客户",
        '宏达机械,"苏州","工业园区\r\n星湖街8号","说过: ""下周签约"""',
        "海港物流,宁波,北仑区,",
    ]
    path, pad = _write(write, "addr.csv", rows, path_kind)
    result, _plan = import_csv(db, path, "customer")
    assert [(p.line - pad, p.reason[:14]) for p in result.rejected] == [(4, "unclosed quote")]
    got = _customers(db)
    assert got["华信科技有限公司"]["address"] == "海淀区中关村大街1号\r\n科技大厦5层"
    assert got["华信科技有限公司"]["notes"] == "老客户"
    assert got["宏达机械"]["address"] == "工业园区\r\n星湖街8号"
    assert got["宏达机械"]["notes"] == '说过: "下周签约"'
    assert {"绿源茶业", "海港物流"} <= set(got) and "远航贸易" not in got


def test_an_unclosed_quote_in_the_last_column_does_not_swallow_the_rest_of_the_file(
    db, write, path_kind: str
) -> None:
    # The runaway value would give exactly the header's width: one row of garbage notes.
    rows = [
        "名称,城市,备注",
        '华信科技,北京,"说明文字',
        "绿源茶业,杭州,新客户",
        "海港物流,宁波,老客户",
    ]
    path, pad = _write(write, "last.csv", rows, path_kind)
    result, _plan = import_csv(db, path, "customer")
    assert [(p.line - pad, p.reason[:29]) for p in result.rejected] == [
        (2, "unclosed quote in column '备注'")
    ]
    got = _customers(db)
    assert got["绿源茶业"]["notes"] == "新客户" and got["海港物流"]["notes"] == "老客户"
    assert "华信科技" not in got


def test_a_runaway_closed_by_a_later_quote_gives_back_every_row_it_took(
    db, write, path_kind: str
) -> None:
    rows = [
        "名称,城市,备注",
        '"华信科技,北京,x',
        '"远航贸易,上海,y',  # two unclosed rows in a row: each refused on its own
        "绿源茶业,杭州,新客户",
        '海港物流,宁波,"谈过, 下周回访"',  # its quote is where the runaway would close
        "宏达机械,苏州,",
    ]
    path, pad = _write(write, "later.csv", rows, path_kind)
    result, _plan = import_csv(db, path, "customer")
    assert [(p.line - pad, p.reason[:14]) for p in result.rejected] == [
        (2, "unclosed quote"),
        (3, "unclosed quote"),
    ]
    got = _customers(db)
    assert set(got) >= {"绿源茶业", "海港物流", "宏达机械"}
    assert got["海港物流"]["notes"] == "谈过, 下周回访"


def test_a_multiline_value_with_a_wrong_cell_count_keeps_its_one_reason(db, write) -> None:
    # Quotes that pair up: a real multi-line value in a row missing a cell, not a lost quote.
    text = '名称,城市,地址\n华信科技,"海淀区\n中关村"\n绿源茶业,杭州,西湖区\n'
    result, _plan = import_csv(db, write("short.csv", text), "customer")
    assert [(p.line, p.reason[:7]) for p in result.rejected] == [(2, "has 2 c")]
    assert set(_customers(db)) == {"绿源茶业"}


def test_a_blank_after_a_closing_quote_is_not_taken_for_an_unclosed_one(db, write) -> None:
    text = '名称,地址,城市\n华信科技,"海淀区\n中关村" ,北京\n绿源茶业,西湖区,杭州\n'
    result, _plan = import_csv(db, write("blank.csv", text), "customer")
    assert result.rejected == []
    assert _customers(db)["华信科技"]["city"] == "北京"


def test_a_quote_running_past_any_real_value_is_cut_off_and_the_rows_after_it_read(
    db, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_records, "MAX_SPAN", 200)  # far past what one row could hold
    lines = ["名称,城市", '"华信科技,北京', *(f"客户{i:03d},杭州" for i in range(40))]
    result, _plan = import_csv(db, write("long.csv", "\n".join(lines) + "\n"), "customer")
    assert [(p.line, p.reason[:14]) for p in result.rejected] == [(2, "unclosed quote")]
    assert result.created == 40
