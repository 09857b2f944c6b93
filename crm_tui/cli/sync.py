"""Provides `crm server …` (run and administer the team's sync server), `crm login` and
`crm sync`. Server and HTTP code is imported inside the commands, so `crm` starts fast."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.hoist import HoistGroup
from crm_tui.cli.output import check_format, emit

if TYPE_CHECKING:
    from pydantic import ValidationError

    from crm_tui.services.book import Book
    from crm_tui.services.server_admin import ServerAdmin

server_app = typer.Typer(
    cls=HoistGroup,  # `crm server init --database-url …` works as typed
    help="Run the team's sync server, or administer its members.",
    no_args_is_help=False,
    invoke_without_command=True,
)

_URL_KEY = "crm.server.database_url"


def _server(ctx: typer.Context) -> ServerAdmin:
    from crm_tui.services.server_admin import ServerUnavailable, open_server

    try:
        server = open_server(ctx.meta.get(_URL_KEY))
    except ServerUnavailable as exc:
        fail(str(exc))
    ctx.call_on_close(server.close)
    return server


@server_app.callback()
def server_main(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        envvar="CRM_SERVER_DATABASE_URL",
        help="sqlite:///PATH (default: server.db in the data folder) or "
        "postgresql+psycopg://USER@HOST/DB.",
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Worker processes (uvicorn); they share all state through the database.",
    ),
) -> None:
    """With no subcommand, serve the sync API (FastAPI on uvicorn) until stopped."""
    ctx.meta[_URL_KEY] = database_url
    if ctx.invoked_subcommand is not None:
        return
    from crm_tui.services.server_admin import ServerUnavailable, serve

    def announce(url: str) -> None:
        typer.echo(f"crm server on http://{host}:{port} (database {url})", err=True)

    try:
        serve(database_url, host, port, announce, workers=workers)
    except ServerUnavailable as exc:
        fail(str(exc))


@server_app.command("init")
def server_init(ctx: typer.Context) -> None:
    """Create (or bring up to date) the server's tables."""
    server = _server(ctx)
    typer.echo(f"server database ready: {server.url}")


@server_app.command("add-user")
def server_add_user(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The member's name, as they type it at login."),
    role: str = typer.Option("rep", "--role", help="rep, manager or admin."),
    email: str | None = typer.Option(None, "--email"),
) -> None:
    """Add a team member (or re-enrol one) and print their one-time enrolment code."""
    from crm_tui.services.server_admin import AccountError

    server = _server(ctx)
    try:
        added, added_role, code = server.add_user(name, role, email)
    except AccountError as exc:
        fail(str(exc))
    typer.echo(f"{added} ({added_role}) enrolment code: {code}", err=True)
    typer.echo(code)


@server_app.command("users")
def server_users(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
) -> None:
    """List team members with their role and active devices."""
    rows = _server(ctx).users()
    emit(rows, ["name", "role", "email", "devices", "revoked"], fmt)


