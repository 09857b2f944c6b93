"""The after-sales sync tests again with the server on PostgreSQL: dispatch approval across
three laptops, the server's refusals, and one planned visit from two offline laptops
(service numbers are taken under the numbering lock there)."""

from __future__ import annotations

from tests.service.test_service_sync import (  # noqa: F401 - collected again on PostgreSQL
    test_request_approve_dispatch_start_finish_on_three_laptops,
    test_server_refuses_steps_by_the_wrong_person_and_forged_fields,
    test_two_laptops_offline_make_one_planned_visit,
)
from tests.sync.conftest import laptop  # noqa: F401 - pytest fixture
from tests.sync.pg import pg_cluster, pg_server  # noqa: F401 - pytest fixture

server = pg_server("service", scope="module")
