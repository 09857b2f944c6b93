"""Provides the typing harness's tracer (`bench/pty_typing.py --trace FILE`): what the app did
while a typed key waited for its echo.

The app runs under `TRACER` (like the GC logger), which logs on the harness's clock
(perf_counter):
- every event-loop callback on the UI thread that ran ≥ SLOW_MS, with its thread CPU time
  and what it was (a Textual message pump names its widget), and the UI thread's stack
  sampled every ~2 ms while such a callback runs (the innermost crm_tui and library frames);
- every full garbage collection;
- thread names by native id.
Beside it, the harness samples every thread's CPU time from /proc/PID/task/*/schedstat every
~2 ms from outside the app (no GIL taken), so a stall shows which threads used a core.

Standard library only, like the harness.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from pathlib import Path

SLOW_MS = 4.0

TRACER = r"""
import asyncio, collections, gc, os, sys, threading, time, traceback
log = open(os.environ["BENCH_TRACE_LOG"], "w", buffering=1)
SLOW = float(os.environ.get("BENCH_TRACE_SLOW_MS", "4")) / 1000
now, cpu = time.perf_counter, time.thread_time
began = {}
def on_gc(phase, info):
    if info["generation"] < 2:
        return
    if phase == "start":
        began["t"], began["cpu"] = now(), cpu()
    else:
        ms = (cpu() - began["cpu"]) * 1000
        log.write(f"G {began['t']:.6f} {now():.6f} {ms:.1f} {threading.current_thread().name}\n")
gc.callbacks.append(on_gc)
main = threading.main_thread().ident
current = [None, 0.0]  # the UI thread's running callback and its start
samples = collections.Counter()
def frames(frame):
    out = []
    while frame is not None and len(out) < 40:
        code = frame.f_code
        out.append(f"{code.co_qualname}@{os.path.basename(code.co_filename)}:{frame.f_lineno}")
        frame = frame.f_back
    ours = [f for f in out if "crm_tui" in f or f.split("@")[1].split(":")[0] in OURS]
    return " < ".join(out[:3] + (ours[:3] if ours else []))
OURS = set()
for root, _, files in os.walk(os.path.join(os.getcwd(), "crm_tui")):
    OURS.update(f for f in files if f.endswith(".py"))
def watchdog():
    while True:
        time.sleep(0.002)
        handle, start = current
        if handle is not None and now() - start > SLOW:
            frame = sys._current_frames().get(main)
            if frame is not None and current[0] is handle:
                samples[(start, frames(frame))] += 1
threading.Thread(target=watchdog, name="bench-trace", daemon=True).start()
run = asyncio.events.Handle._run
def timed_run(self):
    if threading.get_ident() != main:
        return run(self)
    start, c0 = now(), cpu()
    current[0], current[1] = self, start
    try:
        return run(self)
    finally:
        current[0] = None
        end = now()
        if end - start >= SLOW:
            what = repr(self)[:160].replace("\n", " ")
            log.write(f"C {start:.6f} {end:.6f} {(cpu() - c0) * 1000:.1f} {what}\n")
            for (s, stack), n in list(samples.items()):
                if s == start:
                    log.write(f"S {start:.6f} {n} {stack}\n")
                    del samples[(s, stack)]
        names = " ".join(f"{t.native_id}={t.name}" for t in threading.enumerate())
        if names != getattr(timed_run, "names", ""):
            timed_run.names = names
            log.write(f"T {names}\n")
asyncio.events.Handle._run = timed_run
# BENCH_TRACE_PROFILE=FILE: cProfile the UI thread from SIGUSR1 (typing starts) to SIGUSR2.
import signal
profile = {"want": None, "on": None}
def start_profile(*_):
    profile["want"] = "start"
def stop_profile(*_):
    profile["want"] = "stop"
signal.signal(signal.SIGUSR1, start_profile)  # the harness sends both: never fatal here
signal.signal(signal.SIGUSR2, stop_profile)
if os.environ.get("BENCH_TRACE_PROFILE"):
    import cProfile
    plain_run = timed_run
    def timed_run(self):
        want = profile["want"]
        if want is not None and threading.get_ident() == main:
            profile["want"] = None
            if want == "start":
                profile["on"] = cProfile.Profile(time.thread_time)  # CPU: load-independent
            elif profile["on"] is not None:
                profile["on"].dump_stats(os.environ["BENCH_TRACE_PROFILE"])
                profile["on"] = None
        prof = profile["on"]
        if prof is None or threading.get_ident() != main:
            return plain_run(self)
        prof.enable()
        try:
            return plain_run(self)
        finally:
            prof.disable()
    asyncio.events.Handle._run = timed_run
