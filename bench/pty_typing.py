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
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ANSI_RE = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
DESK_PAINTED = re.compile(r"Overdue \(\d")  # the desk's overdue title carries its count
LIST_LOADED = re.compile(r"of [\d,]+\+? customers|0 customers")  # the table's subtitle
EMPTY_READY = "bench-input-ready"
WORDS = ["acme", "north", "北京", "科技", "张伟", "13"]
BACKSPACE = b"\x7f"
STALL_MS = 50.0


@dataclass
class Key:
    label: str  # e.g. "北京[2]" or "acme<bs3>"
    data: bytes
    value: str  # the bar's text once the key is in
    written: float  # perf_counter when the bytes were written
    echo_ms: float | None = None
    settle_ms: float | None = None
    results_ms: float | None = None  # the table's subtitle repainted (a query ran)
    cut: bool = False  # the next key came before the output had been quiet for `quiet`


@dataclass
class Stall:
    ms: float  # first waiting key written -> first output
    keys: list[str]  # the keys that waited (typed before any output came)
    cause: str = ""  # e.g. a full garbage collection that overlapped it (with --gc-log)


@dataclass
class Session:
    """One typing session on one process, analysed."""

    name: str
    keys: list[Key]
    stalls: list[Stall]
    ready_s: float  # spawn -> ready to type (desk painted, list loaded)
    load_before: float
    load_after: float
    late_ms: float  # worst lateness of a key write against its schedule (harness check)
    output_bytes: int
    gc_passes: list[tuple[float, float, float, str]] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        echo = [k.echo_ms for k in self.keys if k.echo_ms is not None]
        settled = [k.settle_ms for k in self.keys if k.settle_ms is not None and not k.cut]
        every = [k.settle_ms for k in self.keys if k.settle_ms is not None]
        shown = [k.results_ms for k in self.keys if k.results_ms is not None]
        return {
            "name": self.name,
            "keys": len(self.keys),
            "echo_ms": pcts(echo),
            "no_echo": sum(k.echo_ms is None for k in self.keys),
            "settle_ms": pcts(settled),
            "settle_all_ms": pcts(every),
            "cut": sum(k.cut for k in self.keys),
            "results_ms": pcts(shown),
            "results_keys": len(shown),
            "stalls": [asdict(s) for s in self.stalls],
            "longest_stall_ms": max((s.ms for s in self.stalls), default=0.0),
            "ready_s": round(self.ready_s, 3),
            "load_average": [round(self.load_before, 2), round(self.load_after, 2)],
            "late_ms": round(self.late_ms, 1),
            "gen2_gc_while_typing": self.gc_while_typing(),
        }

    def gc_while_typing(self) -> list[dict[str, object]]:
        """The full collections (generation 2) between the first key and the last."""
        if not self.keys:
            return []
        first, last = self.keys[0].written, self.keys[-1].written + 0.5
        return [
            {"wall_ms": round((end - start) * 1000, 1), "cpu_ms": cpu, "thread": thread}
            for start, end, cpu, thread in self.gc_passes
            if first <= start <= last
        ]


def pcts(values: Sequence[float]) -> dict[str, float | None]:
    """p50, p95 (nearest rank) and max, in the values' unit; None when empty."""
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[rank], 1),
        "max": round(ordered[-1], 1),
    }


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


# --- typing and analysis ------------------------------------------------------------------
@dataclass
class Plan:
    words: list[str] = field(default_factory=lambda: list(WORDS))
    interval: float = 0.12  # between keys within a word
    read_pause: float = 0.6  # after a word: the rep reads the results
    clear_pause: float = 0.25  # after backspacing to empty, before the next word
    quiet: float = 0.15  # output quiet this long = settled
    passes: int = 1
    debounce: float = 0.08  # the bar's typing pause before it posts a query
    placeholder: str = "/ filter"  # the bar's placeholder starts so when empty


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


CURSOR_TO = re.compile(rb"\x1b\[(\d+);(\d+)H")
BAR_EDGES = " \u258a\u258e\u258c\u2590\u2595\u2588\u2502"  # a tall border's halves


