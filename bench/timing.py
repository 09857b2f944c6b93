"""Provides the measuring tools: repeated timings, percentiles, and a pseudo-terminal runner."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import resource
import select
import signal
import statistics
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

ANSI_RE = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


@dataclass(frozen=True)
class Stats:
    """Seconds from several runs."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def pct(self, p: float) -> float:
        """The p-th percentile (nearest rank)."""
        ordered = sorted(self.samples)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]


def measure(fn: Callable[[], object], runs: int, warmup: int = 0) -> Stats:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return Stats(tuple(samples))


def run_command(argv: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Wall seconds of one process run to completion (output discarded); fails loudly."""
    return run_timed(argv, env)[0]


def run_timed(
    argv: Sequence[str], env: dict[str, str] | None = None, *, check: bool = True
) -> tuple[float, float]:
    """(wall, CPU) seconds of one process run to completion: CPU time (user + system) is
    what the process itself spent, which other jobs on a shared machine do not inflate.
    `check=False` accepts a non-zero exit (a command timed for how fast it refuses)."""
    _child_cpu(0)  # children reaped before this one are not its CPU
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode and check:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return wall, _child_cpu(proc.pid)


_cpu_seen = 0.0


def load_text() -> str:
    """The 1/5/15-minute load averages, for the notes beside wall-clock figures."""
    return "load average " + " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _child_cpu(pid: int) -> float:
    """CPU seconds of the child just reaped (RUSAGE_CHILDREN grows by it)."""
    global _cpu_seen
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _cpu_seen = total - _cpu_seen, total
    return spent


@dataclass
class PtyRun:
    seconds: float  # spawn until `marker` was on screen
    cpu_seconds: float  # user + system CPU of the whole run (until it quit)
    peak_rss_kb: int  # VmHWM of the process just before it was told to quit
    output: bytes


def run_in_pty(
    argv: Sequence[str],
    marker: str | re.Pattern[str],
    *,
    env: dict[str, str] | None = None,
    size: tuple[int, int] = (40, 120),
    timeout: float = 60.0,
    then: Sequence[tuple[bytes, str | re.Pattern[str] | float]] = (),
    quit_keys: bytes = b"q",
) -> PtyRun:
    """Spawn `argv` on a pty of `size` (rows, cols), time it until `marker` appears in the
    text it paints (escape sequences stripped), then type each `then` step (keys, followed by
    a marker to wait for or seconds to wait), read its peak RSS and quit it."""
    _child_cpu(0)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    raw = bytearray()
    text = bytearray()

    def wait_for(pattern: str | re.Pattern[str] | float, since: int) -> bool:
        deadline = time.perf_counter() + (pattern if isinstance(pattern, float) else timeout)
        needle = pattern if isinstance(pattern, re.Pattern) else None
        word = pattern.encode() if isinstance(pattern, str) else None
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return isinstance(pattern, float)
            ready, _, _ = select.select([master], [], [], min(left, 0.05))
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    return False
                raw.extend(chunk)
                _answer_queries(master, chunk)
                text.extend(ANSI_RE.sub(b"", chunk))
                if word is not None and word in text[since:]:
                    return True
                if needle is not None and needle.search(text[since:].decode("utf-8", "replace")):
                    return True
            elif proc.poll() is not None:
                return False

    try:
        if not wait_for(marker, 0):
            tail = ANSI_RE.sub(b"", bytes(raw[-3000:])).decode("utf-8", "replace")
            raise RuntimeError(f"{argv[0]}: '{marker}' never appeared; last output:\n{tail}")
        seconds = time.perf_counter() - started
        for keys, expect in then:
            mark = len(text)
            os.write(master, keys)
            if not wait_for(expect, mark):
                raise RuntimeError(f"{argv[0]}: after {keys!r}, '{expect}' never appeared")
        peak = _peak_rss_kb(proc.pid)
        os.write(master, quit_keys)
        end = time.perf_counter() + 10
        while proc.poll() is None and time.perf_counter() < end:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    if not os.read(master, 65536):
                        break
                except OSError:
                    break
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        return PtyRun(seconds, _child_cpu(proc.pid), peak, bytes(raw))
    finally:
        if proc.poll() is None:
            try:
                proc.wait(3)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        os.close(master)


def _answer_queries(master: int, chunk: bytes) -> None:
    """Answer the terminal queries a TUI may wait for, as a real terminal would."""
    if b"\x1b[6n" in chunk:  # cursor position report
        os.write(master, b"\x1b[1;1R")


def _peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
