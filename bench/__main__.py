"""Provides `python -m bench`: build the data for a size, run the cases, write the results."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from bench.data import BENCH_DIR, SIZES, dataset
from bench.report import markdown, merge

# Case name -> module in bench.cases; each has run(ds, log) -> (rows, extra).
CASES = ["generate", "startup", "search", "desk", "lists", "cli", "sync", "memory", "reports"]
CASES.insert(CASES.index("search") + 1, "typing")  # keys typed on a pty (bench/pty_typing.py)
CASES.insert(CASES.index("sync") + 1, "load")  # server workers under load (bench/cases/load.py)
CASES.insert(CASES.index("lists") + 1, "modules")  # the later modules' lists (cases/modules.py)
CASES.append("insight")  # segments, churn risk and the desk panel (cases/insight.py)
CASES.append("pool")  # the pool release pass and the desk warning (cases/pool.py)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--only", action="append", choices=CASES, help="run only this case")
    parser.add_argument("--skip", action="append", choices=CASES, default=[])
    parser.add_argument(
        "--out", type=Path, default=BENCH_DIR, help="folder for results.json and RESULTS.md"
    )
    parser.add_argument("--rebuild", action="store_true", help="generate the data again")
    parser.add_argument(
        "--table-only", action="store_true", help="only write RESULTS.md from results.json"
    )
    args = parser.parse_args(argv)
    if args.table_only:
        write_table(args.out)
        return 0

    def log(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    size = SIZES[args.size]
    ds = dataset(size, rebuild=args.rebuild, log=log)
    args.out.mkdir(parents=True, exist_ok=True)
    results = args.out / "results.json"
    failed = []
    for name in args.only or CASES:
        if name in args.skip:
            continue
        log(f"{name} on {size.name} (load average {os.getloadavg()[0]:.1f})")
        module = importlib.import_module(f"bench.cases.{name}")
        started = time.perf_counter()
        try:
            rows, extra = module.run(ds, log)
        except Exception:
            failed.append((name, traceback.format_exc()))
            log(f"{name} FAILED:\n{failed[-1][1]}")
            continue
        extra = extra | {"seconds": round(time.perf_counter() - started, 1)}
        merge(results, size.name, name, rows, extra)
        for row in rows:
            log(
                f"  {row['name']}: {row.get('median')} {row.get('unit')}"
                + (f" (ratio {row['ratio']})" if row.get("ratio") is not None else "")
            )
    write_table(args.out)
    if failed:
        for name, trace in failed:  # again at the end, where a caller's tail shows it
            log(f"{name} failed:\n{trace}")
        return 1
    return 0


def write_table(out: Path) -> None:
    """RESULTS.md from results.json, with the hand-written analysis (bench/analysis.md)."""
    results = out / "results.json"
    data = json.loads(results.read_text()) if results.exists() else {}
    analysis = BENCH_DIR / "analysis.md"
    if analysis.exists():
        data["analysis"] = analysis.read_text()
    (out / "RESULTS.md").write_text(markdown(data))


if __name__ == "__main__":
    sys.exit(main())
