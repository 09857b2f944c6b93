"""Provides `crm import csv|vcard`, `crm export csv|vcard|ledger`, `crm backup`, `crm restore`.

Exit codes: 0 all done; 1 nothing was changed (one `error:` line says why); 2 the import
was applied but some rows were refused (listed in the report file).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.groups import export_app, import_app
from crm_tui.cli.output import shorten_ids

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crm_tui.services.book import Book
    from crm_tui.services.transfer import ImportResult

PARTIAL = 2
_PROGRESS_BYTES = 2_000_000
_SHOWN_PROBLEMS = 10


def _entity(name: str, importable: bool = False) -> str:
    from crm_tui.domain.fields import ENTITIES, entity
    from crm_tui.services.transfer import IMPORTABLE

    try:
        spec = entity(name)
    except KeyError as exc:
        fail(str(exc.args[0]))
    if importable and spec.name not in IMPORTABLE:
        fail(
            f"cannot import {spec.plural}; one of: "
            + ", ".join(ENTITIES[e].plural for e in IMPORTABLE)
        )
    return spec.name


def _parse_maps(maps: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in maps:
        if "=" not in item:
            fail(f"--map '{item}': write it as COLUMN=field (or COLUMN= to ignore a column)")
        column, target = item.rsplit("=", 1)
        out[column.strip()] = target.strip()
    return out


def _report_path(source: Path, report: Path | None) -> Path:
    path = report or source.with_name(source.stem + ".rejected.csv")
    try:  # refuse before importing, not after: the report must not be lost
        existed = path.exists()
        with path.open("a", encoding="utf-8"):
            pass
        if not existed:
            path.unlink()
    except OSError as exc:
        fail(f"cannot write the report file {path}: {exc.strerror or exc} (use --report)")
    return path


def _finish(
    results: list[ImportResult], report: Path, headers: list[str], book: Book | None = None
) -> None:
    from crm_tui.services.transfer import merged as merge_results
    from crm_tui.services.transfer import write_report

    for result in results:
        for note in result.notes:
            typer.echo(note)
    merged = merge_results(results)
    for result in results:
        typer.echo(result.summary())
    problems = sorted(merged.rejected + merged.duplicates, key=lambda p: p.line)
    shown = [f"  line {p.line}: {p.reason}" for p in problems[:_SHOWN_PROBLEMS]]
    for line in shorten_ids(book, shown) if book is not None else shown:
        typer.echo(line)
    if len(problems) > _SHOWN_PROBLEMS:
        typer.echo(f"  … and {len(problems) - _SHOWN_PROBLEMS} more")
    if problems:
        write_report(report, merged, headers)
        typer.echo(f"refused and duplicate rows, with reasons: {report}")
    if results[0].dry_run:
        typer.echo("dry run: nothing was changed")
    if results[0].aborted:
        fail(
            f"{len(merged.rejected)} rows refused, so nothing was imported (--strict); see {report}"
        )
    if merged.rejected:
        created = sum(r.created + r.merged for r in results)
        if not created:
            fail(f"no rows imported: {len(merged.rejected)} refused (see {report})")
        raise typer.Exit(PARTIAL)


@contextmanager
def _progress(total: int, show: bool) -> Iterator[object]:
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("importing", total=total)
        yield lambda done: bar.update(task, completed=done)


@import_app.command("csv")
def import_csv_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The CSV file (any common encoding or delimiter)."),
    entity: str = typer.Option(
        "customers", "--entity", "-e", help="customers, contacts, followups or deals."
    ),
    maps: list[str] = typer.Option(
        [], "--map", "-m", help="COLUMN=field, repeatable; COLUMN= ignores a column."
    ),
    on_duplicate: str = typer.Option(
        "skip", "--on-duplicate", help="skip, merge (fill blank fields) or create."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would happen; change nothing."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Where refused rows go (default: FILE.rejected.csv)."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="All or nothing: one refused row and nothing is imported."
    ),
    encoding: str | None = typer.Option(None, "--encoding", help="e.g. utf-8, gb18030."),
    delimiter: str | None = typer.Option(None, "--delimiter", help="Default: detected."),
) -> None:
    """Import customers, contacts, follow-ups or opportunities from a CSV file."""
    from crm_tui.services import transfer

    name = _entity(entity, importable=True)
    explicit = _parse_maps(maps)
    report_path = _report_path(file, report)
    if delimiter == "\\t":
        delimiter = "\t"
    book = state(ctx).book
    try:
        plan = transfer.plan_csv(file, name, explicit, encoding, delimiter)
        show = file.stat().st_size > _PROGRESS_BYTES and sys.stderr.isatty()
        with _progress(transfer.estimate_rows(plan), show) as progress:
            result = transfer.import_csv(
                book,
                plan,
                name,
                on_duplicate=on_duplicate,
                dry_run=dry_run,
                progress=progress,
                strict=strict,
            )
    except transfer.ImportFailed as exc:
        fail(f"{file}: {exc}; nothing was imported")
    _finish([result], report_path, plan.headers, book)


@import_app.command("vcard")
def import_vcard_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .vcf file with one or more cards (3.0 or 4.0)."),
    on_duplicate: str = typer.Option("skip", "--on-duplicate", help="skip, merge or create."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would happen; change nothing."
    ),
    report: Path | None = typer.Option(None, "--report", help="Where refused cards go."),
    strict: bool = typer.Option(
        False, "--strict", help="All or nothing: one refused row and nothing is imported."
    ),
) -> None:
    """Import vCards: people and companies as customers, people with an ORG as contacts."""
    from crm_tui.services import transfer

    report_path = _report_path(file, report)
    book = state(ctx).book
    try:
        customers, contacts = transfer.import_vcard(
            book, file, on_duplicate=on_duplicate, dry_run=dry_run, strict=strict
        )
    except transfer.ImportFailed as exc:
        fail(f"{file}: {exc}; nothing was imported")
    _finish([customers, contacts], report_path, ["card"], book)


@contextmanager
def _output(path: Path | None, bom: bool = False) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            yield fh
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail(f"cannot write {path}: {exc.strerror or exc}")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _exporting(what: str, output: Path | None, count: int) -> None:
    if output is not None:
        from crm_tui.services.words import screen_words

        # "exported 1,671 deals", in the screens' words (never "1671 opportunity").
        noun = screen_words(what)
        if count != 1 and not noun.endswith("s"):
            noun = {"follow-up": "follow-ups", "deal": "deals", "claim": "claims"}.get(
                noun, noun + "s"
            )
        typer.echo(f"exported {count:,} {noun} to {output}", err=True)


_OUTPUT = typer.Option(None, "--output", "-o", help="File to write (default: standard output).")


@export_app.command("csv")
def export_csv_command(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="customers, contacts, followups, deals, claims, …"),
    query: str | None = typer.Argument(None, help="Only records matching this query."),
    output: Path | None = _OUTPUT,
) -> None:
    """Export one record type as CSV that `crm import csv` reads back unchanged."""
    from crm_tui.services import transfer

    name = _entity(entity)
    book = state(ctx).book
    try:
        with _output(output, bom=True) as out:
            count = transfer.export_csv(book, name, out, query)
    except ValueError as exc:  # a bad query says which token and where
        fail(str(exc))
    _exporting(name, output, count)


@export_app.command("vcard")
def export_vcard_command(
    ctx: typer.Context,
    query: str | None = typer.Argument(None, help="Only customers/contacts matching this."),
    output: Path | None = _OUTPUT,
    version: str = typer.Option("3.0", "--version", help="vCard 3.0 (default) or 4.0."),
) -> None:
    """Export customers and contacts as vCards for a phone or mail program."""
    from crm_tui.services import transfer

    if version not in ("3.0", "4.0"):
        fail(f"--version: '{version}' is not 3.0 or 4.0")
    book = state(ctx).book
    try:
        with _output(output) as out:
            count = transfer.export_vcard(book, out, query, version)
    except ValueError as exc:
        fail(str(exc))
    _exporting("cards", output, count)


@export_app.command("ledger")
def export_ledger_command(
    ctx: typer.Context,
    query: str | None = typer.Argument(None, help="Only claims matching this query."),
    output: Path | None = _OUTPUT,
) -> None:
    """Export expense claims as an hledger/ledger journal (`hledger -f FILE balance`)."""
    from crm_tui.services import transfer

    book = state(ctx).book
    try:
        with _output(output) as out:
            count = transfer.export_ledger(book, out, query)
    except ValueError as exc:
        fail(str(exc))
    _exporting("claims", output, count)


def backup_command(
    ctx: typer.Context, file: Path = typer.Argument(..., help="The JSON file to write.")
) -> None:
    """Write a complete snapshot of the local database (records, tombstones, sync state),
    and its attached files beside it (FILE.files)."""
    from crm_tui.services import transfer

    path = state(ctx).db_path
    try:
        counts = transfer.backup(path, file)
        files = transfer.backup_files(path, file)
    except transfer.BackupError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot copy the attached files beside {file}: {exc.strerror or exc}")
    typer.echo(f"backed up {sum(counts.values())} rows from {len(counts)} tables to {file}")
    if files:
        typer.echo(f"and {files} attached files to {file}.files (keep the two together)")


def restore_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A file written by `crm backup`."),
    force: bool = typer.Option(False, "--force", help="Replace a database that holds records."),
) -> None:
    """Replace the local database with a backup (verified first; all or nothing)."""
    from crm_tui.services import transfer

    path = state(ctx).db_path
    try:
        counts = transfer.restore(file, path, force=force)
        files = transfer.restore_files(file, path)
    except transfer.BackupError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"restored the rows, but not the attached files: {exc.strerror or exc}")
    typer.echo(f"restored {sum(counts.values())} rows into {path}")
    if files:
        typer.echo(f"and {files} attached files")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
