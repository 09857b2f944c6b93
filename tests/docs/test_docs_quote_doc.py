"""The quote document: HTML (self-contained, escaped) and Markdown with the company header."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_tui.io import quote_doc
from crm_tui.services import products, quotes
from crm_tui.services.book import Book


def test_quote_document_html_and_markdown(db, tmp_path: Path) -> None:
    book = Book(db)
    acme = db.repos.customers.create({"name": "北京<钢管>有限公司"})
    deal = db.repos.opportunities.create({"customer_id": acme.id, "title": "无缝钢管"})
    products.add_product(
        book, {"code": "FL", "name": "法兰盘 | 锻造", "unit": "个", "list_price": "58.5"}
    )
    quotes.set_company_header(book, {"name": "华东工业销售", "phone": "021-5555 0101"})
    quote = quotes.new_quote(book, deal.id, [quotes.product_line(book, "FL", 100, 500)])
    doc = quotes.document(book, quote.id)
    out = tmp_path / "quote.html"
    assert quote_doc.write(doc, out) == "html"
    html = out.read_text("utf-8")
    assert "华东工业销售" in html and "021-5555 0101" in html
    assert "北京&lt;钢管&gt;有限公司" in html and "<钢管>" not in html
    assert "¥5,557.50" in html and "¥6,279.98" in html  # tax 722.475 rounds half up
    assert "<script" not in html and 'charset="utf-8"' in html
    md = quote_doc.render(doc, "md")
    assert "**华东工业销售**" in md and "法兰盘 \\| 锻造" in md and "5%" in md
    with pytest.raises(ValueError, match=".html or .md"):
        quote_doc.write(doc, tmp_path / "quote.pdf")
