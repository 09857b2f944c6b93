"""The import's duplicate keys behave as a dict whose first claim wins, whatever is still
in memory or already in the temporary table, however many keys (property test)."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_tui.io import dupe_keys
from crm_tui.io.dupe_keys import DupeKeys

key = st.tuples(st.sampled_from(["张伟", "acme", "李娜"]), st.sampled_from(["p", "e"]),
                st.text("0123", min_size=1, max_size=3))  # fmt: skip
# claim, look up, or look up and claim the same list if nothing holds it (as an import does)
step = st.tuples(st.sampled_from(["claim", "first", "both"]), st.lists(key, min_size=1, max_size=3))


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(step, max_size=60), batch=st.integers(1, 5))
def test_first_claim_wins_like_a_dict(steps, batch) -> None:
    dupe_keys._BATCH = batch  # written to the table every few claims
    try:
        conn = sqlite3.connect(":memory:")
        keys, model = DupeKeys(conn), {}
        for line, (what, ks) in enumerate(steps, 1):
            if what != "claim":
                expected = next((model[k] for k in ks if k in model), None)
                assert keys.first(ks) == expected
                if what == "first" or expected is not None:
                    continue
            keys.claim(ks, ("new", f"id{line}", line))
            for k in ks:
                model.setdefault(k, ("new", f"id{line}", line))
        keys.close()
    finally:
        dupe_keys._BATCH = 2000
