"""Provides the pty typing harness: a person typing into the running app, timed per key.

`crm --db FILE` starts on a real pseudo-terminal (120x40, TERM=xterm-256color); once the
desk has painted, the harness presses `2` (customers) and `/`, then types each word a key
at a time (~120 ms apart), reads the results for a moment, backspaces to empty and types
the next word. A reader thread timestamps every chunk the app writes. Per key:

- echo: from the key's bytes written to the first output after them;
- settle: to the last output before the screen is quiet for `quiet` (150 ms) or the next
  key is written ("cut" when the next key came first: no quiet gap in between);
- stalls: every stretch in which typed keys got no output at all, with the keys that waited.

Bytecode is compiled first (`python -m compileall -q` of crm_tui and the venv's
site-packages) and PYTHONDONTWRITEBYTECODE is unset for the timed processes: without
bytecode every start recompiles every module and the figures are 2-4x what a user sees.
Baselines in the same run: an empty Textual app with one Input typed the same way, and
`python -c "import sqlite3"`.

Standard library only at module level, so the file also runs by path in another tree's
environment: `python bench/pty_typing.py --db FILE` (see --help);
`python bench/pty_typing.py --empty-input-app` is the baseline app itself.
`--trace FILE` runs the app under bench/pty_trace.py's tracer and explains each stall (the
UI thread's slow callbacks with sampled stacks, GC, every thread's CPU); with
BENCH_TRACE_PROFILE=FILE also a cProfile (CPU time) of the UI thread while typing.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

if __package__:  # imported as bench.pty_typing
    from bench.pty_analysis import (
        ANSI_RE,
        WORDS,
        Key,
        Plan,
        Session,
        analyse,
        gc_passes,
        pcts,
        report,
    )
    from bench.pty_trace import TRACER, ThreadCpu, explain
else:  # run by path (python bench/pty_typing.py) or loaded from its file
    sys.path.append(str(Path(__file__).resolve().parent))
    from pty_analysis import (  # type: ignore[no-redef]
        ANSI_RE,
        WORDS,
        Key,
        Plan,
        Session,
        analyse,
        gc_passes,
        pcts,
        report,
    )
    from pty_trace import TRACER, ThreadCpu, explain  # type: ignore[no-redef]

DESK_PAINTED = re.compile(r"Overdue \(\d")  # the desk's overdue title carries its count
LIST_LOADED = re.compile(r"of [\d,]+\+? customers|0 customers")  # the table's subtitle
EMPTY_READY = "bench-input-ready"
BACKSPACE = b"\x7f"


# --- bytecode and environment -------------------------------------------------------------
def timed_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a timed process: a real terminal's TERM, bytecode allowed."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return env | {"TERM": "xterm-256color", "COLORTERM": "truecolor"} | (extra or {})


def compile_bytecode(python: str = sys.executable) -> dict[str, object]:
    """`python -m compileall -q` over crm_tui and the environment's site-packages (quick
    when already compiled), so timed processes load .pyc files as a user's install does."""
    code = (
        "import sysconfig, crm_tui, os; "
        "print(os.path.dirname(crm_tui.__file__)); print(sysconfig.get_paths()['purelib'])"
    )
    found = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    folders = [line for line in found.stdout.splitlines() if line]
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-m", "compileall", "-q", *folders],
        env=timed_env(),
        capture_output=True,
        text=True,
    )
    return {
        "compiled": done.returncode == 0,
        "folders": folders,
        "seconds": round(time.perf_counter() - started, 1),
        "errors": done.stdout[-500:] if done.returncode else "",
    }


