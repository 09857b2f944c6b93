"""The overwrite notices (test_overwritten_notice.py) against a `crm server` on PostgreSQL:
the notices' change-log rows go through the COPY path there."""

from __future__ import annotations

from tests.sync.pg import pg_cluster, pg_server  # noqa: F401 - pytest fixture
from tests.sync.test_overwritten_notice import (  # noqa: F401 - collected again on PostgreSQL
    test_a_manager_overwritten_on_a_reps_deal_is_told,
    test_the_case_already_handled_is_not_told_twice,
    test_the_older_edit_synced_first_is_told_when_the_newer_one_wins,
)

server = pg_server("notice", scope="session")
