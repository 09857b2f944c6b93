"""Provides `main`, the `crm` entry point: plain `crm` opens the app without loading the CLI.

The launcher imports the CLI, never the other way: the CLI opens the app through the
`run_app` it is handed.

Typer, Click and the command modules cost about a fifth of the app's cold start, so `crm`
with no subcommand (only `--db PATH` / `--now ISO`) opens the app straight away; anything
else, including `--help` and bad options, goes to the full Typer CLI (crm_tui/cli).
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock

_APP_OPTIONS = ("--db", "--now")

# Full (generation-2) collections walk every tracked object: ~80 ms of CPU in the running
# app at 100k, paid by whichever key is typed next (notes/typing-profile.md). Freezing the
# import-time heap halves a pass; a gen-2 threshold this high takes them off the typing
# path (young collections still run); the app collects in full when idle instead.
GEN2_THRESHOLD = 10_000
NO_GC_TUNING = "CRM_NO_GC_TUNING"  # set to 1 to measure without (bench A/B)


def tune_gc() -> None:
    """Freeze what is alive now (modules, classes: never garbage) and make full collections
    rare; call it once the app's modules are imported, before the first frame."""
    if os.environ.get(NO_GC_TUNING):
        return
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, GEN2_THRESHOLD)


def app_options(argv: list[str]) -> dict[str, str] | None:
    """`{"--db": ..., "--now": ...}` when argv only opens the app, else None (use the CLI)."""
    options: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name not in _APP_OPTIONS or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None  # let the CLI say what is missing
        options[name] = value
    return options


_REMIND_NUMBERS = ("--deal-days", "--birthday-days")


def quick_remind_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] remind [--notify] [--deal-days N]
    [--birthday-days N]` (N a whole number), else None: the full CLI handles the rest
    (help, bad values, other commands) with its own messages."""
    if "remind" not in argv:
        return None
    split = argv.index("remind")
    options = app_options(argv[:split])
    if options is None:
        return None
    args = iter(argv[split + 1 :])
    for arg in args:
        name, eq, value = arg.partition("=")
        if name == "--notify" and not eq and name not in options:
            options[name] = "1"
            continue
        if name not in (*_REMIND_NUMBERS, *_APP_OPTIONS) or name in options:
            return None
        if not eq:
            value = next(args, "")
        if name in _APP_OPTIONS:  # the full CLI takes them after the command too
            if not value or value.startswith("-"):
                return None
        elif not value.isascii() or not value.isdigit():
            return None
        options[name] = value
    return options


def quick_remind(options: dict[str, str]) -> bool:
    """`crm remind` on plain sqlite3 (no Typer, no SQLAlchemy): True when it answered, False
    when the full command must (missing or unmigrated book, bad --now, a read error)."""
    from crm_tui.config import resolve_db_path
    from crm_tui.services import quick

    db_option = options.get("--db")
    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        due, lines = quick.remind_lines(
            resolve_db_path(Path(db_option) if db_option else None),
            clock,
            deal_days=int(options.get("--deal-days", 7)),
            birthday_days=int(options.get("--birthday-days", 7)),
        )
    except quick.QuickUnavailable:
        return False
    if due:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()
        if "--notify" in options:
            quick.notify(*quick.notify_text(due))
    return True


# `crm report NAME` without Typer: the reports read the file with plain sqlite3 already.
_QUICK_REPORTS = ("summary", "customers", "opportunities", "expenses")
_REPORT_SHORT = {"-p": "--period", "-f": "--format"}
_REPORT_FORMATS = ("md", "csv", "html")


def quick_report_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] report NAME [-p PERIOD] [-f md|csv|html]
    [--team] [--cold-days N]` printing to the screen, else None (the full CLI)."""
    if "report" not in argv:
        return None
    split = argv.index("report")
    options = app_options(argv[:split])
    rest = argv[split + 1 :]
    if options is None or not rest or rest[0] not in _QUICK_REPORTS:
        return None
    options["name"] = rest[0]
    args = iter(rest[1:])
    for arg in args:
        name, eq, value = arg.partition("=")
        name = _REPORT_SHORT.get(name, name)
        if name == "--team" and not eq and name not in options:
            options[name] = "1"
            continue
        if name not in ("--period", "--format", "--cold-days", *_APP_OPTIONS) or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None
        if name == "--cold-days" and not (value.isascii() and value.isdigit() and int(value)):
            return None
        if name == "--format" and value not in _REPORT_FORMATS:
            return None
        options[name] = value
    return options


def quick_report(options: dict[str, str]) -> bool:
    """`crm report NAME` to the screen without Typer: True when it answered, False when the
    full command must (a bad period or --now, a missing file, --team refused: its messages)."""
    from crm_tui.config import resolve_db_path
    from crm_tui.services import quick, reports

    db_option = options.get("--db")
    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        chosen = reports.parse_period(options.get("--period", ""), clock.today())
        built = reports.build_at(
            resolve_db_path(Path(db_option) if db_option else None),
            options["name"],
            chosen,
            clock=clock,
            team="--team" in options,
            cold_days=int(options.get("--cold-days", 30)),
        )
    except (
        quick.QuickUnavailable,
        reports.PeriodError,
        reports.CannotOpen,
        reports.ReportRefused,
    ):
        return False
    sys.stdout.write(reports.render(built, options.get("--format", "md")))
    sys.stdout.flush()
    return True


# `crm list KIND [TEXT]` / `crm query KIND [QUERY]` as a table without Typer or SQLAlchemy.
_LIST_COMMANDS = ("list", "query")
_LIST_SHORT = {"-f": "--format", "-n": "--limit"}


def quick_list_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] list|query KIND [TEXT] [-f table]
    [-n N] [--count (query only)]`, else None (the full CLI: other formats, --sort, help,
    bad values, a text that looks like an option)."""
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
        if eq and name in _LIST_SHORT:
            return None  # click reads `-n=5` as the value "=5"
        name = _LIST_SHORT.get(name, name)
        if name == "--count" and not eq and options["command"] == "query":
            if name in options:
                return None
            options[name] = "1"
            continue
        if name not in ("--format", "--limit", *_APP_OPTIONS) or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None
        if name == "--format" and value != "table":
            return None
        if name == "--limit" and not (value.isascii() and value.isdigit() and int(value) >= 1):
            return None
        options[name] = value
    if not 1 <= len(words) <= 2 or "-" in words:
        return None
    options["entity"] = words[0]
    options["text"] = words[1] if len(words) > 1 else ""
    return options


