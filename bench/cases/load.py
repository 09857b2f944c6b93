"""Provides the load case (issue 21): server push throughput against a raw bulk upsert, and N
simulated laptops syncing every few seconds against 1 and 4 server workers.

Push throughput: one laptop's batches of 500 new customers and follow-ups (wire mutations
built once, sent with httpx) into a fresh server on SQLite and on PostgreSQL, against
bench.cases.sync's bulk upsert of the same rows (same run, same machine).

Load: `LAPTOPS` simulated laptops (threads with their own httpx client, node id and outbox
sequence; no laptop database, so the figures are the server's) each sync every
`INTERVAL` s (jittered): a push of a few new customers and follow-ups plus an edit of one of
their own customers, then pulls (echo=version) until has_more is false. Each configuration
runs `DURATION` s on loopback; reported: records pushed per second, pulled changes per
second, p50/p95 of push and of pull, and errors (any non-2xx, or a rejected mutation). Then
the same laptops sync back to back for `SATURATED` s: the throughput one and four workers
can take on this machine.
PostgreSQL needs its binaries (skipped with a note otherwise).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.cases.sync import PG_BIN, bulk_upsert, crm_server, postgres
from bench.data import Dataset
from bench.report import Figure, figure

LAPTOPS = 50
# The small size is the test suite's smoke run: every step with a few laptops (50 laptops
# enrolling four times made it the suite's longest test, ~86 s).
SMALL_LAPTOPS = 5
INTERVAL = 3.0
# The small size is the test suite's smoke run: seconds, not a measurement.
DURATION = {"small": 4.0, "100k": 45.0, "1m": 45.0}
SATURATED = {"small": 2.0, "100k": 30.0, "1m": 30.0}
PUSH_RECORDS = {"small": 500, "100k": 50_000, "1m": 50_000}
BATCH = 500


def server(database_url: str, folder: Path, workers: int):
    """`crm server --workers N` on a loopback port (sign-in limits raised: 50 laptops
    enrol from one address)."""
    return crm_server(
        database_url, folder, workers, env={"CRM_SERVER_SIGNIN_PER_ADDRESS": "100000"}
    )


class SimLaptop:
    """A laptop as the server sees it: a token, a clock node, an outbox sequence, a cursor."""

    def __init__(self, url: str, database_url: str, name: str, admin: Any) -> None:
        from crm_tui.domain.hlc import HybridClock
        from crm_tui.sync.protocol import version_headers

        _, _, code = admin.add_user(name, "rep")
        self.http = httpx.Client(base_url=url, headers=version_headers(), timeout=60)
        answer = self.http.post("/auth/enrol", json={"user": name, "code": code}).json()
        self.http.headers["Authorization"] = f"Bearer {answer['token']}"
        self.clock = HybridClock(uuid.uuid4().hex[:12])
        self.clock.observe(answer["server_hlc"])
        self.seq = 0
        self.cursor = 0
        self.customers: dict[str, int] = {}  # own customers -> version last heard
        self.name = name

    def mutation(self, entity: str, row_id: str, kind: str, payload: dict[str, Any]) -> dict:
        self.seq += 1
        return {
            "client_seq": self.seq,
            "mutation_id": uuid.uuid4().hex,
            "entity": entity,
            "row_id": row_id,
            "kind": kind,
            "payload": payload,
            "base_version": self.customers.get(row_id, 0),
            "hlc": self.clock.tick().encode(),
        }

    def changes(
        self, customers: int, followups: int, rnd: random.Random, edit: bool = True
    ) -> list[dict]:
        out = []
        if edit and self.customers:
            row_id = rnd.choice(list(self.customers))
            out.append(self.mutation("customer", row_id, "patch", {"notes": f"note {self.seq}"}))
        cid = ""
        for _ in range(customers):
            cid = uuid.uuid4().hex
            out.append(
                self.mutation("customer", cid, "create", {"name": f"{self.name} {self.seq}"})
            )
            self.customers[cid] = 0
        for _ in range(followups):
            fid = uuid.uuid4().hex
            out.append(
                self.mutation(
                    "activity", fid, "create", {"customer_id": cid, "subject": f"call {self.seq}"}
                )
            )
        return out

    def push(self, mutations: list[dict]) -> int:
        """Rejected mutations (raises on a non-2xx answer)."""
        answer = self.http.post("/sync/push", json={"mutations": mutations})
        answer.raise_for_status()
        return sum(r["status"] == "rejected" for r in answer.json()["results"])

    def pull(self) -> int:
        pulled = 0
        while True:
            answer = self.http.get(
                "/sync/pull", params={"after": self.cursor, "limit": 2000, "echo": "version"}
            )
            answer.raise_for_status()
            page = answer.json()
            for change in page["changes"]:
                if change["row_id"] in self.customers and change["op"] in ("upsert", "version"):
                    self.customers[change["row_id"]] = change["seq"]
            pulled += len(page["changes"])
            self.cursor = max(self.cursor, page["cursor"])
            if not page["has_more"]:
                return pulled

    def close(self) -> None:
        self.http.close()


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def run_load(
    url: str,
    database_url: str,
    label: str,
    seconds: float,
    log,
    interval: float = INTERVAL,
    count: int = LAPTOPS,
) -> dict[str, Any]:
    """`count` laptops, each syncing every ~`interval` s (0: back to back, to find the
    server's capacity) for `seconds`."""
    from crm_tui.services.server_admin import open_server

    admin = open_server(database_url)
    laptops = [
        SimLaptop(url, database_url, f"load-{uuid.uuid4().hex[:6]}", admin) for _ in range(count)
    ]
    for lap in laptops:  # the start: everyone is up to date
        lap.pull()
    pushes: list[float] = []
    pulls: list[float] = []
    counts = {"pushed": 0, "pulled": 0, "errors": 0, "rejected": 0, "syncs": 0}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def work(i: int, lap: SimLaptop) -> None:
        rnd = random.Random(i)
        time.sleep(rnd.random() * interval)
        while time.monotonic() < stop_at:
            batch = lap.changes(2, 3, rnd)
            try:
                t0 = time.perf_counter()
                rejected = lap.push(batch)
                t1 = time.perf_counter()
                pulled = lap.pull()
                t2 = time.perf_counter()
            except httpx.HTTPError as exc:
                with lock:
                    counts["errors"] += 1
                    errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
                lap.seq -= len(batch)  # not kept: the next round sends new ones in their place
                time.sleep(max(interval, 0.5))
                continue
            with lock:
                pushes.append(t1 - t0)
                pulls.append(t2 - t1)
                counts["pushed"] += len(batch)
                counts["pulled"] += pulled
                counts["rejected"] += rejected
                counts["syncs"] += 1
            time.sleep(max(0.0, interval * (0.5 + rnd.random()) - (t2 - t0)))

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i, lap)) for i, lap in enumerate(laptops)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.perf_counter() - started
    for lap in laptops:
        lap.close()
    result = {
        "label": label,
        "laptops": count,
        "interval": interval,
        "seconds": round(elapsed, 1),
        "syncs": counts["syncs"],
        "pushed_per_s": counts["pushed"] / elapsed,
        "pulled_per_s": counts["pulled"] / elapsed,
        "push_p50_ms": _pct(pushes, 0.5) * 1000,
        "push_p95_ms": _pct(pushes, 0.95) * 1000,
        "pull_p50_ms": _pct(pulls, 0.5) * 1000,
        "pull_p95_ms": _pct(pulls, 0.95) * 1000,
        "errors": counts["errors"] + counts["rejected"],
        "error_samples": errors[:3],
        "load_before": round(load_before, 1),
        "load_after": round(os.getloadavg()[0], 1),
    }
    log(
        f"load {label}: {count} laptops, {result['syncs']} syncs in {elapsed:.0f} s; pushed "
        f"{result['pushed_per_s']:.0f}/s, pulled {result['pulled_per_s']:.0f}/s; push p50 "
        f"{result['push_p50_ms']:.0f} ms p95 {result['push_p95_ms']:.0f} ms; pull p50 "
        f"{result['pull_p50_ms']:.0f} ms p95 {result['pull_p95_ms']:.0f} ms; errors "
        f"{result['errors']} {errors[:2]}; load {load_before:.1f} -> {result['load_after']}"
    )
    return result


