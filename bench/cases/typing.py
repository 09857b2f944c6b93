"""Provides the typing case: a person typing into the customers list's `/` bar on a real pty
(bench/pty_typing.py), per key: echo, results on screen and stalls, beside an empty Textual
app with one Input typed the same way and `python -c "import sqlite3"`.

Unlike the search case's Pilot figure (Pilot's press + pause cost ~105 ms per key even on
an empty app), this reads the app's real terminal output with timestamps.
"""

from __future__ import annotations

import os

from bench.data import Dataset
from bench.pty_analysis import STALL_MS, WORDS, Plan, Session
from bench.pty_typing import bare_python, compile_bytecode, crm_session, empty_session
from bench.report import Figure, figure
from bench.timing import Stats

# Words typed (then backspaced to empty, then the next word); fewer on the smoke size.
TYPING_WORDS = {"small": ["acme", "北京"]}
PASSES = {"small": 1, "100k": 2, "1m": 1}


def _stats(values: list[float | None]) -> Stats:
    """Stats (seconds) from per-key milliseconds; one zero when there are none."""
    seconds = tuple(v / 1000 for v in values if v is not None)
    return Stats(seconds or (0.0,))


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    code = compile_bytecode()
    plan = Plan(words=TYPING_WORDS.get(ds.size.name, WORDS), passes=PASSES.get(ds.size.name, 1))
    app = crm_session(ds.path, plan, ds.now_iso)
    log(f"  typing: crm done (load average {os.getloadavg()[0]:.1f})")
    empty = empty_session(plan)
    bare = Stats(tuple(ms / 1000 for ms in bare_python(ds.size.slow_runs * 3)))
    customers = ds.count("customer")
    echo = _stats([k.echo_ms for k in app.keys])
    empty_echo = _stats([k.echo_ms for k in empty.keys])
    results = _stats([k.results_ms for k in app.keys])
    debounce_ms = plan.debounce * 1000
    rows = [
        figure("typing", 'python -c "import sqlite3" (bytecode compiled)', bare),
        figure("typing", "empty Textual app, one Input: key → echo (pty)", empty_echo, p95=True),
        figure(
            "typing",
            f"crm customers `/` bar: key → echo (pty, {customers:,} customers)",
            echo,
            p95=True,
            baseline="empty app echo",
            base=empty_echo,
            target="p95 ≤ 16 ms",
            limit=16.0,
        ),
        figure(
            "typing",
            "crm: key → results on screen (typing pause included)",
            results,
            p95=True,
            target=f"p95 ≤ {debounce_ms + 33:.0f} ms (pause + 33)",
            limit=debounce_ms + 33,
            note=f"the bar waits {debounce_ms:.0f} ms of typing pause before it runs a query",
        ),
        figure(
            "typing",
            "crm: key → settled (output quiet), keys that settled before the next",
            _stats([k.settle_ms for k in app.keys if not k.cut]),
            p95=True,
        ),
        figure(
            "typing",
            "crm: longest stall (typed keys with no echo)",
            None,
            value=max((s.ms for s in app.stalls), default=0.0),
            target=f"≤ {STALL_MS:.0f} ms",
            limit=STALL_MS,
        ),
    ]
    notes = [
        f"bytecode compiled first ({code.get('seconds')} s) and PYTHONDONTWRITEBYTECODE unset "
        f"for the timed processes: {'yes' if code.get('compiled') else 'NO'}",
        _describe(app, plan),
        _describe(empty, plan),
    ]
    return rows, {"notes": notes, "stalls": [s.ms for s in app.stalls]}


def _describe(session: Session, plan: Plan) -> str:
    stalls = "; ".join(f"{s.ms:.0f} ms on {', '.join(s.keys)}" for s in session.stalls)
    return (
        f"{session.name}: {len(session.keys)} keys ({', '.join(plan.words)} × {plan.passes}, "
        f"{plan.interval * 1000:.0f} ms apart, backspace to empty between words), load "
        f"average {session.load_before:.1f} → {session.load_after:.1f}; stalls over "
        f"{STALL_MS:.0f} ms: {stalls or 'none'}"
    )