from crm_tui.launch import main as crm_main
sys.argv = ["crm", *sys.argv[1:]]
crm_main()
"""


class ThreadCpu:
    """Samples every thread's CPU time of a process from /proc (outside it) every ~2 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, dict[int, int]]] = []  # (perf_counter, tid -> ns)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="thread-cpu", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        base = Path(f"/proc/{self.pid}/task")
        while not self._stop.is_set():
            found: dict[int, int] = {}
            try:
                for task in os.listdir(base):
                    try:
                        found[int(task)] = int((base / task / "schedstat").read_text().split()[0])
                    except (OSError, ValueError, IndexError):
                        pass
            except OSError:
                break
            self.samples.append((time.perf_counter(), found))
            time.sleep(0.002)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1)

    def used(self, start: float, end: float) -> dict[int, float]:
        """CPU ms each thread used between two perf_counter times (nearest samples)."""
        before = [s for s in self.samples if s[0] <= start]
        after = [s for s in self.samples if s[0] >= end]
        if not before or not after:
            return {}
        a, b = before[-1][1], after[0][1]
        return {tid: (ns - a.get(tid, 0)) / 1e6 for tid, ns in b.items() if ns - a.get(tid, 0)}


def read_log(path: Path) -> tuple[list[tuple], list[tuple], dict[float, list[str]], dict]:
    """(slow callbacks, gc passes, stack samples by callback start, thread names by tid)."""
    calls, passes, names = [], [], {}
    stacks: dict[float, list[str]] = collections.defaultdict(list)
    if not path.exists():
        return calls, passes, stacks, names
    for line in path.read_text().splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "C":
            start, end, cpu, what = rest.split(" ", 3)
            calls.append((float(start), float(end), float(cpu), what))
        elif kind == "G":
            start, end, cpu, thread = rest.split(" ", 3)
            passes.append((float(start), float(end), float(cpu), thread))
        elif kind == "S":
            start, n, stack = rest.split(" ", 2)
            stacks[float(start)].append(f"{n}× {stack}")
        elif kind == "T":
            for pair in rest.split():
                tid, _, name = pair.partition("=")
                names[int(tid)] = name
    return calls, passes, stacks, names


def explain(stalls, keys, path: Path, cpu: ThreadCpu | None, pid: int | None) -> list[str]:
    """Per stall: the UI thread's slow callbacks (with stack samples), GC, threads' CPU."""
    calls, passes, stacks, names = read_log(path)
    if pid is not None:
        names.setdefault(pid, "MainThread")
    lines = []
    if cpu is not None and keys:
        used = cpu.used(keys[0].written, keys[-1].written + 0.5)
        busy = ", ".join(
            f"{names.get(tid, tid)} {ms:.0f}"
            for tid, ms in sorted(used.items(), key=lambda x: -x[1])
            if ms >= 1
        )
        lines.append(f"CPU ms per thread while typing ({len(keys)} keys): {busy}")
    by_label = {k.label: k for k in keys}
    for stall in stalls:
        key = by_label.get(stall.keys[0].split(" (")[0])
        if key is None:
            continue
        start, end = key.written, key.written + max(stall.ms, 0) / 1000
        lines.append(f"STALL {stall.ms:.0f} ms: {', '.join(stall.keys)}")
        for c_start, c_end, c_cpu, what in calls:
            if c_start < end and c_end > start - 0.05:
                lines.append(
                    f"  callback {1000 * (c_start - start):+.0f} ms, "
                    f"{1000 * (c_end - c_start):.0f} ms wall / {c_cpu:.0f} ms CPU: {what}"
                )
                lines += [f"      {s}" for s in stacks.get(c_start, [])[:6]]
        for g_start, g_end, g_cpu, _thread in passes:
            if g_start < end and g_end > start:
                lines.append(f"  gen2 GC {1000 * (g_end - g_start):.0f} ms / {g_cpu:.0f} CPU")
        if cpu is not None:
            used = cpu.used(start, end)
            busy = ", ".join(
                f"{names.get(tid, tid)} {ms:.0f}"
                for tid, ms in sorted(used.items(), key=lambda x: -x[1])
                if ms >= 1
            )
            lines.append(f"  thread CPU ms in the stall: {busy or 'none'}")
    return lines