@dataclass
class Burst:
    start: float
    end: float
    lines: list[str]  # the text written at each cursor move (escapes stripped, edges trimmed)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def bursts(chunks: list[tuple[float, bytes]], gap: float = 0.003) -> list[Burst]:
    """Chunks closer than `gap` joined into one burst (one frame may take several reads)."""
    joined: list[tuple[float, float, bytearray]] = []
    for t, chunk in chunks:
        if joined and t - joined[-1][1] < gap:
            joined[-1] = (joined[-1][0], t, joined[-1][2] + chunk)
        else:
            joined.append((t, t, bytearray(chunk)))
    out = []
    for start, end, raw in joined:
        parts = CURSOR_TO.split(bytes(raw))[::3]  # the text between cursor moves
        lines = [
            ANSI_RE.sub(b"", part).decode("utf-8", "replace").strip(BAR_EDGES) for part in parts
        ]
        out.append(Burst(start, end, [line for line in lines if line]))
    return out


def shows_bar(burst: Burst, value: str, placeholder: str) -> bool:
    """Whether the burst repaints the query bar holding `value` (its placeholder if empty)."""
    if not value:
        return any(line.startswith(placeholder) for line in burst.lines)
    return any(line.rstrip() == value for line in burst.lines)


def analyse(
    keys: list[Key],
    chunks: list[tuple[float, bytes]],
    plan: Plan,
    results: re.Pattern[str] | None = None,
) -> list[Stall]:
    """Fill each key's echo, settle and results from the output; return the stalls.

    Echo: the first burst after the key that repaints the bar with the key's text (or a
    later key's, when one repaint covered several keys); when no burst ever shows the bar's
    text, the first burst after the key. Settle: the last output before `quiet` seconds
    of silence (or half the wait until the next key, if shorter) or the next key. Results:
    the first burst showing `results` (the table's subtitle) at least `debounce` after the
    key and before the next key's debounce ran out (a newer query replaces this one).
    """
    frames = bursts(chunks)
    by_content = any(shows_bar(b, k.value, plan.placeholder) for b in frames for k in keys[:3])
    for i, key in enumerate(keys):
        after = [b for b in frames if b.start > key.written]
        if by_content:
            later = {k.value for k in keys[i:]}
            echo = next(
                (b for b in after if any(shows_bar(b, v, plan.placeholder) for v in later)), None
            )
        else:
            echo = after[0] if after else None
        if echo is not None:
            key.echo_ms = (echo.start - key.written) * 1000
        following = keys[i + 1].written if i + 1 < len(keys) else float("inf")
        wanted = min(plan.quiet, (following - key.written) / 2)
        last = None
        for b in after:
            if b.start >= following:
                break
            if last is not None and b.start - last >= plan.quiet:
                break
            last = b.end
        if last is not None:
            key.settle_ms = (last - key.written) * 1000
            key.cut = following - last < wanted
        if results is not None:
            until = following + plan.debounce
            shown = next(
                (
                    b
                    for b in after
                    if key.written + plan.debounce <= b.start < until and results.search(b.text)
                ),
                None,
            )
            if shown is not None:
                key.results_ms = (shown.end - key.written) * 1000
    # A stall: keys waiting for their echo longer than STALL_MS; keys that one repaint
    # answered together are one stall, timed from the first of them.
    stalls: list[Stall] = []
    groups: dict[float, list[Key]] = {}
    for key in keys:
        if key.echo_ms is not None:
            groups.setdefault(round(key.written + key.echo_ms / 1000, 6), []).append(key)
        elif key.written < (frames[-1].start if frames else 0):
            stalls.append(Stall(-1.0, [f"{key.label} (never echoed)"]))
    for group in groups.values():
        stalls.append(Stall(round(group[0].echo_ms or 0.0, 1), [k.label for k in group]))
    return [s for s in stalls if s.ms > STALL_MS or s.ms < 0]


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
) -> Session:
    """Start `argv` on a pty, wait for `first`, send each `ready` step (keys, then a marker
    to wait for), then type the plan and analyse it."""
    load_before = os.getloadavg()[0]
    app = PtyApp(argv, env, size)
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
        keys, late = type_words(app, plan)
        chunks = list(app.chunks)
    finally:
        app.close()
    stalls = analyse(keys, chunks, plan, results)
    passes = _gc_passes(gc_log)
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


