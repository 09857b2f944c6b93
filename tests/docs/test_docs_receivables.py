"""The receivables report's figures equal plain SQL over the same file."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from crm_tui.reports.period import Period
from crm_tui.services import payments, receivables, reports
from crm_tui.services.book import Book


def _as(db, user_id: str, role: str) -> None:
    db.set_state("user_id", user_id)
    db.set_state("role", role)


@pytest.fixture
def book(db) -> Book:
    """Two reps' contracts: paid, partly paid, overdue in every bucket, one cancelled."""
    _as(db, "rep-1", "rep")
    book = Book(db)
    for uid, name in (("rep-1", "王芳"), ("rep-2", "李雷")):
        # Team members come from the server; written plainly here.
        with db.transaction() as s:
            s.connection().exec_driver_sql(
                "INSERT INTO user(id, owner_id, created_at, updated_at, name, role) "
                "VALUES (?, NULL, '2026-01-01', '2026-01-01', ?, 'rep')",
                (uid, name),
            )
    plans: list = []
    for uid, customer, amount, dues in (
        ("rep-1", "上海机电", "90000", ["2026-08-01", "2026-09-20", "2026-10-30"]),
        ("rep-2", "广州物流", "40000", ["2026-11-10", "2026-12-10"]),
        ("rep-2", "深圳电子", "10000", ["2026-06-01"]),
    ):
        _as(db, uid, "rep")
        c = db.repos.customers.create({"name": customer})
        deal = db.repos.opportunities.create({"customer_id": c.id, "title": customer})
        contract = payments.contract_for_deal(book, deal.id, amount, {})
        payments.sign(book, contract.id, "2026-10-01")
        plans.append(
            payments.make_plan(
                book, contract.id, instalments=len(dues), due=[date.fromisoformat(d) for d in dues]
            )
        )
    _as(db, "rep-1", "rep")
    payments.record_payment(book, plans[0][0].id, "30000", on="2026-11-03")  # first paid
    payments.record_payment(book, plans[0][1].id, "10000", on="2026-11-05")  # second partly
    _as(db, "rep-2", "rep")
    payments.record_payment(book, plans[1][0].id, "5000", on="2026-11-20")  # stays entered
    _as(db, "mgr", "manager")
    for p in payments.payments(book, plans[0][0].contract_id):
        payments.confirm(book, p.id)
    return book


PLAIN_OUTSTANDING = """
SELECT p.id, p.amount - MIN(p.amount, COALESCE((SELECT SUM(y.amount) FROM payment y
         WHERE y.plan_id = p.id AND y.status = 'confirmed' AND y.deleted = 0), 0)),
       CAST(julianday(:today) - julianday(p.due_on) AS INTEGER), cu.name, u.name
FROM payment_plan p JOIN contract c ON c.id = p.contract_id
JOIN opportunity o ON o.id = c.opportunity_id JOIN customer cu ON cu.id = o.customer_id
JOIN user u ON u.id = c.owner_id
WHERE p.deleted = 0 AND c.deleted = 0 AND c.status != 'cancelled'
"""


def test_receivables_equal_plain_sql(book: Book, db) -> None:
    period = Period.month(2026, 11)
    report = receivables.build(book, period, team=True)
    conn = sqlite3.connect(db.path)
    today = "2026-11-23"
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    planned = one(
        "SELECT SUM(amount) FROM payment_plan "
        "WHERE due_on >= '2026-11-01' AND due_on < '2026-12-01'"
    )
    collected = one(
        "SELECT SUM(amount) FROM payment WHERE status = 'confirmed' AND received_on >= '2026-11-01'"
    )
    entered = one("SELECT SUM(amount) FROM payment WHERE status = 'entered'")
    rows = conn.execute(PLAIN_OUTSTANDING, {"today": today}).fetchall()
    receivable = sum(r[1] for r in rows)
    overdue = sum(r[1] for r in rows if r[2] > 0)
    signed = one("SELECT SUM(amount) FROM contract WHERE signed_on >= '2026-08-26'")
    unpaid = one(
        "SELECT SUM(c.amount - COALESCE((SELECT SUM(y.amount) FROM payment y "
        "WHERE y.contract_id = c.id AND y.status = 'confirmed'), 0)) FROM contract c"
    )
    figures = {row[0]: row[1] for row in report.section("collection").rows}
    assert figures["planned (instalments due)"].minor == planned
    assert figures["collected (confirmed)"].minor == collected == 40_000_00
    assert figures["entered, not yet confirmed"].minor == entered == 5_000_00
    assert figures["receivable: open instalments"].minor == receivable
    assert figures["of which overdue"].minor == overdue
    # DSO counts one set on both sides: what signed contracts still await ÷ signed × days.
    assert figures["unpaid on signed contracts"].minor == unpaid == 100_000_00
    assert figures["signed in the last 90 days"].minor == signed == 140_000_00
    assert figures["DSO = unpaid ÷ signed × 90"].value == round(unpaid / signed * 90, 1)

    def bucket(days: int) -> str:
        return "0-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 else "90+"

    expected: dict[str, dict[str, int]] = {}
    for _id, outstanding, days, customer, _rep in rows:
        if outstanding > 0 and days > 0:
            cell = expected.setdefault(customer, {})
            cell[bucket(days)] = cell.get(bucket(days), 0) + outstanding
    by_customer = report.section("by_customer")
    got = {
        row[0]: {
            b: row[i + 1].minor
            for i, b in enumerate(("0-30", "31-60", "61-90", "90+"))
            if row[i + 1].minor
        }
        for row in by_customer.rows
        if row[0] != "total"
    }
    assert got == expected
    assert expected["深圳电子"] == {"90+": 10_000_00}
    assert expected["上海机电"] == {"61-90": 20_000_00, "0-30": 30_000_00}
    # Rendered like the other reports (md, csv, html).
    for fmt in ("md", "csv", "html"):
        assert "上海机电" in reports.render(report, fmt)


