"""Provides the read commands that answer without Typer or SQLAlchemy (issue 20): `crm list`
and `crm query` as a table, `crm show`, `crm agenda`, `crm why ID` and `crm sync`'s
refusal on a book not signed in, and the option parsing `crm` itself shares
(`app_options`).

Each `*_options` accepts exactly the command lines its quick path covers (else None); each
runner returns False when the full command must answer (it then says what is wrong). The
launcher (crm_tui/launch.py) tries them before it loads the CLI; `crm remind` and `crm
report` have theirs in launch.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_OPTIONS = ("--db", "--now")


def app_options(argv: list[str]) -> dict[str, str] | None:
    """`{"--db": ..., "--now": ...}` when argv only opens the app, else None (use the CLI)."""
    options: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name not in APP_OPTIONS or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None  # let the CLI say what is missing
        options[name] = value
    return options


def db_path(options: dict[str, str]) -> Path:
    """The book `--db` / CRM_DB names (config.resolve_db_path's order); platformdirs, which
    costs a quick command a tenth of its time, loads only for the default book."""
    named = options.get("--db") or os.environ.get("CRM_DB")
    if named:
        return Path(named).expanduser()
    from crm_tui.config import default_db_path

    return default_db_path()


def answer(argv: list[str]) -> bool:
    """True when one of the quick read commands answered `argv`."""
    for parse, run in (
        (quick_list_options, quick_list),
        (quick_show_options, quick_show),
        (quick_agenda_options, quick_agenda),
        (quick_why_options, quick_why),
        (quick_sync_options, quick_sync),
    ):
        options = parse(argv)
        if options is not None and run(options):
            return True
    return False


# `crm list KIND [TEXT]` / `crm query KIND [QUERY]` as a table without Typer or SQLAlchemy.
_LIST_COMMANDS = ("list", "query")
_LIST_SHORT = {"-f": "--format", "-n": "--limit"}
_QUERY_SHORT = {**_LIST_SHORT, "-s": "--sort"}  # `crm list` has no -s
_LIST_FORMATS = ("table", "json", "csv")


def quick_list_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] list|query KIND [TEXT]
    [-f table|json|csv] [-n N] [--sort S] [--count (query only, a table)]`, else None (the
    full CLI: other formats, help, bad values, a text that looks like an option)."""
    split = next((i for i, arg in enumerate(argv) if arg in _LIST_COMMANDS), None)
    if split is None:
        return None
    options = app_options(argv[:split])
    if options is None:
        return None
    options["command"] = argv[split]
    words: list[str] = []
    args = iter(argv[split + 1 :])
    for arg in args:
        if not arg.startswith("-") or arg == "-":
            words.append(arg)
            continue
        name, eq, value = arg.partition("=")
        short = _QUERY_SHORT if options["command"] == "query" else _LIST_SHORT
        if eq and name in short:
            return None  # click reads `-n=5` as the value "=5"
        name = short.get(name, name)
        if name == "--count" and not eq and options["command"] == "query":
            if name in options:
                return None
            options[name] = "1"
            continue
        if name not in ("--format", "--limit", "--sort", *APP_OPTIONS) or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or (value.startswith("-") and not (eq and name == "--sort")):
            return None
        if name == "--format" and value not in _LIST_FORMATS:
            return None
        if name == "--limit" and not (value.isascii() and value.isdigit() and int(value) >= 1):
            return None
        options[name] = value
    if not 1 <= len(words) <= 2 or "-" in words:
        return None
    if "--count" in options and options.get("--format", "table") != "table":
        return None
    options["entity"] = words[0]
    options["text"] = words[1] if len(words) > 1 else ""
    return options


def quick_list(options: dict[str, str]) -> bool:
    """`crm list` / `crm query` on plain sqlite3: True when it answered, False when the full
    command must (a record type or query it does not cover, a query error, a missing book)."""
    from crm_tui.services import quick, quick_list

    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = db_path(options)
        if "--count" in options:
            found = quick_list.count(path, clock, options["entity"], options["text"])
            sys.stdout.write(f"{found}\n")
            sys.stdout.flush()
            return True
        limit = int(options["--limit"]) if "--limit" in options else None
        fmt = options.get("--format", "table")
        if fmt == "table":
            listing = quick_list.table(
                path,
                clock,
                options["entity"],
                options["text"],
                limit=limit,
                terminal=_terminal(),
                sort=options.get("--sort"),
            )
        else:
            from crm_tui.services import quick_export

            listing = quick_export.records(
                path,
                clock,
                options["entity"],
                options["text"],
                fmt,
                limit=limit,
                sort=options.get("--sort"),
            )
    except quick.QuickUnavailable:
        return False
    for chunk in listing.chunks:
        sys.stdout.write(chunk)
    sys.stdout.flush()
    if listing.footer:
        sys.stderr.write(listing.footer + "\n")
    return True


def quick_show_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] show REF [-f table|json]`, else None."""
    if "show" not in argv:
        return None
    split = argv.index("show")
    options = app_options(argv[:split])
    if options is None:
        return None
    words: list[str] = []
    args = iter(argv[split + 1 :])
    for arg in args:
        if not arg.startswith("-"):
            words.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if eq and name == "-f":
            return None
        name = "--format" if name == "-f" else name
        if name not in ("--format", *APP_OPTIONS) or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None
        if name == "--format" and value not in ("table", "json"):
            return None
        options[name] = value
    if len(words) != 1 or not words[0].strip():
        return None
    options["ref"] = words[0]
    return options


def quick_show(options: dict[str, str]) -> bool:
    """`crm show REF` on plain sqlite3: True when it answered, False when the full command
    must (no record or several match, a missing book, ...)."""
    from crm_tui.services import quick, quick_show

    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = db_path(options)
        text = quick_show.show_text(path, clock, options["ref"], options.get("--format", "table"))
    except quick.QuickUnavailable:
        return False
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


_AGENDA = ("table", "json")


def quick_agenda_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] agenda [-d N] [-f table|json]`, else
    None."""
    if "agenda" not in argv:
        return None
    split = argv.index("agenda")
    options = app_options(argv[:split])
    if options is None:
        return None
    args = iter(argv[split + 1 :])
    for arg in args:
        name, eq, value = arg.partition("=")
        if eq and name in ("-d", "-f"):
            return None
        name = {"-d": "--days", "-f": "--format"}.get(name, name)
        if name not in ("--days", "--format", *APP_OPTIONS) or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-") or (name == "--format" and value not in _AGENDA):
            return None
        if name == "--days" and not (value.isascii() and value.isdigit() and int(value) >= 1):
            return None
        options[name] = value
    return options


def quick_agenda(options: dict[str, str]) -> bool:
    """`crm agenda` on plain sqlite3: True when it answered, False when the full command must."""
    from crm_tui.services import quick, quick_agenda

    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = db_path(options)
        days = int(options.get("--days", 7))
        text = quick_agenda.agenda_text(path, clock, days, options.get("--format", "table"))
    except quick.QuickUnavailable:
        return False
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def quick_why_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] why REF`, else None."""
    if "why" not in argv:
        return None
    split = argv.index("why")
    options = app_options(argv[:split])
    rest = argv[split + 1 :]
    if options is None or not rest or rest[0].startswith("-") or not rest[0].strip():
        return None
    after = app_options(rest[1:])  # --db / --now may follow the command (cli/hoist.py)
    if after is None or set(after) & set(options):
        return None
    return options | after | {"ref": rest[0]}


