"""The earliest check-in wins both merges (the server's `decide`, the laptop's
`merge_pulled`), whatever order the two desks' changes arrive in and whatever their clocks."""

from __future__ import annotations

from crm_tui.server.crud.merge import decide
from crm_tui.storage.merge import merge_pulled

EARLY = {"status": "attended", "attended_at": "2026-11-24T02:00:00Z", "attended_by": "desk-a"}
LATE = {"status": "attended", "attended_at": "2026-11-24T02:05:30.5Z", "attended_by": "desk-b"}


def _apply(first: tuple[dict, str], second: tuple[dict, str]) -> dict:
    values, clocks = {"name": "张伟", "status": "registered"}, {"name": "h0", "status": "h0"}
    for incoming, hlc in (first, second):
        d = decide(
            kind="patch",
            values=values,
            deleted=False,
            clocks=clocks,
            versions={},
            incoming=incoming,
            hlc=hlc,
            base_version=0,
            entity="campaign_member",
        )
        values, clocks = d.values, d.clocks
    return values | {"clocks": clocks}


def test_server_keeps_the_earliest_check_in_in_either_order() -> None:
    # The later desk's clock is newer in one run, older in the other.
    for early_hlc, late_hlc in (("h1", "h2"), ("h2", "h1")):
        a = _apply((EARLY, early_hlc), (LATE, late_hlc))
        b = _apply((LATE, late_hlc), (EARLY, early_hlc))
        assert a == b
        assert a["attended_at"] == EARLY["attended_at"] and a["attended_by"] == "desk-a"
        assert a["clocks"]["attended_at"] == "h2"  # the clock still only moves forward


def test_other_records_stay_last_writer_wins() -> None:
    d = decide(
        kind="patch",
        values={"attended_at": "2026-11-24T02:05:00Z"},
        deleted=False,
        clocks={"attended_at": "h1"},
        versions={},
        incoming={"attended_at": "2026-11-24T02:00:00Z"},
        hlc="h0",
        base_version=0,
        entity="activity",
    )
    assert d.values["attended_at"] == "2026-11-24T02:05:00Z"


def test_a_pending_earlier_check_in_wins_over_a_pulled_later_one() -> None:
    data = {"fields": {"name": "张伟", **LATE}, "field_hlc": dict.fromkeys(LATE, "h9")}
    pending = [{"kind": "patch", "payload": EARLY, "hlc": "h1"}]
    merged = merge_pulled("campaign_member", data, pending)
    assert merged.fields["attended_at"] == EARLY["attended_at"]
    assert merged.fields["attended_by"] == "desk-a"
    # ...and a pending later one does not replace the server's earlier one.
    data = {"fields": {"name": "张伟", **EARLY}, "field_hlc": dict.fromkeys(EARLY, "h1")}
    pending = [{"kind": "patch", "payload": LATE, "hlc": "h9"}]
    merged = merge_pulled("campaign_member", data, pending)
    assert merged.fields["attended_at"] == EARLY["attended_at"]
    assert merged.fields["attended_by"] == "desk-a"
