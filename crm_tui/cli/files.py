"""Provides the file commands (issue 17): `crm attach RECORD FILE`, `crm files [RECORD]`
(a record's files, or the team library), `crm open FILE_ID` (the system viewer; `--save`
a copy instead), `crm pin FILE_ID`, `crm detach FILE_ID` and `crm folder NAME`.

Limits (25 MB a file, the team's quota) are checked before anything is copied: a file
over them is one `error:` line and exit 1, with nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import check_format, emit
from crm_tui.cli.price_list import run_service

FORMATS = ("table", "json", "csv")
COLUMNS = ["id", "name", "size", "on", "here", "note"]
LIBRARY = "library"


def _rows(book: Any, found: list[Any]) -> list[dict[str, Any]]:
    from crm_tui.services import files

    return [
        {
            "id": a.id,
            "name": a.name,
            "size": files.human_size(a.size),
            "bytes": a.size,
            "on": f"{a.record_entity} {a.record_id[:13]}" if a.record_id else "library",
            "here": "yes" if files.is_here(book, a) else "no",
            "sha256": a.sha256,
            "note": a.note or "",
        }
        for a in found
    ]


def attach(
    ctx: typer.Context,
    record: str = typer.Argument(
        ..., metavar="RECORD", help="Any record's id or id prefix, or 'library'."
    ),
    file: Path = typer.Argument(..., metavar="FILE", help="The file to attach."),
    name: str | None = typer.Option(None, "--name", help="Store under this name."),
    note: str | None = typer.Option(None, "--note", help="A line about the file."),
    folder: str | None = typer.Option(None, "--folder", help="With 'library': the folder."),
) -> None:
    """Attach a file to a record (a contract's scan, a claim's receipt, a visit's photos),
    or put it in the team library: `crm attach library FILE --folder 合同模板`."""
    from crm_tui.services import files

    book = state(ctx).book
    if record == LIBRARY:
        folder_id = run_service(lambda: files.find_folder(book, folder).id) if folder else None
        att = run_service(
            lambda: files.attach(book, None, None, file, name=name, note=note, folder_id=folder_id)
        )
    else:
        if folder:
            fail("--folder: only files in the library ('crm attach library FILE') have folders")
        att = run_service(lambda: files.attach_to(book, record, file, name=name, note=note))
    typer.echo(f"attached {att.name} ({files.human_size(att.size)}) as {att.id}")


def list_files(
    ctx: typer.Context,
    record: str | None = typer.Argument(None, metavar="[RECORD]", help="Omit for the library."),
    folder: str | None = typer.Option(None, "--folder", help="A library folder (id or name)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """List a record's files, or the team library (its folders first)."""
    from crm_tui.services import files

    check_format(fmt, FORMATS)
    book = state(ctx).book
    if record is not None:
        entity, rec = run_service(lambda: files.find_record(book, record))
        found = files.files_of(book, entity, rec.id)
        folders: list[Any] = []
    else:
        folder_id = run_service(lambda: files.find_folder(book, folder).id) if folder else None
        folders, found = files.library(book, folder_id)
    rows = [
        {"id": f.id, "name": f"{f.name}/", "size": "", "on": "folder", "here": "", "note": ""}
        for f in folders
    ] + _rows(book, found)
    if fmt == "table" and not rows:
        typer.echo("no files")
        return
    if fmt == "table":  # short ids, as every list prints them (each resolves: crm open ID)
        from crm_tui.services.short_ids import short_ids

        shorts = short_ids(book, (r["id"] for r in rows))
        rows = [r | {"id": shorts.get(r["id"], r["id"])} for r in rows]
    emit(rows, COLUMNS if fmt == "table" else [*COLUMNS, "bytes", "sha256"], fmt)


def open_file(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="FILE_ID", help="The file's id or id prefix."),
    save: Path | None = typer.Option(None, "--save", help="Save a copy here instead."),
    path_only: bool = typer.Option(False, "--path", help="Print where the content is."),
) -> None:
    """Open a file with the system viewer (downloaded first if this laptop lacks it)."""
    from crm_tui.services import files

    book = state(ctx).book
    att = run_service(lambda: files.find_file(book, ref))
    try:
        if save is not None:
            copy = run_service(lambda: files.save_copy(book, att.id, save))
            typer.echo(f"saved {copy}")
        elif path_only:
            typer.echo(str(files.open_path(book, att.id)))
        else:
            shown = files.show_in_viewer(book, att.id)
            typer.echo(f"opened {shown}")
    except files.FileNotHere as exc:
        fail(str(exc))


def pin(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="FILE_ID"),
    off: bool = typer.Option(False, "--off", help="Stop keeping it offline."),
) -> None:
    """Keep a file on this laptop for offline use (fetched at the next sync)."""
    from crm_tui.services import files

    book = state(ctx).book
    att = run_service(lambda: files.find_file(book, ref))
    files.pin(book, att.id, not off)
    typer.echo(f"{'unpinned' if off else 'pinned'} {att.name}")


def detach(ctx: typer.Context, ref: str = typer.Argument(..., metavar="FILE_ID")) -> None:
    """Delete a file from its record or the library (`crm undo` brings it back)."""
    from crm_tui.services import files

    book = state(ctx).book
    att = run_service(lambda: files.find_file(book, ref))
    run_service(lambda: files.delete_file(book, att.id))
    typer.echo(f"deleted {att.name}")


def folder(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    parent: str | None = typer.Option(None, "--in", help="The parent folder (id or name)."),
) -> None:
    """Make a folder in the team library."""
    from crm_tui.services import files

    book = state(ctx).book
    parent_id = run_service(lambda: files.find_folder(book, parent).id) if parent else None
    made = run_service(lambda: files.new_folder(book, name, parent_id))
    typer.echo(f"made folder {made.name} {made.id}")


def register(app: typer.Typer) -> None:
    app.command("attach")(attach)
    app.command("files")(list_files)
    app.command("open")(open_file)
    app.command("pin")(pin)
    app.command("detach")(detach)
    app.command("folder")(folder)