@server_app.command("revoke")
def server_revoke(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Revoke every device of a member: their next sync gets 401."""
    from crm_tui.services.server_admin import AccountError

    server = _server(ctx)
    try:
        count = server.revoke(name)
    except AccountError as exc:
        fail(str(exc))
    typer.echo(f"revoked {name}: {count} device(s) signed out")


@server_app.command("conflicts")
def server_conflicts(
    ctx: typer.Context,
    limit: int = typer.Option(100, "--limit", "-n", min=1, help="At most this many."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
) -> None:
    """List edits the server kept after they lost (e.g. to a delete), newest first."""
    check_format(fmt)
    rows = _server(ctx).conflicts(limit)
    if fmt == "table" and not rows:
        typer.echo("No lost edits on the server.")
        return
    emit(rows, ["at", "user", "entity", "row_id", "field", "lost_value", "reason"], fmt)


def login(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="The server, e.g. http://crm.example.com:8765"),
    user: str = typer.Option(..., "--user", help="Your name as the admin enrolled it."),
    code: str | None = typer.Option(None, "--code", help="One-time enrolment code."),
    device_name: str = typer.Option(socket.gethostname(), "--device-name"),
) -> None:
    """Sign this database in to a sync server (the login belongs to this --db file)."""
    from pydantic import ValidationError

    from crm_tui.services import sync as sync_service

    if code is None:
        try:
            code = typer.prompt("enrolment code")
        except typer.Abort:  # no terminal and nothing piped in: say what is missing
            fail("login needs the enrolment code: --code CODE (your admin gave it to you)")
    st = state(ctx)
    try:
        answer = sync_service.login(st.book, url, user=user, code=code, device_name=device_name)
    except sync_service.SyncError as exc:
        fail(f"login failed: {exc}")
    except ValidationError as exc:  # the enrolment request's own limits (user, code length)
        fail(f"login failed: {_first_problem(exc)}")
    typer.echo(
        f"signed in as {answer.user_name} ({answer.role}) on {url}; "
        f"token kept in {sync_service.login_file(st.book)}. Run: crm sync"
    )


def _first_problem(exc: ValidationError) -> str:
    """One line for the first invalid field, e.g. "--code: String should have at least 4
    characters" (the option the user typed, not the model's field)."""
    err = exc.errors()[0]
    field = ".".join(str(part) for part in err.get("loc", ())) or "input"
    return f"--{field.replace('_', '-')}: {err.get('msg', 'invalid')}"


def sync(
    ctx: typer.Context,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the summary line."),
) -> None:
    """Push this laptop's changes to the server and pull the team's."""
    from crm_tui.services import sync as sync_service

    book = state(ctx).book
    try:
        if quiet:
            report = sync_service.sync_now(book)
        else:
            with _progress_bar() as on_progress:
                report = sync_service.sync_now(book, progress=on_progress)
    except sync_service.SyncError as exc:
        fail(f"sync failed: {exc}")
    typer.echo(report.summary())
    for line in _refused_lines(book, report.refused[:20]):
        typer.echo(f"  rejected {line}")
    if report.conflicts or report.rejected:
        typer.echo("  (the losing values are kept: see the conflicts view)")


def _refused_lines(book: Book, refused: list[tuple[str, str, str]]) -> list[str]:
    """'customer 01a243d8-7 宁波港口物流: reason' for each (entity, row id, reason): the
    record's short id, which `crm show` resolves (refused creations too: hidden, not gone)."""
    from crm_tui.services.records import title_of
    from crm_tui.services.short_ids import short_ids

    shorts = short_ids(book, (row_id for _, row_id, _ in refused))
    lines = []
    for entity, row_id, reason in refused:
        title = title_of(book, entity, row_id)
        named = f"{entity} {shorts.get(row_id, row_id)}" + (f" {title}" if title else "")
        lines.append(f"{named}: {reason}")
    return lines


CONFLICT_COLUMNS = ["id", "at", "kind", "entity", "row", "field", "kept", "lost", "who", "reason"]


conflicts_app = typer.Typer(
    help="Values that lost a conflict: list them, restore one, or dismiss one.",
    invoke_without_command=True,
)


@conflicts_app.callback()
def conflicts(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    resolved: bool = typer.Option(False, "--all", help="Resolved ones too."),
) -> None:
    """List values that lost a conflict, were refused or edited a deleted row, and pulled
    rows this laptop could not apply yet (parked: retried at every sync). `crm conflicts
    restore ID` puts the lost value back; `crm conflicts dismiss ID` drops it."""
    if ctx.invoked_subcommand is not None:
        return
    from crm_tui.services import sync as sync_service
    from crm_tui.services.short_ids import short_ids

    check_format(fmt)
    book = state(ctx).book
    found = sync_service.conflicts(book, include_resolved=resolved)
    shorts = short_ids(book, (str(c["row_id"]) for c in found)) if fmt == "table" else {}
    rows = [
        {
            "id": c["id"],
            "at": c["at"],
            "kind": c["kind"],
            "entity": c["entity"],
            "row": shorts.get(str(c["row_id"]), c["row_id"]),
            "field": c["field"],
            "kept": c["winning_value"],
            "lost": c["losing_value"],
            "who": c["who"],
            "reason": c["reason"],
        }
        for c in found
    ]
    parked = [
        {"kind": "parked", "entity": p.entity, "row": p.row_id, "reason": p.reason}
        for p in sync_service.parked(book)
    ]
    if fmt == "table" and not rows and not parked:
        typer.echo("No conflicts and no parked rows.")
        return
    emit(rows + parked, CONFLICT_COLUMNS, fmt)


def _conflict_id(ctx: typer.Context, ref: str) -> int:
    from crm_tui.services import sync as sync_service

    if not ref.strip().isdigit():
        fail(f"'{ref}' is not a conflict number (the id column of `crm conflicts`)")
    wanted = int(ref)
    open_ = sync_service.conflicts(state(ctx).book)
    if not any(int(c["id"]) == wanted for c in open_):
        fail(f"no open conflict {wanted} (see `crm conflicts`)")
    return wanted


@conflicts_app.command("restore")
def conflicts_restore(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Put a lost value back as a new change (a deleted row comes back with the edit)."""
    from crm_tui.cli.matching import run_or_fail
    from crm_tui.services import sync as sync_service

    conflict_id = _conflict_id(ctx, ref)
    typer.echo(run_or_fail(lambda: sync_service.restore_conflict(state(ctx).book, conflict_id)))


@conflicts_app.command("dismiss")
def conflicts_dismiss(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Keep the server's value and drop the lost one from the list."""
    from crm_tui.services import sync as sync_service

    conflict_id = _conflict_id(ctx, ref)
    sync_service.dismiss_conflict(state(ctx).book, conflict_id)
    typer.echo(f"dismissed conflict {conflict_id}")


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int | None], None]]:
    """A transient bar per sync phase (push, pull) on the terminal's stderr; nothing at
    all otherwise (rich ends a bar it cannot redraw with a newline: the output then began
    with a blank line)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda phase, done, total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=True,
        console=console,
    ) as bar:
        tasks: dict[str, int] = {}

        def on_progress(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(f"{phase}ing", total=total)
            bar.update(tasks[phase], completed=done, total=total or done)

        yield on_progress


def register(app: typer.Typer) -> None:
    app.add_typer(server_app, name="server")
    app.command("login")(login)
    app.command("sync")(sync)
    app.add_typer(conflicts_app, name="conflicts")