def test_a_rep_sees_only_her_own_receivables(book: Book, db) -> None:
    _as(db, "rep-2", "rep")
    with pytest.raises(PermissionError):
        receivables.build(book, Period.month(2026, 11), team=True)
    mine = receivables.build(book, Period.month(2026, 11))
    customers = {row[0] for row in mine.section("by_customer").rows}
    assert customers == {"深圳电子", "广州物流", "total"}


def test_desk_rows_of_payments_due_read_without_the_orm(book: Book, db) -> None:
    rows = receivables.due_at(db.path, book.clock, within_days=30)
    # Open instalments due before 23 Dec, earliest first; paid ones are not there.
    assert [(r.customer, r.due_on.isoformat(), r.outstanding) for r in rows] == [
        ("深圳电子", "2026-06-01", 10_000_00),
        ("上海机电", "2026-09-20", 20_000_00),
        ("上海机电", "2026-10-30", 30_000_00),
        ("广州物流", "2026-11-10", 15_000_00),
        ("广州物流", "2026-12-10", 20_000_00),
    ]
    assert rows[0].days_overdue == 175


def test_a_never_signed_in_book_sees_its_unowned_receivables(db) -> None:
    # The demo book never signs in: its contracts have no owner and are "mine".
    book = Book(db)
    assert book.user_id is None
    c = db.repos.customers.create({"name": "无主客户"})
    deal = db.repos.opportunities.create({"customer_id": c.id, "title": "无主"})
    contract = payments.contract_for_deal(book, deal.id, "30000", {})
    payments.sign(book, contract.id, "2026-09-01")
    payments.make_plan(book, contract.id, instalments=1, due=[date(2026, 10, 1)])
    report = receivables.build(book, Period.month(2026, 11))
    figures = {row[0]: row[1] for row in report.section("collection").rows}
    assert figures["of which overdue"].minor == 30_000_00
    assert {row[0] for row in report.section("by_customer").rows} == {"无主客户", "total"}


def test_targets_and_the_desk_count_payments_as_receivables_do(book: Book, db) -> None:
    # Issue 19 §6: the targets' "payments received" reads from receivables — confirmed
    # payments only (review s12: a mistyped, unconfirmed ¥50 M payment made 2500 %).
    from crm_tui.services import targets

    _as(db, "mgr", "manager")
    targets.set_target(book, "王芳", "2026-11", payments="50000")
    _as(db, "rep-1", "rep")
    payments.record_payment(
        book, payments.plan(book, _contract_of(db, "上海机电"))[2].id, "9000", on="2026-11-21"
    )  # entered, not confirmed
    collected = receivables.build(book, Period.month(2026, 11)).section("collection")
    confirmed = {row[0]: row[1] for row in collected.rows}["collected (confirmed)"].minor
    found = {p.who: p for p in targets.progress(book, "2026-11")}
    paid = {who: next(x for x in p.lines if x.key == "payments") for who, p in found.items()}
    assert paid["王芳"].actual == confirmed == 40_000_00  # not 49,000
    assert paid["王芳"].label == "Payments collected"  # receivables: collected = confirmed
    assert paid["team"].actual == 40_000_00  # 李雷's ¥5,000 is only entered
    desk, _currency = targets.desk_lines(db.path, book.clock)  # the desk's This month panel
    assert next(x for x in desk if x.key == "payments").actual == 40_000_00


def _contract_of(db, customer: str) -> str:
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(
            "SELECT c.id FROM contract c JOIN opportunity o ON o.id = c.opportunity_id "
            "JOIN customer cu ON cu.id = o.customer_id WHERE cu.name = ?",
            (customer,),
        ).fetchone()[0]
    finally:
        conn.close()


def test_dso_counts_a_contract_without_a_plan_and_only_confirmed_payments(book: Book, db) -> None:
    # Review s12: DSO divided open *instalments* (any contract) by the amount signed in the
    # window — a contract signed without a plan was sales with no receivable.
    _as(db, "rep-1", "rep")
    c = db.repos.customers.create({"name": "无计划客户"})
    deal = db.repos.opportunities.create({"customer_id": c.id, "title": "无计划"})
    contract = payments.contract_for_deal(book, deal.id, "60000", {})
    payments.sign(book, contract.id, "2026-11-15")
    payments.record_payment(book, contract.id, "20000", on="2026-11-16")  # entered only
    _as(db, "mgr", "manager")
    report = receivables.build(book, Period.month(2026, 11), team=True)
    figures = {row[0]: row[1] for row in report.section("collection").rows}
    assert figures["unpaid on signed contracts"].minor == 160_000_00  # 100,000 + 60,000
    assert figures["signed in the last 90 days"].minor == 200_000_00
    assert figures["DSO = unpaid ÷ signed × 90"].value == 72.0  # 160 / 200 × 90
    assert "DSO: what signed contracts still await" in (report.section("collection").note or "")
    # Reports → Receivables shows 28 characters of a label (review s12: labels were cut).
    assert max(len(str(row[0])) for row in report.section("collection").rows) <= 28
