"""Provides the results: figures as dicts, merged into results.json, rendered as Markdown."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.timing import Stats

Figure = dict[str, Any]


def figure(
    case: str,
    name: str,
    stats: Stats | None,
    *,
    unit: str = "ms",
    baseline: str | None = None,
    base: Stats | None = None,
    target: str | None = None,
    limit: float | None = None,
    higher_is_better: bool = False,
    p95: bool = False,
    note: str = "",
    value: float | None = None,
) -> Figure:
    """One row of the table. `stats` are seconds (shown as ms or s by `unit`); a `base` in the
    same run gives the ratio; `limit` (in `unit`, or as a ratio when `target` says ×) marks
    whether the target is met."""
    scale = {"ms": 1000.0, "s": 1.0}.get(unit, 1.0)
    row: Figure = {"case": case, "name": name, "unit": unit}
    if stats is not None:
        row |= {
            "median": round(stats.median * scale, 3),
            "min": round(stats.low * scale, 3),
            "max": round(stats.high * scale, 3),
            "runs": len(stats.samples),
        }
        if p95:
            row["p95"] = round(stats.pct(95) * scale, 3)
    elif value is not None:
        row |= {"median": round(value, 3), "runs": 1}
    if baseline:
        row["baseline"] = baseline
    if base is not None and stats is not None:
        row["baseline_median"] = round(base.median * scale, 3)
        row["ratio"] = round(stats.median / base.median, 2) if base.median else None
    if target:
        row["target"] = target
    if limit is not None:
        measured = row.get("p95", row.get("median")) if p95 else row.get("median")
        if target and "×" in target and "ratio" in row:
            measured = row["ratio"]
        if measured is not None:
            row["met"] = measured >= limit if higher_is_better else measured <= limit
    if note:
        row["note"] = note
    return row


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": __import__("sqlite3").sqlite_version,
    }


def merge(path: Path, size: str, case: str, rows: list[Figure], extra: dict[str, Any]) -> None:
    """Replace one case's rows for one size in results.json (other cases stay)."""
    data = json.loads(path.read_text()) if path.exists() else {}
    data["machine"] = machine()
    per_size = data.setdefault("sizes", {}).setdefault(size, {})
    per_size.setdefault("cases", {})[case] = {
        "rows": rows,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    } | extra
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(data: dict[str, Any]) -> str:
    m = data.get("machine", {})
    out = [
        "# Benchmark results",
        "",
        f"Machine: {m.get('cpus')} CPUs (shared with other jobs: see the load average per "
        f"case), Python {m.get('python')}, SQLite {m.get('sqlite')}, {m.get('platform')}. "
        "Figures: median (min–max) over the runs; ratio = median / the baseline's median "
        "taken in the same run. Regenerate with `uv run python -m bench --size 100k` "
        "(and `--size 1m`).",
        "",
    ]
    for size, per_size in data.get("sizes", {}).items():
        out += [f"## Size `{size}`", ""]
        cases = per_size.get("cases", {})
        described = [b["dataset"] for b in cases.values() if b.get("dataset")]
        if described:
            out += [described[0], ""]
        out += [
            "| case | measure | median | min–max | p95 | baseline | ratio | target | met |",
            "|---|---|---:|---:|---:|---|---:|---|:-:|",
        ]
        notes: list[str] = []
        for case, block in per_size.get("cases", {}).items():
            load = block.get("load_average")
            for row in block["rows"]:
                unit = row.get("unit", "")
                spread = f"{_num(row.get('min'))}–{_num(row.get('max'))}" if "min" in row else ""
                base = ""
                if row.get("baseline"):
                    base = row["baseline"]
                    if row.get("baseline_median") is not None:
                        base += f" ({_num(row['baseline_median'])} {unit})"
                met = {True: "yes", False: "**no**"}.get(row.get("met"), "")
                out.append(
                    f"| {case} | {row['name']} | {_num(row.get('median'))} {unit} | {spread} | "
                    f"{_num(row.get('p95'))} | {base} | {_num(row.get('ratio'))} | "
                    f"{row.get('target', '')} | {met} |"
                )
                if row.get("note"):
                    notes.append(f"- {case} / {row['name']}: {row['note']}")
            if load:
                notes.append(
                    f"- {case}: measured {block.get('measured_at')}, load average "
                    f"{' '.join(str(x) for x in load)}"
                )
            for line in block.get("notes", []):
                notes.append(f"- {case}: {line}")
        out += ["", *notes, ""]
    if data.get("analysis"):
        out += ["## Where targets are missed", "", data["analysis"].strip(), ""]
    return "\n".join(out)
