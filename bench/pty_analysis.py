"""Provides the analysis behind the pty typing harness (bench/pty_typing.py): output chunks
joined into bursts, and per key the echo (the first burst repainting the bar with the key's
text), settle (the last output before quiet), results (the table's subtitle repainted after
the typing pause) and the stalls; the summary and the text report.

Standard library only, like the harness, so both run by path in another tree's environment.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

WORDS = ["acme", "north", "北京", "科技", "张伟", "13"]
STALL_MS = 50.0
ANSI_RE = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


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

    Echo: the first burst after the key that repaints the bar with the key's text (or with
    the text of a later key already typed by then, when one repaint covered several keys);
    when no burst ever shows the bar's text, the first burst after the key. Settle: the last
    output before `quiet` seconds of silence (or half the wait until the next key, if
    shorter) or the next key. Results: the first burst showing `results` (the table's
    subtitle) at least `debounce` after the key and before the next key's debounce ran out
    (a newer query replaces this one).
    """
    frames = bursts(chunks)
    by_content = any(shows_bar(b, k.value, plan.placeholder) for b in frames for k in keys[:3])
    for i, key in enumerate(keys):
        after = [b for b in frames if b.start > key.written]
        if by_content:
            # The bar with this key's text, or with a later key's that was already typed
            # when the burst came (one repaint answering several keys).
            echo = next(
                (
                    b
                    for b in after
                    if any(
                        shows_bar(b, k.value, plan.placeholder)
                        for k in keys[i:]
                        if k.written < b.start
                    )
                ),
                None,
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


def gc_passes(path: Path | None) -> list[tuple[float, float, float, str]]:
    if path is None or not path.exists():
        return []
    passes = []
    for line in path.read_text().splitlines():
        start, end, cpu, thread = line.split(maxsplit=3)
        passes.append((float(start), float(end), float(cpu), thread))
    return passes


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