def quick_list(options: dict[str, str]) -> bool:
    """`crm list` / `crm query` on plain sqlite3: True when it answered, False when the full
    command must (a record type or query it does not cover, a query error, a missing book)."""
    from crm_tui.config import resolve_db_path
    from crm_tui.services import quick, quick_list

    db_option = options.get("--db")
    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = resolve_db_path(Path(db_option) if db_option else None)
        if "--count" in options:
            found = quick_list.count(path, clock, options["entity"], options["text"])
            sys.stdout.write(f"{found}\n")
            sys.stdout.flush()
            return True
        limit = int(options["--limit"]) if "--limit" in options else None
        listing = quick_list.table(
            path, clock, options["entity"], options["text"], limit=limit, terminal=_terminal()
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
    """The options of exactly `crm [--db P] [--now T] show REF [-f table]`, else None."""
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
        if name not in ("--format", *_APP_OPTIONS) or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-") or (name == "--format" and value != "table"):
            return None
        options[name] = value
    if len(words) != 1 or not words[0].strip():
        return None
    options["ref"] = words[0]
    return options


def quick_show(options: dict[str, str]) -> bool:
    """`crm show REF` on plain sqlite3: True when it answered, False when the full command
    must (no record or several match, a missing book, ...)."""
    from crm_tui.config import resolve_db_path
    from crm_tui.services import quick, quick_show

    db_option = options.get("--db")
    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = resolve_db_path(Path(db_option) if db_option else None)
        text = quick_show.show_text(path, clock, options["ref"])
    except quick.QuickUnavailable:
        return False
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def quick_agenda_options(argv: list[str]) -> dict[str, str] | None:
    """The options of exactly `crm [--db P] [--now T] agenda [-d N] [-f table]`, else None."""
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
        if name not in ("--days", "--format", *_APP_OPTIONS) or name in options:
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-") or (name == "--format" and value != "table"):
            return None
        if name == "--days" and not (value.isascii() and value.isdigit() and int(value) >= 1):
            return None
        options[name] = value
    return options


def quick_agenda(options: dict[str, str]) -> bool:
    """`crm agenda` on plain sqlite3: True when it answered, False when the full command must."""
    from crm_tui.config import resolve_db_path
    from crm_tui.services import quick, quick_agenda

    db_option = options.get("--db")
    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = resolve_db_path(Path(db_option) if db_option else None)
        text = quick_agenda.agenda_text(path, clock, int(options.get("--days", 7)))
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
    """`crm why FOLLOW-UP` on plain sqlite3: True when it answered, False when the full
    command must (a customer, another record, no match, a missing book)."""
    from crm_tui.config import resolve_db_path
    from crm_tui.services import quick, quick_why

    db_option = options.get("--db")
    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        path = resolve_db_path(Path(db_option) if db_option else None)
        text = quick_why.why_text(path, clock, options["ref"])
    except quick.QuickUnavailable:
        return False
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def _terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def main() -> None:
    argv = sys.argv[1:]
    remind = quick_remind_options(argv)
    if remind is not None and quick_remind(remind):
        return
    report = quick_report_options(argv)
    if report is not None and quick_report(report):
        return
    listing = quick_list_options(argv)
    if listing is not None and quick_list(listing):
        return
    shown = quick_show_options(argv)
    if shown is not None and quick_show(shown):
        return
    agenda = quick_agenda_options(argv)
    if agenda is not None and quick_agenda(agenda):
        return
    why = quick_why_options(argv)
    if why is not None and quick_why(why):
        return
    options = app_options(argv)
    now = options.get("--now", os.environ.get("CRM_NOW")) if options is not None else None
    if options is None or now:
        # `--now` needs the CLI's checks and messages; it is for tests and demos only.
        from crm_tui.cli import main as cli_main

        cli_main(open_app=run_app)
        return
    from crm_tui.config import resolve_db_path
    from crm_tui.domain.dates import Clock

    db_option = options.get("--db")
    run_app(resolve_db_path(Path(db_option) if db_option else None), Clock())


def run_app(path: Path, clock: Clock) -> None:
    """Open the app on `path`; the desk paints before the ORM has loaded."""
    from crm_tui.storage.migrate import migrate_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        migrate_file(path)  # plain sqlite3: the desk reads the file straight away
    except Exception as exc:  # a locked, corrupt or unreadable file
        print(f"error: cannot open database {path}: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    from crm_tui.app import make_app

    app = make_app(path=path, clock=clock)
    tune_gc()
    app.run()
