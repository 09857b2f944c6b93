"""Provides the generator case: how long the demo generator took to build this size."""

from __future__ import annotations

import json

from bench.data import Dataset
from bench.report import Figure, figure


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    meta = json.loads(ds.path.with_suffix(".json").read_text())
    customers, activities = meta["customers"], meta["activities"]
    load = meta.get("load_average")
    rows = [
        figure(
            "generate",
            f"demo generator: {customers:,} customers + {activities:,} follow-ups "
            f"+ {meta['contacts']:,} contacts",
            None,
            unit="s",
            value=meta["generate_seconds"],
            note=f"run once when the data was built (load average then: {load}); "
            f"{customers / meta['generate_seconds']:,.0f} customers/s with their rows",
        )
    ]
    return rows, {"dataset": _describe(ds, meta)}


def _describe(ds: Dataset, meta: dict) -> str:
    return (
        f"Data: demo generator, {meta['customers']:,} customers, {meta['contacts']:,} contacts, "
        f"{meta['activities']:,} follow-ups ({meta['followups']} per customer), seed 7, "
        f"clock fixed at {ds.now_iso}."
    )
