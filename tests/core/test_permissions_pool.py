"""A customer in the pool (no owner, on a signed-in team) is everyone's lead: a rep may
claim and edit it but not delete it; a manager may; a laptop never signed in deletes what
it holds."""

from __future__ import annotations

from crm_tui.domain.permissions import Actor, why_not_write


def test_only_a_manager_deletes_a_pooled_customer() -> None:
    rep, manager, alone = Actor("u-rep"), Actor("u-mgr", "manager"), Actor(None)
    assert why_not_write(rep, "customer", "delete", None, exists=True) == (
        "a customer in the pool can be deleted by a manager only"
    )
    assert why_not_write(rep, "customer", "patch", None, exists=True) is None
    assert why_not_write(manager, "customer", "delete", None, exists=True) is None
    assert why_not_write(alone, "customer", "delete", None, exists=True) is None
    assert why_not_write(rep, "customer", "delete", "u-rep", exists=True) is None
