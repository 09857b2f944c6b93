"""The same price list imported on two laptops offline converges (issue 19): a product's
id comes from its code (or name and model), so both imports make the same records and a
real `crm server` merges them; products with older random ids keep working."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.domain.product_keys import product_id
from crm_tui.services import products, quotes
from crm_tui.services.book import Book
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

server = sqlite_server("products")


def price_list(tag: str = "") -> str:
    """A small price list; `tag` keeps one test's products apart from others' on the
    session's shared server."""
    return (
        "编码,名称,型号,单位,单价\n"
        f"GT-50{tag},无缝钢管{tag},DN50,米,128.5\n"
        f"ＦＬ－１６{tag},法兰{tag},PN16,个,58\n"  # full-width: the same code as FL-16 typed narrow
        f",垫片{tag},DN50,个,3.2\n"  # no code: name and model make the id
    )


def _csv(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _products(db, tag: str = "") -> list[tuple[str | None, str, int]]:
    with sqlite3.connect(db.path) as conn:
        return conn.execute(
            "SELECT code, name, list_price FROM product WHERE deleted = 0 AND name LIKE ? "
            "ORDER BY name",
            (f"%{tag}",),
        ).fetchall()


def test_ids_come_from_the_code_or_name_and_model() -> None:
    assert product_id("FL-16") == product_id(" ｆｌ－１６ ") == product_id("fl-16", "other")
    assert product_id("FL-16") != product_id("FL-17")
    assert product_id(None, "垫片", "DN50") == product_id("", " 垫片 ", "dn50")
    assert product_id(None, "垫片", "DN50") != product_id(None, "垫片", "DN80")
    assert product_id("FL-16") == product_id("FL-16")  # no clock, no randomness


def test_two_laptops_import_the_same_list_offline_and_sync_to_one_copy(
    laptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    alice, bob = laptop(), laptop()
    tag = "-" + uuid.uuid4().hex[:6].upper()
    text = price_list(tag)
    # Both import offline, Bob from the GB18030 file Excel saves in China.
    done_a = products.import_products(Book(alice.db), _csv(tmp_path, "a.csv", text))
    done_b = products.import_products(
        Book(bob.db), _csv(tmp_path, "b.csv", text, encoding="gb18030")
    )
    assert (done_a.created, done_b.created) == (3, 3)
    # Bob's price for the steel pipe differs; his edit is the later one.
    pipe = products.find_product(Book(bob.db), f"GT-50{tag}")
    products.edit_product(Book(bob.db), pipe.id, {"list_price": "130"})
    for who in (alice, bob, alice, bob):
        report = who.sync()
        assert not report.rejected, report
    expected = [  # by name, as SQLite orders them (code points)
        (None, f"垫片{tag}", 320),
        (f"GT-50{tag}", f"无缝钢管{tag}", 13000),
        (f"ＦＬ－１６{tag}", f"法兰{tag}", 5800),
    ]
    assert _products(alice.db, tag) == _products(bob.db, tag) == expected
    # A third laptop that pulls gets one copy of each.
    carol = laptop()
    carol.sync()
    assert _products(carol.db, tag) == expected
    # Importing it again later changes nothing and makes no copies.
    again = products.import_products(Book(alice.db), _csv(tmp_path, "a.csv", text))
    assert (again.created, again.updated) == (0, 3)
    assert len(_products(alice.db, tag)) == 3


def test_older_random_id_products_keep_working(db, tmp_path: Path) -> None:
    book = Book(db)
    old = db.repos.docs.products.create(
        {"code": "GT-50", "name": "无缝钢管", "list_price": "100"}, row_id=str(uuid.uuid4())
    )
    done = products.import_products(book, _csv(tmp_path, "p.csv", price_list()))
    assert (done.created, done.updated) == (2, 1)
    assert products.find_product(book, "GT-50").id == old.id
    assert db.repos.docs.products.require(old.id).list_price == 12850
    assert quotes.product_line(book, "GT-50", 2).product_id == old.id
    assert len(_products(db)) == 3


def test_adding_a_product_that_exists_is_refused_and_a_deleted_one_comes_back(db) -> None:
    book = Book(db)
    first = products.add_product(book, {"code": "M-1", "name": "减速机", "list_price": "5000"})
    assert first.id == product_id("M-1")
    with pytest.raises(ValidationErrors, match="a product with code M-1 exists"):
        products.add_product(book, {"code": "m-1", "name": "别的", "list_price": "1"})
    db.repos.docs.products.delete(first.id)
    back = products.add_product(book, {"code": "M-1", "name": "减速机 II", "list_price": "6000"})
    assert back.id == first.id and not back.deleted and back.name == "减速机 II"
    # Without a code, name and model are the product: the same again is refused.
    products.add_product(book, {"name": "垫片", "model": "DN50"})
    with pytest.raises(ValidationErrors, match="垫片 DN50 is on the price list already"):
        products.add_product(book, {"name": " 垫片", "model": "dn50"})
    assert products.add_product(book, {"name": "垫片", "model": "DN80"}).model == "DN80"
