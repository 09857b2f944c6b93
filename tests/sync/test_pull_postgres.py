"""The pull tests of test_pull_pages.py again with the server on PostgreSQL (a throwaway
cluster; skipped without its binaries unless CRM_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sync.conftest import Server
from tests.sync.pg import pg_cluster, start_server  # noqa: F401 - pytest fixture
from tests.sync.test_pull_pages import (  # noqa: F401 - collected again on PostgreSQL
    test_a_new_laptop_gets_each_row_once_at_its_latest_version,
    test_a_pull_cut_off_mid_page_resumes_without_loss,
    test_pages_of_any_size_converge,
)


@pytest.fixture(scope="module")
def server(pg_cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:  # noqa: F811
    folder = tmp_path_factory.mktemp("pg-pull-server")
    url = pg_cluster.create_database("crm_pull")
    running = start_server(url, folder)
    yield Server(running.url, url, running.proc)
    running.stop()
