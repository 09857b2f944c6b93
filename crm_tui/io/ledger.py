"""Provides `crm export ledger`: expense claims as an hledger (and Ledger) journal.

One transaction per claim, on the day it was spent: the category's expense account is
debited, and the other side says where the money stands — `liabilities:reimbursable`
while the company still owes the rep (draft, submitted, approved), `assets:cash` once it
is reimbursed, `equity:personal` for a rejected claim the rep carries. Approved and
reimbursed claims are cleared (`*`), submitted ones pending (`!`). Customer, status and the
claim id are tags, so `hledger balance tag:customer=Acme` works.
"""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING

from crm_tui.domain.money import DEFAULT_CURRENCY, to_major
from crm_tui.io.csv_export import stored_rows

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

_MARK = {"approved": "* ", "reimbursed": "* ", "submitted": "! "}
_BALANCING = {
    "reimbursed": "assets:cash",
    "rejected": "equity:personal",
}
OWED = "liabilities:reimbursable"


def _tag_value(text: str) -> str:
    # A tag value ends at a comma or the line's end; ':' would start another tag name.
    return " ".join(re.sub(r"[,:;]+", " ", text).split())


def _description(text: str) -> str:
    # The description ends at ';' (a comment) or '|' (payee separator in hledger).
    return " ".join(re.sub(r"[;|]+", " ", text).split()) or "expense"


def _account(category: str) -> str:
    return "expenses:" + (re.sub(r"[^\w-]+", "-", category).strip("-") or "other")


def export_ledger(db: Database, out: IO[str], query: str | None = None) -> int:
    """Write matching expense claims as a journal; returns how many transactions."""
    customers: dict[str, str] = {}
    from crm_tui.storage.engine import connect

    conn = connect(db.path, readonly=True)
    try:
        customers = dict(conn.execute("SELECT id, name FROM customer").fetchall())
    finally:
        conn.close()
    rows = sorted(stored_rows(db, "expense", query), key=lambda r: (r["spent_on"], r["id"]))
    out.write("; crm expense claims, exported for hledger / ledger\n\n")
    for row in rows:
        currency = row.get("currency") or DEFAULT_CURRENCY
        amount = to_major(int(row["amount"]), currency)
        status = row.get("status") or "draft"
        tags = [f"status:{status}", f"id:{row['id']}"]
        if row.get("customer_id") and row["customer_id"] in customers:
            tags.insert(0, f"customer:{_tag_value(customers[row['customer_id']])}")
        out.write(
            f"{row['spent_on']} {_MARK.get(status, '')}"
            f"{_description(row.get('description') or row.get('category') or '')}"
            f"  ; {', '.join(tags)}\n"
        )
        if row.get("receipt"):
            out.write(f"    ; receipt: {_description(row['receipt'])}\n")
        out.write(f"    {_account(row.get('category') or 'other'):<40}  {currency} {amount}\n")
        out.write(f"    {_BALANCING.get(status, OWED)}\n\n")
    return len(rows)
