"""Provides the cold-start case: `crm` in a pty until the desk's figures have painted, beside
`python -c "import sqlite3"`, `python -c "import textual.app"`, an empty Textual app's first
paint and `task next`, interleaved in one run; p50 and p95.

Bytecode is compiled first and PYTHONDONTWRITEBYTECODE is unset for the timed processes
(bench/pty_typing.py's `compile_bytecode` / `timed_env`): without .pyc files every start
recompiles every module and the figures are 2-4x what a user sees."""

from __future__ import annotations

import re
import sys

from bench.cases import crm_exe
from bench.data import BENCH_DIR, Dataset, task_binary, taskwarrior
from bench.pty_typing import compile_bytecode, timed_env
from bench.report import Figure, figure
from bench.timing import Stats, load_text, run_in_pty, run_timed

# The overdue section's title carries its count only once the desk's first read (overdue,
# the week, this month: storage/desk.py read_first) is shown: never a placeholder. CRM_NOW
# (set below) opens the app on the same fast path as plain `crm` (launch.py), not the CLI.
DESK_PAINTED = re.compile(r"Overdue \(\d")


def pty_env(ds: Dataset) -> dict[str, str]:
    """A real terminal's TERM, no TEXTUAL_* settings, bytecode allowed, the data's "now"."""
    return timed_env({"CRM_NOW": ds.now_iso})


def bytecode_note(code: dict[str, object]) -> str:
    done = "compiled" if code["compiled"] else f"NOT compiled ({code['errors']})"
    return (
        f"bytecode {done} first ({code['seconds']} s: crm_tui and site-packages); "
        "PYTHONDONTWRITEBYTECODE unset for the timed processes"
    )


def desk_run(ds: Dataset):
    return run_in_pty([crm_exe(), "--db", str(ds.path)], DESK_PAINTED, env=pty_env(ds))


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    runs = ds.size.slow_runs if ds.size.name == "small" else max(5, ds.size.slow_runs)  # p95
    code = compile_bytecode()
    env = pty_env(ds)
    python = sys.executable
    empty_app = str(BENCH_DIR / "empty_app.py")
    task_env = taskwarrior(ds, log)
    load_before = load_text()
    desk, empty, imports, task, bare = [], [], [], [], []
    desk_cpu, empty_cpu, import_cpu, task_cpu = [], [], [], []
    if ds.size.name != "small":
        desk_run(ds)  # warm the page cache: every figure is a warm-cache cold start
    for _ in range(runs):
        # Interleaved, so load from other jobs falls on every measure alike.
        bare.append(run_timed([python, "-c", "import sqlite3"], env=env)[0])
        wall, cpu = run_timed([python, "-c", "import textual.app"], env=env)
        imports.append(wall)
        import_cpu.append(cpu)
        shown = run_in_pty([python, empty_app], "bench-empty-ready", env=env, quit_keys=b"\x11")
        empty.append(shown.seconds)
        empty_cpu.append(shown.cpu_seconds)
        shown = desk_run(ds)
        desk.append(shown.seconds)
        desk_cpu.append(shown.cpu_seconds)
        if task_env is not None:
            wall, cpu = run_timed([task_binary() or "task", "next"], env=task_env)
            task.append(wall)
            task_cpu.append(cpu)
    d, e, i = Stats(tuple(desk)), Stats(tuple(empty)), Stats(tuple(imports))
    dc, ec = Stats(tuple(desk_cpu)), Stats(tuple(empty_cpu))
    b = Stats(tuple(bare))
    rows = [
        figure("startup", 'python -c "import sqlite3" (the bare process)', b, p95=True),
        figure("startup", 'python -c "import textual.app"', i, p95=True),
        figure("startup", 'python -c "import textual.app", CPU time', Stats(tuple(import_cpu))),
        figure("startup", "empty Textual app, first paint (pty)", e, p95=True),
        figure(
            "startup",
            "crm: desk painted with its figures (pty 120x40)",
            d,
            baseline="empty Textual app",
            base=e,
            target="≤ 1.5× empty app",
            limit=1.5,
            p95=True,
            note=bytecode_note(code),
        ),
        figure(
            "startup",
            "CPU time, start to quit: crm desk vs empty app",
            dc,
            baseline="empty app CPU",
            base=ec,
            target="≤ 1.5× empty app",
            limit=1.5,
            note="CPU (user + system) is what other jobs on the shared machine do not inflate",
        ),
    ]
    notes = []
    if task:
        t = Stats(tuple(task))
        pending = _pending(task_env)
        rows.append(figure("startup", f"task next ({pending:,} pending tasks)", t, p95=True))
        rows.append(figure("startup", "task next, CPU time", Stats(tuple(task_cpu))))
        rows.append(
            figure(
                "startup",
                "crm desk vs task next",
                d,
                baseline="task next",
                base=t,
                target="≤ 0.5× task next (2× faster)",
                limit=0.5,
            )
        )
    else:
        notes.append("Taskwarrior is not installed: the task next baseline was skipped.")
    notes.append(f"{load_before} before the timed runs, {load_text()} after")
    return rows, {"notes": notes, "bytecode": code}


def _pending(env: dict[str, str]) -> int:
    import subprocess

    out = subprocess.run(
        [task_binary() or "task", "status:pending", "count"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip() or 0)
