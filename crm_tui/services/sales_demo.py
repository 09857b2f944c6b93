"""Provides demo data from quote to cash (issue 19): a price list, quotes with revisions on
the book's deals, contracts with payment plans, and payments so that some instalments are
paid, some partly paid and some overdue — the desk panel and the receivables report look
alive. Called by the demo (owned by F) after the customers and deals are written.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from crm_tui.services import payments, products, quotes
from crm_tui.services.sales_repos import docs

if TYPE_CHECKING:
    from crm_tui.services.book import Book

PRODUCTS = (
    ("GP-50", "无缝钢管", "DN50", "米", "86.5"),
    ("GP-80", "无缝钢管", "DN80", "米", "132"),
    ("FL-16", "法兰盘（锻造）", "PN16", "个", "58.5"),
    ("VL-25", "球阀", "Q41F-16C DN25", "台", "420"),
    ("MT-7", "三相异步电机", "Y2-132M-4 7.5kW", "台", "3680"),
    ("RD-90", "减速机", "RV090", "台", "2150"),
    ("PU-3", "离心泵", "IS80-65-160", "台", "5200"),
    ("SV-1", "安装调试服务", "", "次", "8000"),
)


def add_sales_docs(book: Book, *, seed: int = 19, deals: int = 24) -> dict[str, int]:
    """Write the quote-to-cash demo over up to `deals` of the book's deals; returns counts."""
    rng = random.Random(seed)
    db = book.db
    today = book.clock.today()
    counts = dict.fromkeys(("products", "quotes", "contracts", "instalments", "payments"), 0)
    codes = []
    for code, name, model, unit, price in PRODUCTS:
        products.add_product(
            book, {"code": code, "name": name, "model": model, "unit": unit, "list_price": price}
        )
        codes.append(code)
        counts["products"] += 1
    chosen = db.repos.opportunities.page(limit=deals)
    for n, deal in enumerate(chosen):
        lines = [
            quotes.product_line(
                book, code, rng.choice((1, 2, 5, 10, 20, 50)), rng.choice((0, 0, 500, 1000))
            )
            for code in rng.sample(codes, rng.randint(1, 3))
        ]
        quote = quotes.new_quote(book, deal.id, lines)
        counts["quotes"] += 1
        quotes.send(book, quote.id)
        if n % 3 == 0:  # haggled: a second revision with a better discount
            quote = quotes.revise(book, quote.id)
            first = quotes.lines(book, quote.id)[0]
            quotes.edit_line(book, first.id, {"discount_bp": 1500})
            quotes.send(book, quote.id)
            counts["quotes"] += 1
        if n % 4 == 3:
            quotes.reject(book, quote.id)
            continue
        if n % 4 == 2:
            continue  # still with the customer
        quotes.accept(book, quote.id)
        signed = today - timedelta(days=rng.randint(20, 200))
        contract = payments.new_contract(book, quote_ref=quote.id, signed_on=signed)
        counts["contracts"] += 1
        parts = rng.choice((1, 2, 3, 4))
        plan = payments.make_plan(
            book, contract.id, instalments=parts, first=signed + timedelta(days=30), every="1m"
        )
        counts["instalments"] += len(plan)
        for inst in plan:
            if inst.due_on > today + timedelta(days=10):
                break
            roll = rng.random()
            if roll < 0.5:  # paid in full, a few days after it fell due
                amount = inst.amount
            elif roll < 0.75:  # partly paid
                amount = inst.amount // 2
            else:  # overdue, nothing yet
                continue
            on = min(today, inst.due_on + timedelta(days=rng.randint(0, 12)))
            paid = payments.record_payment(book, inst.id, amount, on=on, method="transfer")
            counts["payments"] += 1
            if on <= today - timedelta(days=5):
                # The manager has confirmed what came in before this week (seed data: the
                # demo book is never signed in, so no manager's command could), so the
                # receivables, DSO and targets show collected money.
                docs(book).payments.confirm(paid.id)
    return counts
