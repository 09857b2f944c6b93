"""The sync suite against a `crm server` on PostgreSQL, and the pull cursor under concurrency.

The convergence tests are imported, so they run again here with the `server` fixture
below (a server process on the throwaway PostgreSQL cluster) in place of the SQLite one.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

from crm_tui.sync.protocol import Mutation, PushRequest
from tests.sync.conftest import Server
from tests.sync.pg import pg_cluster, pg_server  # noqa: F401 - pytest fixture
from tests.sync.test_convergence import (  # noqa: F401 - collected again on PostgreSQL
    test_delete_wins_over_offline_edit_and_restore_brings_the_edit_back,
    test_different_fields_merge,
    test_manager_approval_reaches_the_rep_while_their_offline_edit_is_refused,
    test_newer_edit_pushed_last_keeps_the_overwritten_value,
    test_offline_edits_on_two_clients_converge,
    test_same_field_resolves_by_clock_and_loser_is_kept,
    test_three_laptops_converge_after_mixed_edits,
)
from tests.sync.test_stateful import run_replicas

WRITERS = 6
BATCHES = 8
BATCH = 5


server = pg_server("sync", scope="session")


def test_the_server_really_runs_on_postgresql(server: Server) -> None:
    assert server.database_url.startswith("postgresql+psycopg://")
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(server.database_url)
    with psycopg.connect(
        host=parsed.query["host"],
        port=int(parsed.query["port"]),
        user=parsed.username,
        dbname=parsed.database,
    ) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables")}
    assert {"record", "change_log", "change_counter", "device"} <= tables


def _creates(writer: int, batch: int, first_seq: int) -> tuple[list[Mutation], list[str]]:
    mutations, ids = [], []
    for i in range(BATCH):
        row_id = uuid.uuid4().hex
        ids.append(row_id)
        stamp = f"{int(time.time() * 1000):016d}-{i:06d}-writer{writer}"
        mutations.append(
            Mutation(
                client_seq=first_seq + i,
                mutation_id=f"w{writer}-b{batch}-{i}-{row_id[:8]}",
                entity="customer",
                row_id=row_id,
                kind="create",
                payload={"name": f"Concurrent {writer}-{batch}-{i} {row_id[:6]}"},
                hlc=stamp,
            )
        )
    return mutations, ids


def test_concurrent_pushers_never_make_a_reader_skip_a_committed_row(laptop) -> None:
    writers = [laptop() for _ in range(WRITERS)]
    reader = laptop()
    created: list[str] = []
    errors: list[BaseException] = []
    done = threading.Event()
    lock = threading.Lock()

    def push_all(n: int, path: Path) -> None:
        try:
            with writers[n].client() as client:
                for b in range(BATCHES):
                    batch, ids = _creates(n, b, b * BATCH + 1)
                    answer = client.push(PushRequest(mutations=batch))
                    assert {r.status for r in answer.results} == {"applied"}, answer
                    with lock:
                        created.extend(ids)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    seen: list[tuple[int, str]] = []
    pulls_while_writing = 0

    def pull_page(client, after: int) -> int:
        page = client.pull(after, 7)
        seen.extend((c.seq, c.row_id) for c in page.changes if c.entity == "customer")
        assert page.cursor >= after
        return page.cursor

    threads = [threading.Thread(target=push_all, args=(n, w.path)) for n, w in enumerate(writers)]
    with reader.client() as client:
        cursor = 0
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            cursor = pull_page(client, cursor)
            pulls_while_writing += 1
        for t in threads:
            t.join()
        done.set()
        while True:  # drain what was committed after the last pull
            after = cursor
            cursor = pull_page(client, cursor)
            if cursor == after:
                break
    assert not errors, errors
    assert len(created) == WRITERS * BATCHES * BATCH
    seqs = [s for s, _ in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # cursor only moves forward
    assert set(created) <= {row_id for _, row_id in seen}  # not one committed row skipped
    assert pulls_while_writing > 1  # the reader really raced the writers


def test_random_edits_converge_on_postgresql_too(laptop, server) -> None:
    run_replicas(laptop, server, examples=2)