def push_throughput(url: str, database_url: str, records: int, label: str, log) -> Figure:
    """One laptop pushes `records` new customers and follow-ups (1:4) in batches of 500."""
    from crm_tui.services.server_admin import open_server

    lap = SimLaptop(url, database_url, f"pusher-{uuid.uuid4().hex[:6]}", open_server(database_url))
    rnd = random.Random(1)
    batches, queued = [], []
    while sum(len(b) for b in batches) < records:
        batch: list[dict] = []
        while len(batch) < BATCH:
            batch += lap.changes(1, 4, rnd, edit=False)
        batches.append(batch)
        queued += [(m["entity"], m["row_id"], json.dumps(m["payload"])) for m in batch]
    started = time.perf_counter()
    for batch in batches:
        if lap.push(batch):
            raise RuntimeError(f"{label}: the server rejected part of a push")
    push_s = time.perf_counter() - started
    lap.close()
    base_s = bulk_upsert(database_url, queued)
    rate, base = len(queued) / push_s, len(queued) / base_s
    log(
        f"load {label}: pushed {len(queued):,} records in {push_s:.1f} s = {rate:,.0f}/s; raw "
        f"bulk upsert {base:,.0f}/s; ratio {rate / base:.2f}; load {os.getloadavg()[0]:.1f}"
    )
    row = figure(
        "load",
        f"{label}: server push throughput ({len(queued):,} new records, batches of {BATCH})",
        None,
        unit="rows/s",
        value=rate,
        baseline="raw bulk upsert",
        target="≥ 10,000 rows/s" if label == "SQLite" else "≥ 50% of the bulk upsert",
        note=f"raw bulk upsert {base:,.0f} rows/s (ratio {rate / base:.2f}); "
        f"load average {os.getloadavg()[0]:.1f}",
    )
    row["ratio"] = round(rate / base, 2)
    row["met"] = rate >= 10_000 if label == "SQLite" else rate >= 0.5 * base
    return row