def quick_why(options: dict[str, str]) -> bool:
    """`crm why ID` (a follow-up or customer) on plain sqlite3: True when it answered, False
    when the full command must (another record, no match, a missing book)."""
    from crm_tui.services import quick, quick_why

    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = db_path(options)
        text = quick_why.why_text(path, clock, options["ref"])
    except quick.QuickUnavailable:
        return False
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def quick_sync_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] sync [-q]`, else None."""
    if "sync" not in argv:
        return None
    split = argv.index("sync")
    options = app_options(argv[:split])
    if options is None or any(a not in ("-q", "--quiet") for a in argv[split + 1 :]):
        return None
    return options


def quick_sync(options: dict[str, str]) -> bool:
    """`crm sync` on a book that is not signed in: the full command's refusal (exit 1)
    without loading httpx, Typer or SQLAlchemy; False (the full command) for anything else,
    a signed-in book above all."""
    from crm_tui.services import quick
    from crm_tui.services.words import screen_words
    from crm_tui.storage import quick_reads

    try:
        quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = db_path(options)
        quick_reads.open_current(path).close()
    except (quick.QuickUnavailable, quick_reads.NotQuick):
        return False
    if path.with_name(path.name + ".login").exists():  # sync/http.py's login_path
        return False
    message = f"sync failed: {path} is not signed in: run crm login URL --user NAME"
    sys.stderr.write(f"error: {screen_words(message)}\n")
    sys.stderr.flush()
    raise SystemExit(1)


def _terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
