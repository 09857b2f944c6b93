"""Provides the memory case: peak RSS (VmHWM) of `crm` in a pty on the dataset, after the
desk, the customers list, the follow-ups list, a search and a jump to the last row."""

from __future__ import annotations

import re

from bench.cases import crm_exe
from bench.cases.startup import DESK_PAINTED, pty_env
from bench.data import Dataset
from bench.report import Figure, figure
from bench.timing import run_in_pty


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    customers = re.compile(r"of [\d,]+ customers")
    steps = [
        (b"2", customers),
        (b"\x1b[F", 1.0),  # end: the last customer
        (b"3", re.compile(r"of [\d,]+ follow-ups")),
        (b"\x1b[F", 1.0),
        (b"2", 1.0),
        (b"/", 0.3),
        ("北京".encode(), customers),
        (b"", 5.0),  # the filtered count and page may come after a repaint of the old one
        (b"\x1b", 0.5),
    ]
    shown = run_in_pty(
        [crm_exe(), "--db", str(ds.path)], DESK_PAINTED, env=pty_env(ds), then=steps, timeout=180
    )
    mb = shown.peak_rss_kb / 1024
    activities, people = ds.count("activity"), ds.count("customer")
    return [
        figure(
            "memory",
            f"peak RSS of crm: desk, lists, search, end of list ({people:,} customers, "
            f"{activities:,} follow-ups)",
            None,
            unit="MB",
            value=mb,
            target="≤ 200 MB",
            limit=200.0,
        )
    ], {}
