"""Provides the list case: one page of the follow-ups list (fetch + render of the
RecordTable lines) at the start, middle and end of every follow-up, beside plain sqlite3."""

from __future__ import annotations

from types import SimpleNamespace

from bench.data import Dataset
from bench.report import Figure, figure
from bench.timing import measure

WIDTH = 120
ROWS_IN_VIEW = 38


def run(ds: Dataset, log) -> tuple[list[Figure], dict]:
    from rich.segment import Segment
    from textual.strip import Strip

    from crm_tui.screens.followups import FollowUpsScreen
    from crm_tui.services import lists
    from crm_tui.services.book import Book
    from crm_tui.services.lists import ListPages
    from crm_tui.storage.database import open_database
    from crm_tui.storage.engine import connect
    from crm_tui.widgets.cells import line_text
    from crm_tui.widgets.record_table import Column, RecordTable, fit

    db = open_database(ds.path, ds.clock)
    raw = connect(ds.path, readonly=True)
    notes = []
    try:
        host = SimpleNamespace(db=db, book=Book(db), by_urgency=False, view="open")
        host.with_urgency = lambda cols: cols
        columns = FollowUpsScreen.columns(host)  # the screen's own columns
    except Exception as exc:  # the screen changed shape: render the same cells ourselves
        notes.append(f"FollowUpsScreen.columns unusable here ({exc!r}); plain columns used")
        columns = [
            Column("due_at", "Due / done", 18),
            Column("kind", "Kind", 7),
            Column("subject", "Subject"),
            Column("customer_name", "Customer"),
        ]
    table = RecordTable(columns)
    widths = table._widths(WIDTH)
    total = lists.source(db, "activity").count()
    runs = ds.size.runs
    positions = {"first page": 0, "middle page": total // 2, "last page": max(0, total - 50)}

    def show(offset: int, source: ListPages) -> list[Strip]:
        rows = source.rows(offset, ROWS_IN_VIEW)
        return [
            Strip([Segment(fit(line_text([c.cell(r) for c in columns], widths, columns), WIDTH))])
            for r in rows
        ]

    plain_sql = (
        "SELECT a.*, c.name FROM activity a LEFT JOIN customer c ON c.id = a.customer_id "
        "WHERE a.deleted = 0 ORDER BY a.due_at, a.id LIMIT ? OFFSET ?"
    )
    rows: list[Figure] = [
        figure(
            "lists",
            f"open the list: count() of {total:,} follow-ups + first {ROWS_IN_VIEW} lines",
            measure(lambda: show(0, lists.source(db, "activity")), runs, warmup=1),
        )
    ]

    def counted() -> ListPages:
        source = lists.source(db, "activity")
        source.count()  # the table keeps its count: a jump does not count again
        return source

    for label, offset in positions.items():
        # A source with its count but no page known: a jump (home/end/a scrollbar drag).
        sources = [counted() for _ in range(runs + 1)]
        app = measure(lambda o=offset, s=sources: show(o, s.pop()), runs, warmup=1)
        # Plain OFFSET reads (and joins) every skipped row: a few runs are enough.
        base = measure(
            lambda o=offset: raw.execute(plain_sql, (ROWS_IN_VIEW, o)).fetchall(), min(runs, 3)
        )
        rows.append(
            figure(
                "lists",
                f"{label} of {total:,} follow-ups: fetch + render {ROWS_IN_VIEW} lines",
                app,
                baseline="plain sqlite3 LIMIT/OFFSET",
                base=base,
                target="≤ 30 ms",
                limit=30.0,
            )
        )
    # The jumps above start from the sparse anchors the count left (every SPARSE_STEP-th key;
    # kept until a commit). What that count costs, and a jump with neither (after a write):
    from crm_tui.storage.list_memo import SPARSE_STEP, ListMemo

    memo = ListMemo.of(db)

    def cold_count() -> None:
        memo.forget()
        lists.source(db, "activity").count()

    def cold_jump() -> None:
        memo.forget()
        show(positions["middle page"], lists.source(db, "activity"))

    plain_count = "SELECT count(*) FROM activity INDEXED BY ix_activity_list_due WHERE deleted = 0"
    few = min(runs, 3)
    rows += [
        figure(
            "lists",
            f"count of {total:,} follow-ups, stepping the sort index "
            f"(an anchor per {SPARSE_STEP:,})",
            measure(cold_count, few),
            baseline="plain sqlite3 count(*) on the list index",
            base=measure(lambda: raw.execute(plain_count).fetchone(), few),
        ),
        figure(
            "lists",
            "middle page with no count and no anchor yet (first jump after a write)",
            measure(cold_jump, few),
        ),
    ]
    memo.forget()
    # Scrolling on from a page already shown reads by keyset (no OFFSET).
    source = lists.source(db, "activity")
    middle = positions["middle page"] // 50 * 50
    show(middle, source)
    state = {"at": middle}

    def next_page() -> None:
        state["at"] += 50
        show(state["at"], source)

    rows.append(
        figure(
            "lists",
            "page down from a page shown (keyset)",
            measure(next_page, runs),
            target="≤ 30 ms",
            limit=30.0,
        )
    )
    raw.close()
    db.close()
    return rows, {"notes": notes}