def _load_rows(r: dict[str, Any]) -> list[Figure]:
    label = r["label"]
    note = (
        f"{r.get('laptops', LAPTOPS)} laptops "
        + (f"every ~{r['interval']:.0f} s" if r["interval"] else "back to back")
        + f" for {r['seconds']} s, {r['syncs']} syncs; "
        f"load average {r['load_before']} before, {r['load_after']} after"
    )
    return [
        figure("load", f"{label}: records pushed", None, unit="rec/s", value=r["pushed_per_s"],
               note=note),
        figure("load", f"{label}: changes pulled", None, unit="rec/s", value=r["pulled_per_s"]),
        figure("load", f"{label}: push p50 / p95", None, unit="ms", value=r["push_p50_ms"],
               note=f"p95 {r['push_p95_ms']:.0f} ms"),
        figure("load", f"{label}: pull p50 / p95", None, unit="ms", value=r["pull_p50_ms"],
               note=f"p95 {r['pull_p95_ms']:.0f} ms"),
        figure("load", f"{label}: errors", None, unit="count", value=r["errors"],
               note="; ".join(r["error_samples"])),
    ]  # fmt: skip


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    size = ds.size.name
    laptops = SMALL_LAPTOPS if size == "small" else LAPTOPS
    rows: list[Figure] = []
    notes: list[str] = []
    results: list[dict[str, Any]] = []
    # In the system temp folder, not the data folder: the postgres user must reach the
    # cluster's folder, and a pytest tmp_path sits under a root-only (0700) parent.
    with tempfile.TemporaryDirectory(prefix="crm-bench-load-") as tmp:
        os.chmod(tmp, 0o755)
        folder = Path(tmp)
        sqlite_url = f"sqlite:///{folder / 'push.db'}"
        with server(sqlite_url, folder, 1) as url:
            rows.append(push_throughput(url, sqlite_url, PUSH_RECORDS[size], "SQLite", log))
        if not (PG_BIN / "initdb").exists():
            notes.append("PostgreSQL binaries not found: its figures were skipped.")
            return rows, {"notes": notes}
        with postgres(folder / "cluster") as pg_url:
            with server(pg_url, folder, 1) as url:
                rows.append(push_throughput(url, pg_url, PUSH_RECORDS[size], "PostgreSQL", log))
            for workers in (1, 4):
                with server(pg_url, folder, workers) as url:
                    label = f"PostgreSQL, {workers} worker{'s' if workers > 1 else ''}"
                    result = run_load(url, pg_url, label, DURATION[size], log, count=laptops)
                    results.append(result)
                    rows += _load_rows(result)
                    # The same laptops back to back: what the server can take.
                    label += ", back to back"
                    result = run_load(
                        url, pg_url, label, SATURATED[size], log, interval=0, count=laptops
                    )
                    results.append(result)
                    rows += _load_rows(result)
    notes.append("fsync and synchronous_commit are off on the throwaway PostgreSQL")
    return rows, {"notes": notes, "load": results}
