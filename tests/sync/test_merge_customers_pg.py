"""The duplicate-customer and merge tests again, against a `crm server` on PostgreSQL."""

from __future__ import annotations

from tests.sync.pg import pg_cluster, pg_server  # noqa: F401 - pytest fixture
from tests.sync.test_merge_customers import (  # noqa: F401 - collected again on PostgreSQL
    test_a_follow_up_made_offline_against_the_merged_customer_lands_on_the_survivor,
    test_a_rep_cannot_merge_and_is_told_why,
    test_the_manager_merges_and_every_laptop_ends_with_one_customer,
    test_two_managers_merging_the_pair_both_ways_offline_end_with_one_customer,
    test_two_reps_claiming_one_company_offline_both_see_the_clash_and_the_manager_too,
)

server = pg_server("merge")
