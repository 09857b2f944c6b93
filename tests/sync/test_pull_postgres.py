"""The pull tests of test_pull_pages.py again with the server on PostgreSQL (a throwaway
cluster; skipped without its binaries unless CRM_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

from tests.sync.pg import pg_cluster, pg_server  # noqa: F401 - pytest fixture
from tests.sync.test_pull_pages import (  # noqa: F401 - collected again on PostgreSQL
    test_a_new_laptop_gets_each_row_once_at_its_latest_version,
    test_a_pull_cut_off_mid_page_resumes_without_loss,
    test_pages_of_any_size_converge,
)

server = pg_server("pull")
