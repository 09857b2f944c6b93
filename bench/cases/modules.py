"""Provides the modules case: the list of every kind of record added after the first
release (quotes, contracts, instalments, service orders, campaign members, reports…) at
`list_rows` rows each — open (count + first page), jumps to the middle and the end, and a
`/` query on its status — beside plain sqlite3 OFFSET reads.

Rows are made from the field registry (any module that registers its fields is measured
without a change here) and written with plain sqlite3 into a database of their own, so the
figures are the lists' own and not the 100k customer book's.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.data import Dataset
from bench.report import Figure, figure
from bench.timing import measure

ROWS_IN_VIEW = 38
# The first release's kinds are measured by the lists case on the 100k book.
CORE = {
    "user",
    "customer",
    "contact",
    "competitor",
    "opportunity",
    "opportunity_line",
    "activity",
    "expense",
    "announcement",
    "saved_query",
    "lost_reason",
}
WORDS = "安装 维修 保养 巡检 培训 投诉 上海 武汉 合同 报价 回款 Acme Globex pump valve".split()
PARENTS = 2_000  # rows of each kind other rows point at


def _value(spec: Any, rnd: random.Random, ds: Dataset, ids: dict[str, list[str]]) -> Any:
    kind = spec.kind
    if kind == "ref":
        pool = ids.get(spec.ref or "")
        return rnd.choice(pool) if pool else None
    if kind == "enum":
        return rnd.choice(spec.choices) if spec.choices else None
    if kind in ("money", "int"):
        return rnd.randint(1, 5) if spec.name in ("rating", "instalment") else rnd.randint(0, 10**7)
    if kind == "percent":
        return rnd.randint(0, 100)
    if kind == "bool":
        return rnd.random() < 0.5
    if kind == "currency":
        return "CNY"
    if kind == "date":
        return (ds.now.date() + timedelta(days=rnd.randint(-400, 120))).isoformat()
    if kind == "datetime":
        return (ds.now + timedelta(minutes=rnd.randint(-500_000, 100_000))).isoformat()
    if kind == "email":
        return f"u{rnd.randint(1, 10**6)}@example.cn"
    if kind == "phone":
        return f"138{rnd.randint(10**7, 10**8 - 1)}"
    if kind == "tags":
        return rnd.choice(WORDS)
    return " ".join(rnd.choice(WORDS) for _ in range(3))[: spec.max_len]


def _fill(conn: sqlite3.Connection, entity: str, n: int, ds: Dataset, ids: dict[str, list[str]]):
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.domain.models import MODELS

    spec = ENTITIES[entity]
    table = MODELS[entity].__table__
    rnd = random.Random(entity)
    stamp = ds.now.isoformat()
    names = [c.name for c in table.columns]
    rows = []
    for i in range(n):
        values: dict[str, Any] = {
            "id": f"{entity[:3]}-{i:08d}",
            "owner_id": None,
            "created_at": stamp,
            "updated_at": stamp,
            "deleted": 0,
            "field_hlc": "{}",
            "server_version": 0,
            "extra": "{}",
        }
        for f in spec.fields:
            if f.name in names:
                values[f.name] = _value(f, rnd, ds, ids)
        for column in table.columns:  # NOT NULL columns the registry leaves to defaults
            if values.get(column.name) is None and not column.nullable:
                default = column.default.arg if column.default is not None else None
                values[column.name] = default() if callable(default) else (default or 0)
        rows.append(tuple(json.dumps(v) if isinstance(v, list) else values.get(k) for k, v in
                          ((k, values.get(k)) for k in names)))  # fmt: skip
    marks = ", ".join("?" for _ in names)
    conn.executemany(f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({marks})', rows)
    ids[entity] = [r[0] for r in rows[: max(PARENTS, 1)]]


def _order(entities: list[str]) -> list[str]:
    """Parents before the rows that point at them."""
    from crm_tui.domain.fields import ENTITIES

    done: list[str] = []

    def visit(name: str, seen: tuple[str, ...] = ()) -> None:
        if name in done or name in seen or name not in ENTITIES:
            return
        for f in ENTITIES[name].fields:
            if f.kind == "ref" and f.ref and f.ref != name:
                visit(f.ref, (*seen, name))
        done.append(name)

    for name in entities:
        visit(name)
    return done


def _open(source: Any) -> None:
    """What the list does when it opens: its count (the subtitle) and its first page."""
    source.count()
    source.rows(0, ROWS_IN_VIEW)


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.domain.models import MODELS
    from crm_tui.services import lists
    from crm_tui.services.book import Book
    from crm_tui.storage.database import open_database

    n = ds.size.list_rows * (10 if ds.size.name != "small" else 1)
    path = Path(ds.path).with_name(f"modules-{ds.size.name}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    open_database(path, ds.clock).close()  # the schema, by the app's own migrations
    measured = [e for e in MODELS if e not in CORE and e in ENTITIES]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    ids: dict[str, list[str]] = {}
    for entity in _order(["customer", "opportunity", *measured]):
        count = n if entity in measured else PARENTS
        log(f"modules: {count:,} {entity} rows")
        _fill(conn, entity, count, ds, ids)
        conn.commit()
    conn.execute("ANALYZE")
    conn.close()

    book = Book(open_database(path, ds.clock))
    raw = sqlite3.connect(path)
    runs = ds.size.runs
    figures: list[Figure] = []
    for entity in measured:
        spec = ENTITIES[entity]
        total = lists.source(book, entity).count()
        figures.append(
            figure(
                "modules",
                f"{entity}: open the list ({total:,} rows: count + first {ROWS_IN_VIEW})",
                measure(lambda e=entity: _open(lists.source(book, e)), runs, 1),
                target="≤ 100 ms",
                limit=100,
            )
        )
        source = lists.source(book, entity)
        source.count()
        for label, offset in (("middle", total // 2), ("end", max(0, total - ROWS_IN_VIEW))):
            figures.append(
                figure(
                    "modules",
                    f"{entity}: jump to the {label}",
                    measure(lambda o=offset, s=source: s.rows(o, ROWS_IN_VIEW), runs, 1),
                    baseline="plain sqlite3 OFFSET",
                    base=measure(
                        lambda o=offset, t=spec.table: raw.execute(
                            f'SELECT * FROM "{t}" WHERE deleted = 0 ORDER BY id LIMIT ? OFFSET ?',
                            (ROWS_IN_VIEW, o),
                        ).fetchall(),
                        min(runs, 3),
                    ),
                )
            )
        status = spec.by_name.get("status")
        if status is not None and status.choices:
            text = f"status:{status.choices[-1]}"

            def query(e: str = entity, t: str = text) -> None:
                source = lists.source(book, e, lists.compile(book, e, t))
                source.count()
                source.rows(0, ROWS_IN_VIEW)

            name = f"{entity}: `/{text}` count + first page"
            figures.append(figure("modules", name, measure(query, runs, 1)))
    raw.close()
    book.close()
    return figures, {"rows_per_kind": n, "kinds": measured}
