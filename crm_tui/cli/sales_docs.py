"""Provides the quote-to-cash commands (issue 19): `crm quote DEAL`, `crm quote revise|send|
accept|reject|show ID`, `crm contract`, `crm plan`, `crm pay`, `crm confirm`, `crm payments`,
`crm due`, `crm receivables` (also reachable as `crm report receivables`); the price list's
commands are in price_list.py.

Bad input is one `error:` line and exit 1, with nothing written: every command checks its
input before the one service call that writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import check_format, emit
from crm_tui.cli.price_list import money, run_service
from crm_tui.cli.price_list import register as register_price_list

T = TypeVar("T")
QUOTE_ACTIONS = ("revise", "send", "accept", "reject", "show")
LIST_FORMATS = ("table", "json", "csv")
REPORT_FORMATS = ("md", "csv", "html")


def _product_lines(book: Any, specs: list[str]) -> list[Any]:
    """'CODE', 'CODE:QTY' or 'CODE:QTY:DISCOUNT%' -> quote lines."""
    from crm_tui.domain.sales_docs import DocError, parse_rate
    from crm_tui.services import quotes

    out = []
    for spec in specs:
        code, _, rest = spec.partition(":")
        qty_text, _, discount = rest.partition(":")
        try:
            qty = int(qty_text or "1")
            if qty < 0:
                raise ValueError
        except ValueError:
            fail(f"--product {spec}: the quantity must be a whole number (CODE:QTY)")
        try:
            bp = parse_rate(discount or None, "discount")
        except DocError as exc:
            fail(f"--product {spec}: {exc.message}")
        out.append(run_service(lambda c=code, q=qty, b=bp: quotes.product_line(book, c, q, b)))
    return out


def quote(
    ctx: typer.Context,
    what: str = typer.Argument(
        ..., help="A deal (id, prefix or title), or revise|send|accept|reject|show."
    ),
    ref: str | None = typer.Argument(None, help="The quote, after an action word."),
    product: list[str] = typer.Option(
        [], "--product", "-p", help="CODE[:QTY[:DISCOUNT%]], repeatable; default: the deal's lines."
    ),
    tax: str = typer.Option("13%", "--tax", help="Tax rate on the subtotal."),
    valid: str | None = typer.Option(None, "--valid", help="Valid until (default: 30 days)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="send/show: write quote.html or quote.md."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="show: table, json or csv."),
) -> None:
    """Make a quote for a deal, or revise / send / accept / reject / show one."""
    from crm_tui.services import quotes

    book = state(ctx).book
    if what not in QUOTE_ACTIONS:
        if ref is not None:
            fail(f"'{what}' is not one of {', '.join(QUOTE_ACTIONS)}; a new quote takes one deal")
        lines = _product_lines(book, product) if product else None
        made = run_service(
            lambda: quotes.new_quote(book, what, lines, tax_rate=tax, valid_until=valid)
        )
        typer.echo(f"quote {made.id} v{made.revision} draft: {money(made.total, made.currency)}")
        return
    if ref is None:
        fail(f"crm quote {what} needs the quote's id")
    if what == "show":
        _show_quote(book, ref, fmt, output)
        return
    if what == "send":
        if output is None:
            fail("crm quote send needs -o quote.html or -o quote.md")
        if output.suffix.lower() not in (".html", ".htm", ".md", ".markdown"):
            fail(f"'{output.name}': write the quote to a .html or .md file")
        current = run_service(lambda: quotes.get(book, ref))
        run_service(lambda: quotes.write_document(book, current.id, output))
        sent = run_service(lambda: quotes.send(book, current.id))
        typer.echo(f"wrote {output}; quote v{sent.revision} is {sent.status}")
        return
    step = {"revise": quotes.revise, "accept": quotes.accept, "reject": quotes.reject}[what]
    done = run_service(lambda: step(book, ref))
    typer.echo(
        f"quote {done.id} v{done.revision} {done.status}: {money(done.total, done.currency)}"
    )


def _show_quote(book: Any, ref: str, fmt: str, output: Path | None) -> None:
    from crm_tui.services import quotes

    check_format(fmt, LIST_FORMATS)
    current = run_service(lambda: quotes.get(book, ref))
    if output is not None:
        run_service(lambda: quotes.write_document(book, current.id, output))
        typer.echo(f"wrote {output}", err=True)
        return
    doc = run_service(lambda: quotes.document(book, current.id))
    rows = [
        {
            "#": ln.position,
            "item": ln.description,
            "model": ln.model,
            "qty": ln.quantity,
            "unit_price": ln.unit_price if fmt != "table" else money(ln.unit_price, doc.currency),
            "discount": ln.discount,
            "amount": ln.net if fmt != "table" else money(ln.net, doc.currency),
        }
        for ln in doc.lines
    ]
    if fmt == "table":
        typer.echo(f"{doc.title} · v{doc.revision} {doc.status} · {doc.customer}")
    emit(rows, ["#", "item", "model", "qty", "unit_price", "discount", "amount"], fmt)
    if fmt == "table":
        t = doc.totals
        typer.echo(
            f"subtotal {money(t.subtotal, doc.currency)} · tax {doc.tax_rate} "
            f"{money(t.tax, doc.currency)} · total {money(t.total, doc.currency)}"
        )


def contract(
    ctx: typer.Context,
    quote_ref: str | None = typer.Argument(None, help="An accepted quote (id or prefix)."),
    deal: str | None = typer.Option(None, "--deal", help="Or straight on a deal…"),
    amount: str | None = typer.Option(None, "--amount", help="…for this amount (5万, 120000)."),
    signed: str | None = typer.Option(None, "--signed", help="Signed on (marks it signed)."),
    starts: str | None = typer.Option(None, "--starts", help="Starts on."),
    ends: str | None = typer.Option(None, "--ends", help="Ends on."),
    terms: str | None = typer.Option(None, "--terms", help="Payment and delivery terms."),
    scan: str | None = typer.Option(
        None, "--scan", help="The signed scan, attached to the contract (or later: crm attach)."
    ),
) -> None:
    """Make a contract from an accepted quote, or on a deal with --deal and --amount."""
    from crm_tui.services import payments

    book = state(ctx).book
    if (quote_ref is None) == (deal is None):
        fail("name an accepted quote, or --deal DEAL --amount AMOUNT (not both)")
    if deal is not None and amount is None:
        fail("--deal needs --amount")
    values = {
        k: v
        for k, v in (
            ("starts_on", starts),
            ("ends_on", ends),
            ("terms", terms),
        )
        if v is not None
    }
    if scan is not None:
        from crm_tui.services import contract_scans

        run_service(lambda: contract_scans.check_scan(book, scan))  # before anything is written

    def make() -> Any:
        return payments.new_contract(
            book,
            quote_ref=quote_ref,
            deal_ref=deal,
            amount=amount,
            values=values,
            signed_on=signed,
        )

    made = run_service(make)
    typer.echo(
        f"contract {made.number} ({made.id}) {made.status}: {money(made.amount, made.currency)}"
    )
    if scan is not None:
        att = run_service(lambda: contract_scans.attach_scan(book, made.id, scan))
        typer.echo(f"attached {att.name} as {att.id}")
    if payments.is_provisional(made.number):
        typer.echo(
            f"{made.number} is provisional until the next `crm sync` (the server numbers "
            "contracts); it still finds this contract afterwards"
        )


def plan(
    ctx: typer.Context,
    contract_ref: str = typer.Argument(..., help="The contract (id, prefix or number)."),
    instalments: int | None = typer.Option(None, "--instalments", "-n", min=1, max=120),
    first: str | None = typer.Option(None, "--first", help="First due date (default today)."),
    every: str = typer.Option("1m", "--every", help="Between instalments: 1m, 2w, 3m, 1y, 30d."),
    amounts: str | None = typer.Option(None, "--amounts", help="Explicit amounts: 3万,3万,4万."),
    method: str | None = typer.Option(None, "--method", help="transfer, cash, cheque, card…"),
    remind_text: str | None = typer.Option(
        None,
        "--remind",
        help="Remind this many days before each due date (default 7); alone: change it.",
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Make a contract's payment plan (or show it, with no options); the instalments must
    add up to the contract amount. `--remind N` alone changes when its open instalments
    are reminded of."""
    from crm_tui.services import payments

    check_format(fmt, LIST_FORMATS)
    remind = _remind_days(remind_text)
    book = state(ctx).book
    current = run_service(lambda: payments.get_contract(book, contract_ref))
    if instalments is None and amounts is None:
        if remind is not None:
            if not payments.plan(book, current.id):
                fail(f"contract {current.number} has no plan yet: add --instalments or --amounts")
            run_service(lambda: payments.set_remind_days(book, current.id, remind))
        rows = payments.plan(book, current.id)
    else:
        parts = [a.strip() for a in amounts.split(",")] if amounts else None
        if parts is not None and instalments is not None and len(parts) != instalments:
            fail(f"--instalments {instalments} but {len(parts)} --amounts")
        rows = run_service(
            lambda: payments.make_plan(
                book,
                current.id,
                instalments=instalments,
                first=first,
                every=every,
                amounts=parts,
                method=method,
                remind_days=remind,
            )
        )
    table = fmt == "table"
    emit(
        [
            {
                "instalment": r.label or r.instalment,
                "due_on": r.due_on.isoformat(),
                "amount": money(r.amount, r.currency) if table else r.amount,
                "paid": money(r.paid, r.currency) if table else r.paid,
                "settled_on": r.settled_on.isoformat() if r.settled_on else "",
                "remind_days": r.remind_days,
                "id": r.id,
            }
            for r in rows
        ],
        ["instalment", "due_on", "amount", "paid", "settled_on", "remind_days", "id"],
        fmt,
    )


