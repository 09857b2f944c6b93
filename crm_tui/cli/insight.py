"""Provides the customer insight commands (issue 22): `crm survey CUSTOMER --score N`,
`crm segments`, and `crm report segments|churn` (reached through cli/report.py).

Bad input is one `error:` line and exit 1, with nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import check_format, emit
from crm_tui.cli.price_list import money, run_service

REPORT_FORMATS = ("md", "csv", "html")
SOURCES = ("call", "visit", "deal", "service", "other")


def register(app: typer.Typer) -> None:
    from crm_tui.cli.add import add_app

    app.command("survey")(survey)
    add_app.command("survey")(survey)  # `crm add survey …` is the same verb
    app.command("segments")(segments)


def survey(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer (id, prefix, name or part of it)."),
    score: str = typer.Option(..., "--score", "-s", help="1 (very unhappy) to 5 (very happy)."),
    comment: str | None = typer.Option(None, "--comment", "-c", help="What they said."),
    source: str = typer.Option("call", "--source", help="call, visit, deal, service or other."),
    deal: str | None = typer.Option(None, "--deal", help="The deal it followed (id or prefix)."),
) -> None:
    """Record a satisfaction score; 2 or less also schedules a call-back for tomorrow."""
    from crm_tui.services import records, surveys

    if source not in SOURCES:
        fail(f"--source: '{source}' is not one of {', '.join(SOURCES)}")
    book = state(ctx).book
    run_service(lambda: surveys.parse_score(score))
    deal_id = None
    if deal:
        deal_id = run_service(lambda: records.resolve(book, "opportunity", deal)).id
    # The resolver every `--customer` uses: part of a name, candidates listed when several.
    customer_id = run_service(lambda: records.resolve_link(book, "customer", customer))
    taken = run_service(
        lambda: surveys.take(
            book, customer_id, score, comment=comment, source=source, opportunity_id=deal_id
        )
    )
    typer.echo(f"survey {taken.survey.id}: {taken.survey.score}/5")
    if taken.follow_up is not None:
        when = "still open: no second call-back made" if taken.reused else "due tomorrow"
        typer.echo(f"follow-up {taken.follow_up.id}: {taken.follow_up.subject} ({when})")


def segments(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Customers per RFM group (重要价值 …), with lifetime value and value at risk."""
    from crm_tui.services import insight

    check_format(fmt, ("table", "json", "csv"))
    book = state(ctx).book
    insight.refresh(book)
    found = {r.segment: r for r in insight.segments(book)}
    currency = book.input_context.currency
    rows = []
    for key in [s.key for s in insight.SEGMENTS] + [None]:
        r = found.get(key)
        if r is None:
            continue
        rows.append(
            {
                "segment": key or "",
                "name": insight.segment_label(key) or "(no purchases)",
                "customers": r.customers,
                "clv": r.value if fmt != "table" else money(r.value, currency),
                "value_at_risk": r.at_risk if fmt != "table" else money(r.at_risk, currency),
                "risk": r.risk,
            }
        )
    emit(
        rows,
        ["name", "customers", "clv", "value_at_risk", "risk"]
        if fmt == "table"
        else ["segment", "name", "customers", "clv", "value_at_risk", "risk"],
        fmt,
        {"name": "Segment", "clv": "Lifetime value", "value_at_risk": "At risk / yr"},
    )


def write_report(
    ctx: typer.Context, name: str, period: str, fmt: str, output: Path | None, team: bool
) -> None:
    """`crm report segments` and `crm report churn`."""
    from crm_tui.cli.report_out import emit_report
    from crm_tui.services import insight

    def build(book: Any, chosen: Any, team: bool) -> Any:
        return insight.build_report(book, name, chosen, team=team)

    emit_report(ctx, period, fmt, output, team, build, insight.render_report)


def print_churn(book: object, customer_id: str) -> None:
    """`crm why CUSTOMER`'s second part: the churn risk, its reasons, segment and CLV."""
    from crm_tui.services import insight

    found = insight.why(book, customer_id)  # type: ignore[arg-type]
    if found is None:
        return
    currency = book.input_context.currency  # type: ignore[attr-defined]
    segment = insight.segment_label(found.segment) or "(no purchases)"
    typer.echo("")
    typer.echo(
        f"churn risk {found.risk:.2f}  segment {segment}  lifetime value "
        f"{money(found.clv, currency)}  at risk / yr {money(found.value_at_risk, currency)}"
    )
    if not found.terms:
        typer.echo("  (no signs of drifting away)")
        return
    for t in found.terms:  # one line each: the reason is the point, never cut to fit
        typer.echo(f"  {t.name:<14} {t.value:.2f} × {t.weight:g}  {t.detail}")