# --- the app on a pty ---------------------------------------------------------------------
class PtyApp:
    """A process on a pseudo-terminal whose output a thread reads and timestamps."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.argv = list(argv)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.chunks: list[tuple[float, bytes]] = []
        self.text = bytearray()  # escape sequences stripped, for markers
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._done.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.02)
            except (OSError, ValueError):
                return
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            now = time.perf_counter()
            if not chunk:
                return
            if b"\x1b[6n" in chunk:  # a cursor position query: answer as a terminal would
                os.write(self.master, b"\x1b[1;1R")
            with self._lock:
                self.chunks.append((now, chunk))
                self.text.extend(ANSI_RE.sub(b"", chunk))

    def write(self, data: bytes) -> float:
        written = time.perf_counter()
        os.write(self.master, data)
        return written

    def wait_for(
        self, marker: str | re.Pattern[str], since: int = 0, timeout: float = 60.0
    ) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._lock:
                seen = self.text[since:].decode("utf-8", "replace")
            if marker.search(seen) if isinstance(marker, re.Pattern) else marker in seen:
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.01)
        return False

    def wait_quiet(self, quiet: float, timeout: float = 10.0) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._lock:
                last = self.chunks[-1][0] if self.chunks else self.started
            if time.perf_counter() - last >= quiet:
                return
            time.sleep(0.01)

    def tail(self, chars: int = 2000) -> str:
        with self._lock:
            return self.text[-chars * 3 :].decode("utf-8", "replace")[-chars:]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(3)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        self._done.set()
        self._reader.join(1)
        os.close(self.master)


# --- typing ------------------------------------------------------------------------------
def type_words(app: PtyApp, plan: Plan) -> tuple[list[Key], float]:
    """Type the plan's words as a person does; returns the keys and the worst lateness."""
    keys: list[Key] = []
    late = 0.0
    due = time.perf_counter()

    def press(label: str, data: bytes, value: str, gap: float) -> None:
        nonlocal due, late
        due += gap
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        written = app.write(data)
        late = max(late, written - due)
        keys.append(Key(label, data, value, written))

    for _ in range(plan.passes):
        for word in plan.words:
            for n, ch in enumerate(word, 1):
                gap = plan.interval if n > 1 else plan.clear_pause
                press(f"{word}[{n}]", ch.encode(), word[:n], gap)
            for n in range(len(word), 0, -1):
                gap = plan.interval if n < len(word) else plan.read_pause
                press(f"{word}<bs{n}>", BACKSPACE, word[: n - 1], gap)
    app.wait_quiet(max(plan.read_pause, plan.quiet * 2), timeout=15)
    return keys, late * 1000


def session(
    name: str,
    argv: Sequence[str],
    env: dict[str, str],
    plan: Plan,
    *,
    ready: Sequence[tuple[bytes, str | re.Pattern[str]]] = (),
    first: str | re.Pattern[str],
    results: re.Pattern[str] | None = None,
    size: tuple[int, int] = (40, 120),
    timeout: float = 90.0,
    gc_log: Path | None = None,
    trace: Path | None = None,
) -> Session:
    """Start `argv` on a pty, wait for `first`, send each `ready` step (keys, then a marker
    to wait for), then type the plan and analyse it (`trace`: the app runs under the
    tracer of bench/pty_trace.py, and each stall is explained on stderr)."""
    load_before = os.getloadavg()[0]
    app = PtyApp(argv, env, size)
    cpu = ThreadCpu(app.proc.pid) if trace is not None else None
    try:
        if not app.wait_for(first, timeout=timeout):
            raise RuntimeError(f"{name}: {first!r} never appeared; last output:\n{app.tail()}")
        for keys, marker in ready:
            mark = len(app.text)
            app.write(keys)
            if not app.wait_for(marker, since=mark, timeout=timeout):
                raise RuntimeError(f"{name}: after {keys!r}, {marker!r} never appeared")
        app.wait_quiet(0.4)
        ready_s = time.perf_counter() - app.started
        if trace is not None:  # the tracer's cProfile (BENCH_TRACE_PROFILE) starts
            os.kill(app.proc.pid, signal.SIGUSR1)
        keys, late = type_words(app, plan)
        chunks = list(app.chunks)
        if trace is not None:
            os.kill(app.proc.pid, signal.SIGUSR2)
            time.sleep(0.7)  # written at the next callback (the bar's cursor blinks)
    finally:
        if cpu is not None:
            cpu.stop()
        app.close()
    stalls = analyse(keys, chunks, plan, results)
    if trace is not None:
        print("\n".join(explain(stalls, keys, trace, cpu, app.proc.pid)), file=sys.stderr)
    passes = gc_passes(gc_log)
    for stall in stalls:
        key = next(k for k in keys if k.label == stall.keys[0].split(" (")[0])
        end = key.written + max(stall.ms, 0) / 1000
        for start, stop, cpu, thread in passes:
            if start < end and stop > key.written:
                stall.cause = f"gen2 GC {1000 * (stop - start):.0f} ms wall, {cpu:.0f} ms CPU"
                stall.cause += f" on {thread}"
    return Session(
        name,
        keys,
        stalls,
        ready_s,
        load_before,
        os.getloadavg()[0],
        late,
        sum(len(c) for _, c in chunks),
        passes,
    )


