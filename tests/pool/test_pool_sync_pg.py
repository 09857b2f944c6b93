"""The pool's server-checked steps and the on-demand release again, against a `crm server`
on PostgreSQL."""

from __future__ import annotations

from tests.pool.test_pool_release import (  # noqa: F401 - collected again on PostgreSQL
    test_release_pass_on_demand_releases_once,
)
from tests.pool.test_pool_sync import (  # noqa: F401 - collected again on PostgreSQL
    test_cap_and_reclaim_wait_hold_against_forged_requests,
    test_the_previous_owner_waits_before_claiming_back,
    test_two_reps_claim_one_pooled_customer_offline_exactly_one_owns_it,
)
from tests.sync.conftest import laptop  # noqa: F401 - pytest fixture
from tests.sync.pg import pg_cluster, pg_server  # noqa: F401 - pytest fixture

server = pg_server("pool")
