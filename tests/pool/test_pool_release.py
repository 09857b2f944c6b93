"""The pool's release pass through a real `crm server`: on demand (`crm server release-pool`)
a customer nobody followed up goes back to the pool once, with its previous owner, who then
waits before claiming it back; one followed up or with an open deal stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.sync.conftest import Server, crm, laptop  # noqa: F401  (fixtures)
from tests.sync.pg import start_server
from tests.sync.test_permissions import raw_push

LONG_AGO = datetime.now(UTC) - timedelta(days=40)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module's own: its passes (`--as-of` 40 days on) release every
    customer there, which must not touch the session server other tests share."""
    folder = tmp_path_factory.mktemp("pool-release-server")
    running = start_server(f"sqlite:///{folder / 'server.db'}", folder)
    yield Server(running.url, running.database_url, running.proc)
    running.stop()


def _release(server) -> list[str]:  # noqa: F811
    out = crm("server", "--database-url", server.database_url, "release-pool")
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("released ")
    return out.stdout.splitlines()[1:]


def test_release_pass_on_demand_releases_once(laptop, server) -> None:  # noqa: F811
    alice = laptop()
    repos = alice.db.repos
    cold = repos.customers.create({"name": "冷淡客户 Cold", "claimed_at": LONG_AGO})
    warm = repos.customers.create({"name": "常联系 Warm", "claimed_at": LONG_AGO})
    repos.activities.create(
        {
            "customer_id": warm.id,
            "subject": "回访",
            "done_at": datetime.now(UTC) - timedelta(days=2),
        }
    )
    dealing = repos.customers.create({"name": "有商机 Dealing", "claimed_at": LONG_AGO})
    repos.opportunities.create({"customer_id": dealing.id, "title": "200 台"})
    fresh = repos.customers.create({"name": "新客户 Fresh"})
    assert not alice.sync().rejected
    released = _release(server)
    assert cold.id in released
    assert not {warm.id, dealing.id, fresh.id} & set(released)
    assert cold.id not in _release(server)  # a second pass: nothing more for this one
    assert not alice.sync().parked
    assert alice.row("customer", cold.id)["owner_id"] is None  # her laptop sees it go
    bob = laptop()
    bob.sync()
    row = bob.row("customer", cold.id)
    assert row["owner_id"] is None and row["previous_owner_id"] == alice.db.user_id
    assert row["pool_since"] is not None
    assert bob.row("customer", warm.id)["owner_id"] == alice.db.user_id
    # The previous owner waits (15 days by default) before claiming it back; bob may claim.
    (back,) = raw_push(
        alice,
        {
            "entity": "customer",
            "row_id": cold.id,
            "kind": "command",
            "payload": {"command": "claim", "fields": {}},
        },
    )
    assert back.status == "rejected" and "claim it back in 15 days" in back.reason
    bob.db.repos.pool.steps.claim(cold.id)
    assert not bob.sync().rejected
    assert cold.id not in _release(server)  # newly claimed: its clock starts again


def test_release_pool_bad_input(server) -> None:  # noqa: F811
    out = crm("server", "--database-url", server.database_url, "release-pool", "--as-of", "soon")
    assert out.exit_code == 1 and out.stderr.startswith("error:") and "--as-of" in out.stderr


def test_patched_pool_fields_do_not_keep_a_customer_from_the_pool(laptop, server) -> None:  # noqa: F811
    """A rep who patches `locked` or a fresh `claimed_at` onto a customer is refused (only
    the pool's commands set them: review s15 H1), and loses it on time all the same: the
    pass reads the server's own log."""
    alice = laptop()
    kept = alice.db.repos.customers.create({"name": "想留住的客户 Hoarded"})
    alice.sync()
    alice.db.repos.customers.update(
        kept.id, {"locked": True, "claimed_at": datetime.now(UTC) + timedelta(days=60)}
    )
    report = alice.sync()
    assert report.rejected == 1
    assert "only the pool's claim, release, assign and lock" in str(report.rejections)
    assert not alice.db.repos.customers.require(kept.id).locked  # back to the server's
    later = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    out = crm("server", "--database-url", server.database_url, "release-pool", "--as-of", later)
    assert out.exit_code == 0 and kept.id in out.stdout.splitlines()[1:]
    # A manager's lock (the command, logged) does keep one.
    boss = laptop("manager")
    locked = alice.db.repos.customers.create({"name": "重点客户 Locked"})
    alice.sync()
    boss.sync()
    boss.db.repos.pool.steps.lock(locked.id)
    assert not boss.sync().rejected
    out = crm("server", "--database-url", server.database_url, "release-pool", "--as-of", later)
    assert locked.id not in out.stdout.splitlines()[1:]
