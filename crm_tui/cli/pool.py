"""Provides the customer pool's commands (公海, issue 18): `crm pool [QUERY]`, `crm claim ID`,
`crm release ID --reason …`, `crm assign ID --to NAME`, `crm lock ID [--off]`,
`crm pool-rules` (show, or set with options; managers) and `crm server release-pool` (the
server's release pass, now).

A claim shows at once on this laptop and is pending until the next sync; the server may
still refuse it (someone claimed first), and then `crm conflicts` says who and when.
"""

from __future__ import annotations

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import check_format, emit
from crm_tui.cli.price_list import run_service


def pool(
    ctx: typer.Context,
    query: list[str] = typer.Argument(None, help="A query, e.g. city:上海 grade:A released:-30d.."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="At most this many."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Customers in the pool (no owner), newest in the pool first; `crm claim ID` takes one."""
    from crm_tui.services import lists
    from crm_tui.services import pool as pool_service

    check_format(fmt)
    book = state(ctx).book
    text = " ".join(query or [])
    try:
        found = pool_service.pool_rows(book, text, limit)
    except lists.QueryError as exc:
        fail(str(exc))
    if fmt == "table" and not found:
        typer.echo("The pool is empty." if not text else "No customer in the pool matches.")
        return
    names = dict(
        (v, k) for k, v in book.db.repos.users.members().items()
    )  # id -> name, a team is small
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "grade": c.grade or "",
            "city": c.city or "",
            "in_pool_since": c.pool_since.strftime("%Y-%m-%d") if c.pool_since else "",
            "previous_owner": names.get(c.previous_owner_id or "", c.previous_owner_id or ""),
        }
        for c in found
    ]
    if fmt == "table":  # the shortest unique prefix, as every other list prints
        shorts = _shorts(book, [r["id"] for r in rows])
        rows = [r | {"id": shorts.get(r["id"], r["id"])} for r in rows]
    emit(rows, list(rows[0]) if rows else ["id", "name"], fmt)


def _shorts(book: object, ids: list[str]) -> dict[str, str]:
    from crm_tui.services.short_ids import short_ids

    return short_ids(book, ids)  # type: ignore[arg-type]


def _short(book: object, row_id: str) -> str:
    return _shorts(book, [row_id]).get(row_id, row_id)


def claim(
    ctx: typer.Context, ref: str = typer.Argument(..., help="The customer (id or name).")
) -> None:
    """Claim a customer from the pool (pending until the next sync; the server decides)."""
    from crm_tui.services import pool as pool_service

    book = state(ctx).book
    cust = run_service(lambda: pool_service.claim(book, ref))
    typer.echo(f"claimed {cust.name} ({_short(book, cust.id)}); pending until the next sync")


def release(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The customer (id or name)."),
    reason: str = typer.Option("", "--reason", "-r", help="Why it goes back to the pool."),
) -> None:
    """Put one of your customers back in the pool, with the reason."""
    from crm_tui.services import pool as pool_service

    book = state(ctx).book
    cust = run_service(lambda: pool_service.release(book, ref, reason))
    typer.echo(f"released {cust.name} ({_short(book, cust.id)}) to the pool")


def assign(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The customer (id or name)."),
    to: str = typer.Option(..., "--to", help="The team member (name or id)."),
) -> None:
    """Give a customer (from the pool or a rep) to a team member (managers)."""
    from crm_tui.services import pool as pool_service

    book = state(ctx).book
    cust = run_service(lambda: pool_service.assign(book, ref, to))
    typer.echo(f"assigned {cust.name} ({_short(book, cust.id)}) to {to}")


def lock(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The customer (id or name)."),
    off: bool = typer.Option(False, "--off", help="Unlock: the pool rules apply again."),
) -> None:
    """Lock a customer so it never goes to the pool (managers)."""
    from crm_tui.services import pool as pool_service

    book = state(ctx).book
    cust = run_service(lambda: pool_service.lock(book, ref, not off))
    typer.echo(f"{'unlocked' if off else 'locked'} {cust.name} ({_short(book, cust.id)})")


def pool_rules(
    ctx: typer.Context,
    grade: str = typer.Option("*", "--grade", "-g", help="A, B, C, or * for every grade."),
    followup_days: int | None = typer.Option(None, "--followup-days", min=0),
    deal_days: int | None = typer.Option(None, "--deal-days", min=0),
    warn_days: int | None = typer.Option(None, "--warn-days", min=0),
    cap: int | None = typer.Option(None, "--cap", min=0, help="Customers per rep (0: none)."),
    reclaim_days: int | None = typer.Option(None, "--reclaim-days", min=0),
    exempt_won: bool | None = typer.Option(None, "--exempt-won/--release-won"),
    exempt_open_deal: bool | None = typer.Option(None, "--exempt-open-deal/--release-open-deal"),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Show the team's pool rules; with options, set them for a grade (managers)."""
    from crm_tui.services import pool as pool_service

    check_format(fmt)
    book = state(ctx).book
    given = {
        "followup_days": followup_days,
        "deal_days": deal_days,
        "warn_days": warn_days,
        "cap": cap,
        "reclaim_days": reclaim_days,
        "exempt_won": exempt_won,
        "exempt_open_deal": exempt_open_deal,
    }
    values = {k: v for k, v in given.items() if v is not None}
    if values:
        run_service(lambda: pool_service.set_rule(book, grade, values))
        typer.echo(f"pool rules for grade {grade} set (synced to the team on the next sync)")
    team = pool_service.rules(book)
    grades = sorted(set(team.by_grade) | {"*"})
    rows = []
    for g in grades:
        rule = team.for_grade(None if g == "*" else g)
        row = {"grade": g} | {k: getattr(rule, k) for k in given}
        if fmt == "table":  # 0 switches these off; say so rather than show a bare 0
            row |= {k: OFF_WORD[k] for k in OFF_WORD if row[k] == 0}
            if g != "*":
                row["cap"] = "—"  # the cap is the team's (the * row); a grade row cannot lift it
        rows.append(row)
    emit(rows, list(rows[0]), fmt)


OFF_WORD = {"followup_days": "off", "deal_days": "off", "cap": "none"}


def release_pool(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="Decide as if it were this UTC time."),
) -> None:
    """Run the pool's release pass now (it also runs hourly inside `crm server`)."""
    from datetime import UTC, datetime

    from crm_tui.cli.sync import _URL_KEY
    from crm_tui.services import pool as pool_service
    from crm_tui.services.server_admin import ServerUnavailable

    now = None
    if as_of:
        try:
            now = datetime.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of '{as_of}' is not a date-time (try 2027-01-15 or 2027-01-15T09:00)")
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
    try:
        released = pool_service.release_now(ctx.meta.get(_URL_KEY), now)
    except ServerUnavailable as exc:
        fail(str(exc))
    typer.echo(f"released {len(released)} customer(s) to the pool")
    for cid in released:
        typer.echo(cid)


def register(app: typer.Typer) -> None:
    from crm_tui.cli.sync import server_app

    app.command("pool")(pool)
    app.command("claim")(claim)
    app.command("release")(release)
    app.command("assign")(assign)
    app.command("lock")(lock)
    app.command("pool-rules")(pool_rules)
    server_app.command("release-pool")(release_pool)