def _remind_days(text: str | None) -> int | None:
    from crm_tui.domain.instalment_reminders import MAX_REMIND_DAYS

    if text is None:
        return None
    days = text.strip()
    if not (days.isascii() and days.isdigit()) or int(days) > MAX_REMIND_DAYS:
        fail(f"--remind: '{text}' is not a number of days from 0 to {MAX_REMIND_DAYS}")
    return int(days)


def pay(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="An instalment or a contract (id, prefix or number)."),
    amount: str = typer.Argument(..., help="How much was received: 5万, 12000, USD 300."),
    on: str | None = typer.Option(None, "--on", help="Received on (default today)."),
    method: str | None = typer.Option(None, "--method", help="transfer, cash, cheque, card…"),
    reference: str | None = typer.Option(None, "--ref", help="Bank reference."),
    force: bool = typer.Option(
        False, "--force", help="Record it even beyond what the contract still awaits."
    ),
) -> None:
    """Record a payment received (回款); a manager confirms it with `crm confirm`. More than
    the contract still awaits is refused unless --force."""
    from crm_tui.services import payments

    book = state(ctx).book

    def record() -> Any:
        try:
            return payments.record_payment(
                book, ref, amount, on=on, method=method, reference=reference, force=force
            )
        except payments.Overpayment as exc:
            fail(f"amount: {exc.errors[0].message}; --force records it anyway")

    made = run_service(record)
    typer.echo(
        f"payment {made.id} {money(made.amount, made.currency)} on "
        f"{made.received_on.isoformat()} entered; a manager confirms it"
    )
    over = payments.overpaid(book, made.contract_id)
    if over:
        contract = payments.get_contract(book, made.contract_id)
        typer.echo(
            f"warning: contract {contract.number} has now received "
            f"{money(over, contract.currency)} more than its "
            f"{money(contract.amount, contract.currency)}",
            err=True,
        )