# Runs crm with a gc callback logging every full collection (start, end, thread CPU ms,
# thread): the perf_counter clock is the harness's, so passes line up with the keys.
GC_LOGGER = """
import gc, os, sys, threading, time
log, began = open(os.environ["BENCH_GC_LOG"], "w", buffering=1), {}
def watch(phase, info):
    if info["generation"] < 2:
        return
    if phase == "start":
        began["t"], began["cpu"] = time.perf_counter(), time.thread_time()
    else:
        cpu = (time.thread_time() - began["cpu"]) * 1000
        name = threading.current_thread().name
        log.write(f"{began['t']:.6f} {time.perf_counter():.6f} {cpu:.1f} {name}\\n")
gc.callbacks.append(watch)
from crm_tui.launch import main
sys.argv = ["crm", *sys.argv[1:]]
main()
"""


def crm_session(
    db: Path,
    plan: Plan,
    now: str | None,
    crm: str | None = None,
    gc_log: Path | None = None,
    trace: Path | None = None,
) -> Session:
    """The customers list typed into; with `gc_log`, full garbage collections are logged
    there and each stall says whether one overlapped it (the app runs via GC_LOGGER)."""
    crm = crm or str(Path(sys.executable).with_name("crm"))
    extra = {"CRM_NOW": now} if now else {}
    argv = [crm, "--db", str(db)]
    if gc_log is not None:
        argv = [sys.executable, "-c", GC_LOGGER, "--db", str(db)]
        extra["BENCH_GC_LOG"] = str(gc_log)
    if trace is not None:
        argv = [sys.executable, "-c", TRACER, "--db", str(db)]
        extra["BENCH_TRACE_LOG"] = str(trace)
    return session(
        "crm customers list" + (" (gen2 GC logged)" if gc_log else ""),
        argv,
        timed_env(extra),
        plan,
        first=DESK_PAINTED,
        ready=[(b"2", LIST_LOADED), (b"/", "")],
        results=LIST_LOADED,
        gc_log=gc_log,
        trace=trace,
    )


def empty_session(plan: Plan) -> Session:
    return session(
        "empty Textual app, one Input",
        [sys.executable, str(Path(__file__).resolve()), "--empty-input-app"],
        timed_env(),
        plan,
        first=EMPTY_READY,
    )


def bare_python(runs: int = 5) -> list[float]:
    """Wall ms of `python -c "import sqlite3"` runs, the floor of any process here."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import sqlite3"], env=timed_env(), check=True)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run_all(
    db: Path,
    plan: Plan,
    now: str | None,
    *,
    baselines: bool = True,
    compile_first: bool = True,
    gc_log: Path | None = None,
    trace: Path | None = None,
) -> dict[str, object]:
    """The whole measurement: bytecode, the app, and the baselines, in one run."""
    out: dict[str, object] = {
        "bytecode": compile_bytecode() if compile_first else {"compiled": False},
        "pythondontwritebytecode_unset": True,
        "plan": asdict(plan),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
    crm = crm_session(db, plan, now, gc_log=gc_log, trace=trace)
    out["crm"] = crm.summary()
    out["crm_keys"] = [asdict(k) | {"data": k.data.decode()} for k in crm.keys]
    if baselines:
        out["empty_app"] = empty_session(plan).summary()
        out["python_import_sqlite3_ms"] = pcts(bare_python())
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


# --- the baseline app ---------------------------------------------------------------------
def empty_input_app() -> None:
    """An empty Textual app with one focused Input: the floor for echo and settle."""
    from textual.app import App, ComposeResult
    from textual.widgets import Input, Static

    class EmptyInput(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(EMPTY_READY)
            yield Input(placeholder="/ filter")

    EmptyInput().run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/pty_typing.py", description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="the book to type into")
    parser.add_argument("--now", help="CRM_NOW (default: the 'now' of DB.json beside the db)")
    parser.add_argument("--words", nargs="+", default=WORDS)
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.12)
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the full result here")
    parser.add_argument(
        "--gc-log", type=Path, help="log the app's full garbage collections here, beside stalls"
    )
    parser.add_argument(
        "--trace",
        type=Path,
        help="run the app under bench/pty_trace.py's tracer (log here); explain each stall",
    )
    parser.add_argument("--empty-input-app", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.empty_input_app:
        empty_input_app()
        return 0
    if args.db is None:
        parser.error("--db is required")
    now = args.now
    meta = args.db.with_suffix(".json")
    if now is None and meta.exists():
        now = json.loads(meta.read_text()).get("now")
    plan = Plan(words=args.words, interval=args.interval, passes=args.passes)
    result = run_all(
        args.db,
        plan,
        now,
        baselines=not args.no_baselines,
        compile_first=not args.no_compile,
        gc_log=args.gc_log,
        trace=args.trace,
    )
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
