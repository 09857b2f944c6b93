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
from typing import TYPE_CHECKING, NoReturn

from crm_tui import quick_commands
from crm_tui.quick_commands import APP_OPTIONS as _APP_OPTIONS
from crm_tui.quick_commands import app_options as app_options

# The quick read commands live there; named here too, as tests and callers know them.
from crm_tui.quick_commands import quick_agenda as quick_agenda
from crm_tui.quick_commands import quick_agenda_options as quick_agenda_options
from crm_tui.quick_commands import quick_list as quick_list
from crm_tui.quick_commands import quick_list_options as quick_list_options
from crm_tui.quick_commands import quick_show as quick_show
from crm_tui.quick_commands import quick_show_options as quick_show_options
from crm_tui.quick_commands import quick_why as quick_why
from crm_tui.quick_commands import quick_why_options as quick_why_options

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock

# Full (generation-2) collections walk every tracked object: ~80 ms of CPU in the running
# app at 100k, paid by whichever key is typed next (notes/typing-profile.md). Freezing the
# import-time heap halves a pass; a gen-2 threshold this high takes them off the typing
# path (young collections still run); the app collects in full when idle instead.
GEN2_THRESHOLD = 10_000
NO_GC_TUNING = "CRM_NO_GC_TUNING"  # set to 1 to measure without (bench A/B)


def tune_gc() -> None:
    """Freeze what is alive now (modules, classes: never garbage) and make full collections
    rare; call it once the app's modules are imported and its first frame is drawn.
    Collection is back on afterwards (run_app turns it off until then)."""
    if os.environ.get(NO_GC_TUNING):
        gc.enable()
        return
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, GEN2_THRESHOLD)
    gc.enable()


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
    from crm_tui.services import quick

    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        due, lines = quick.remind_lines(
            quick_commands.db_path(options),
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
    from crm_tui.services import quick, reports

    try:
        clock = quick.clock_for(options.get("--now", os.environ.get("CRM_NOW")))
        chosen = reports.parse_period(options.get("--period", ""), clock.today())
        built = reports.build_at(
            quick_commands.db_path(options),
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


def main() -> None:
    argv = sys.argv[1:]
    # A quick read command makes little garbage and exits: no collections while it imports
    # and reads (a tenth of its CPU); back on before the CLI or the app takes over.
    gc.disable()
    remind = quick_remind_options(argv)
    if remind is not None and quick_remind(remind):
        return
    report = quick_report_options(argv)
    if report is not None and quick_report(report):
        return
    if quick_commands.answer(argv):  # list, query, show, agenda, why
        return
    options = app_options(argv)
    clock = _app_clock(options) if options is not None else None
    gc.enable()
    if options is None or clock is None:
        from crm_tui.cli import main as cli_main

        try:
            cli_main(open_app=run_app)
        finally:
            # Exit then frees the heap object by object through the collector's generations
            # (~0.25 s CPU after a write with SQLAlchemy loaded); frozen objects are skipped.
            gc.freeze()
        return
    run_app(quick_commands.db_path(options), clock)


def _app_clock(options: dict[str, str]) -> Clock | None:
    """The clock `--now` / CRM_NOW asks for (tests, demos, the bench), read as the CLI reads
    it; None for a value that is no ISO date-time: the CLI says so."""
    now = options.get("--now", os.environ.get("CRM_NOW"))
    if not now:
        from crm_tui.domain.dates import Clock

        return Clock()
    from crm_tui.services import quick

    try:
        return quick.clock_for(now)
    except quick.QuickUnavailable:
        return None


def run_app(path: Path, clock: Clock) -> None:
    """Open the app on `path`; the desk paints before the ORM has loaded."""
    from crm_tui.storage.migrate import migrate_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        migrate_file(path)  # plain sqlite3: the desk reads the file straight away
    except Exception as exc:  # a locked, corrupt or unreadable file
        print(f"error: cannot open database {path}: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # Textual cannot read keys without a terminal: its input thread would spin a core.
        print(
            f"error: crm opens its screens in a terminal; from a script use the commands "
            f"(crm --help; crm demo --no-open only writes the book). The book: {path}",
            file=sys.stderr,
        )
        raise SystemExit(1)
    from crm_tui.services import desk

    desk.prefetch(path, clock)  # the desk's first figures, read while Textual imports
    # No collections while the app's modules import and the desk draws its first frame
    # (~30 ms of CPU, then ~50 young collections, ~9 ms): what they make stays alive, and
    # tune_gc, once the frame is drawn, freezes it and turns collection back on.
    gc.disable()
    from crm_tui.app import make_app

    app = make_app(path=path, clock=clock)
    app.after_first_frame(tune_gc)
    app.run()
    exit_without_teardown(app.return_code or 0)


def exit_without_teardown(code: int) -> NoReturn:
    """End the process as a normal exit does (other threads joined, atexit run, output
    flushed) but without freeing the heap object by object: with the book open (SQLAlchemy,
    the models) that took about a second after `q`, when the app had already closed."""
    import atexit
    import threading

    threading._shutdown()  # type: ignore[attr-defined]  # what interpreter exit does first
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
