"""The file sync tests again against a `crm server` on PostgreSQL (chunks as bytea, the
attachment hash read with `data::json ->> 'sha256'`)."""

from __future__ import annotations

from tests.files.test_files_sync import (  # noqa: F401 - collected again on PostgreSQL
    test_a_records_files_are_seen_by_whoever_may_see_the_record,
    test_attached_offline_on_one_laptop_opened_on_another,
    test_content_shared_by_two_records_survives_deleting_one,
)
from tests.sync.conftest import laptop  # noqa: F401 - pytest fixture
from tests.sync.pg import pg_cluster, pg_server  # noqa: F401 - pytest fixture

server = pg_server("files", scope="session")
