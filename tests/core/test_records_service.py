"""services/records.py and services/duplicates.py: what screens and the CLI call for records."""

from __future__ import annotations

import pytest

from crm_tui.services import duplicates, records
from crm_tui.services.book import Book


@pytest.fixture
def book(db):  # noqa: ANN001, ANN201 - the suite's Database, as a Book
    return Book(db)


def test_write_read_and_undo_go_through_one_entity_name(book) -> None:
    acme = records.create(book, "customer", {"name": "Acme 北京", "city": "北京"})
    assert records.resolve(book, "customer", "Acme 北京").id == acme.id
    assert records.resolve(book, "customer", acme.id[:13]).id == acme.id
    records.update(book, "customer", acme.id, {"city": "上海"})
    assert records.undo_last(book) == "undid edited customer 'Acme 北京'"
    assert records.require(book, "customer", acme.id).city == "北京"
    records.delete(book, "customer", acme.id)
    assert records.get(book, "customer", acme.id) is None
    assert records.find_any(book, acme.id)[0] == "customer"
    records.restore(book, "customer", acme.id)
    assert records.title_of(book, "customer", acme.id) == "Acme 北京"
    assert records.names_of(book, "customer", [acme.id, None]) == {acme.id: "Acme 北京"}


def test_errors_are_the_services_own(book) -> None:
    with pytest.raises(records.ValidationErrors) as refused:
        records.create(book, "activity", {"subject": "call"})
    assert [e.field for e in refused.value.errors] == ["customer_id"]
    with pytest.raises(records.NotFound):
        records.require(book, "customer", "no-such-id")
    with pytest.raises(records.NotFound, match="no such kind"):
        records.get(book, "spaceship", "x")


def test_a_link_is_found_by_a_search_with_one_answer(book) -> None:
    records.create(book, "customer", {"name": "北京科技有限公司"})
    records.create(book, "customer", {"name": "上海科技有限公司"})
    found = records.resolve_link(book, "customer", "北京科技")
    assert records.title_of(book, "customer", found) == "北京科技有限公司"
    with pytest.raises(records.NotFound, match="matches several"):
        records.resolve_link(book, "customer", "科技")


def test_done_schedules_the_next_follow_up_in_the_same_call(book) -> None:
    acme = records.create(book, "customer", {"name": "Acme"})
    call = records.create(book, "activity", {"customer_id": acme.id, "subject": "call"})
    from crm_tui.services import followups

    closed, follow = followups.close(book, call.id, outcome="ok", next_due="+7d")
    assert closed.done_at is not None and follow is not None and follow.subject == "call"
    with pytest.raises(records.ValidationErrors, match="already done"):
        followups.close(book, call.id)


def test_only_managers_and_admins_settle_duplicates(book) -> None:
    a = records.create(book, "customer", {"name": "Acme"})
    b = records.create(book, "customer", {"name": "Acme Ltd"})
    assert not duplicates.may_settle(book)
    with pytest.raises(duplicates.ValidationErrors, match="only a manager"):
        duplicates.merge(book, a.id, b.id)
    with pytest.raises(duplicates.ValidationErrors, match="only a manager"):
        duplicates.reassign(book, "customer", a.id, "someone")
    for role in ("manager", "admin"):
        book.db.set_state("role", role)
        assert duplicates.may_settle(book)
        # Past the rule book: the merge itself wants both customers on the server first.
        with pytest.raises(duplicates.ValidationErrors, match="sync first"):
            duplicates.merge(book, a.id, b.id)
    with pytest.raises(duplicates.ValidationErrors, match="no team member"):
        duplicates.reassign(book, "customer", a.id, "nobody")