def _gc_passes(path: Path | None) -> list[tuple[float, float, float, str]]:
    if path is None or not path.exists():
        return []
    passes = []
    for line in path.read_text().splitlines():
        start, end, cpu, thread = line.split(maxsplit=3)
        passes.append((float(start), float(end), float(cpu), thread))
    return passes


def crm_session(
    db: Path, plan: Plan, now: str | None, crm: str | None = None, gc_log: Path | None = None
) -> Session:
    """The customers list typed into; with `gc_log`, full garbage collections are logged
    there and each stall says whether one overlapped it (the app runs via GC_LOGGER)."""
    crm = crm or str(Path(sys.executable).with_name("crm"))
    extra = {"CRM_NOW": now} if now else {}
    argv = [crm, "--db", str(db)]
    if gc_log is not None:
        argv = [sys.executable, "-c", GC_LOGGER, "--db", str(db)]
        extra["BENCH_GC_LOG"] = str(gc_log)
    return session(
        "crm customers list" + (" (gen2 GC logged)" if gc_log else ""),
        argv,
        timed_env(extra),
        plan,
        first=DESK_PAINTED,
        ready=[(b"2", LIST_LOADED), (b"/", "")],
        results=LIST_LOADED,
        gc_log=gc_log,
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
) -> dict[str, object]:
    """The whole measurement: bytecode, the app, and the baselines, in one run."""
    out: dict[str, object] = {
        "bytecode": compile_bytecode() if compile_first else {"compiled": False},
        "pythondontwritebytecode_unset": True,
        "plan": asdict(plan),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
    crm = crm_session(db, plan, now, gc_log=gc_log)
    out["crm"] = crm.summary()
    out["crm_keys"] = [asdict(k) | {"data": k.data.decode()} for k in crm.keys]
    if baselines:
        out["empty_app"] = empty_session(plan).summary()
        out["python_import_sqlite3_ms"] = pcts(bare_python())
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


def report(result: dict[str, object]) -> str:
    """The result as lines of text."""
    code = result["bytecode"]
    assert isinstance(code, dict)
    lines = [
        f"bytecode compiled first: {'yes' if code.get('compiled') else 'NO'}"
        + (
            f" ({code.get('seconds')} s: {', '.join(code.get('folders', []))})"
            if code.get("compiled")
            else ""
        )
        + "; PYTHONDONTWRITEBYTECODE unset for the timed processes",
        f"load average at start {result['load_average_start']}, end {result['load_average_end']}",
    ]
    for name in ("crm", "empty_app"):
        s = result.get(name)
        if not isinstance(s, dict):
            continue
        lines.append(
            f"{s['name']}: {s['keys']} keys, ready in {s['ready_s']} s, load {s['load_average']}"
        )
        for what in ("echo_ms", "settle_ms", "settle_all_ms", "results_ms"):
            p = s[what]
            lines.append(f"  {what:<14} p50 {p['p50']}  p95 {p['p95']}  max {p['max']}")
        if s["results_keys"]:
            lines.append(f"  results shown for {s['results_keys']} keys (the others ran no query)")
        lines.append(
            f"  keys with no echo: {s['no_echo']}; settle cut by the next key: {s['cut']}; "
            f"harness lateness max {s['late_ms']} ms"
        )
        for stall in s["stalls"]:
            cause = f" [{stall['cause']}]" if stall.get("cause") else ""
            lines.append(f"  STALL {stall['ms']:.0f} ms: {', '.join(stall['keys'])}{cause}")
        for gc_pass in s.get("gen2_gc_while_typing") or []:
            lines.append(
                f"  gen2 GC while typing: {gc_pass['wall_ms']} ms wall, {gc_pass['cpu_ms']} ms "
                f"CPU on {gc_pass['thread']}"
            )
        if not s["stalls"]:
            lines.append(f"  no stall over {STALL_MS:.0f} ms")
    if "python_import_sqlite3_ms" in result:
        p = result["python_import_sqlite3_ms"]
        assert isinstance(p, dict)
        lines.append(f'python -c "import sqlite3": p50 {p["p50"]} ms, max {p["max"]} ms')
    return "\n".join(lines)


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
    )
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