def confirm(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The payment (id or prefix)."),
) -> None:
    """Confirm a payment received (managers; checked again by the server on sync)."""
    from crm_tui.services import payments

    book = state(ctx).book
    done = run_service(lambda: payments.confirm(book, ref))
    typer.echo(f"payment {done.id} confirmed; `crm sync` sends it to the server")


def due(
    ctx: typer.Context,
    days: int = typer.Option(7, "--days", min=0, max=3660, help="Due within N days."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Instalments overdue or due soon, earliest first."""
    from crm_tui.services import payments

    check_format(fmt, LIST_FORMATS)
    book = state(ctx).book
    table = fmt == "table"
    rows = [
        {
            "contract": d.contract_number,
            "instalment": d.label,
            "due_on": d.due_on.isoformat(),
            "outstanding": money(d.outstanding, d.currency) if table else d.outstanding,
            "state": d.state,
            "days_overdue": d.days_overdue,
            "id": d.plan_id,
        }
        for d in payments.due(book, within_days=days, limit=1000)
    ]
    if table and not rows:
        typer.echo("Nothing due: no open instalment is overdue or due soon.")
        return
    emit(
        rows,
        ["contract", "instalment", "due_on", "outstanding", "state", "days_overdue", "id"],
        fmt,
    )


def receivables(
    ctx: typer.Context,
    period: str = typer.Option("", "--period", "-p", help="2026-11, 2026-Q4, this-month…"),
    fmt: str | None = typer.Option(None, "--format", "-f", help="md, csv or html."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    team: bool = typer.Option(False, "--team", help="The whole team (managers)."),
) -> None:
    """Receivables: collected vs planned, aging by customer and rep, DSO."""
    write_receivables(ctx, period, fmt, output, team)


def write_receivables(
    ctx: typer.Context, period: str, fmt: str | None, output: Path | None, team: bool
) -> None:
    """`crm receivables` and `crm report receivables`."""
    if fmt is None:
        suffix = output.suffix[1:].lower() if output else ""
        fmt = suffix if suffix in REPORT_FORMATS else "md"
    if fmt not in REPORT_FORMATS:
        fail(f"--format: '{fmt}' is not one of {', '.join(REPORT_FORMATS)}")
    from crm_tui.cli.report_out import emit_report
    from crm_tui.services import receivables

    emit_report(ctx, period, fmt, output, team, receivables.build, receivables.render)


def register(app: typer.Typer) -> None:
    app.command("quote")(quote)
    app.command("contract")(contract)
    app.command("plan")(plan)
    # "-5" is a (refused) amount, not an unknown option: one `error:` line, exit 1.
    app.command("pay", context_settings={"ignore_unknown_options": True})(pay)
    app.command("confirm")(confirm)
    app.command("due")(due)
    app.command("receivables")(receivables)
    register_price_list(app)
