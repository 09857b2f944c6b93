"""The stored urgency score equals what `explain` (and `crm why`) shows, after every write path,
a new day and new weights; lists sort by it when it is fresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from crm_tui.domain.fields import to_wire
from crm_tui.domain.urgency import total
from crm_tui.services.urgency import WEIGHTS_KEY, order_by, why
from crm_tui.storage import urgency_store
from crm_tui.storage.database import new_id
from crm_tui.storage.engine import connect


@pytest.fixture
def book(db):
    r = db.repos
    a = r.customers.create({"name": "Acme", "grade": "A"})
    b = r.customers.create({"name": "Beta", "grade": "C"})
    r.customers.create({"name": "Idle"})
    deal = r.opportunities.create(
        {"customer_id": a.id, "title": "big", "amount": "80k", "stage": "proposal"}
    )
    r.opportunities.create({"customer_id": b.id, "title": "small", "amount": "10k"})
    r.activities.create(
        {"customer_id": a.id, "subject": "deal call", "due_at": "-3d", "opportunity_id": deal.id}
    )
    r.activities.create({"customer_id": b.id, "subject": "next month", "due_at": "+30d"})
    r.activities.create({"customer_id": b.id, "subject": "tomorrow", "due_at": "tomorrow 15:00"})
    r.activities.create({"customer_id": b.id, "subject": "in a week", "due_at": "+7d"})
    done = r.activities.create({"customer_id": b.id, "subject": "done", "due_at": "-1d"})
    r.activities.done(done.id)
    r.activities.create({"customer_id": b.id, "subject": "no date"})
    return db


def refresh(db, **kwargs):
    conn = connect(db.path)
    try:
        return urgency_store.refresh(conn, db.clock, **kwargs)
    finally:
        conn.close()


def stored(db):
    sql = (
        "SELECT 'activity', id, subject, urgency FROM activity WHERE deleted = 0 "
        "UNION ALL SELECT 'customer', id, name, urgency FROM customer WHERE deleted = 0"
    )
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def assert_matches_explain(db):
    wrong = [
        (title, score, total(why(db, entity, row_id)))
        for entity, row_id, title, score in stored(db)
        if score != pytest.approx(total(why(db, entity, row_id)), abs=1e-3)
    ]
    assert wrong == []


def score_of(db, title):
    return next(score for _e, _id, name, score in stored(db) if name == title)


def test_refresh_stores_the_explained_score(book):
    assert not urgency_store.fresh(book)
    done = refresh(book)
    assert done.kind == "full" and done.followups == 5 and done.customers == 3
    assert urgency_store.fresh(book)
    assert_matches_explain(book)
    assert score_of(book, "done") == 0 and score_of(book, "deal call") > score_of(book, "tomorrow")
    assert refresh(book).kind == "fresh"


def test_repository_writes_keep_the_score(book):
    refresh(book)
    r = book.repos
    acme = r.customers.resolve("Acme")
    beta = r.customers.resolve("Beta")
    call = r.activities.resolve("tomorrow")
    deal = r.opportunities.resolve("big")
    new = r.activities.create({"customer_id": acme.id, "subject": "new", "due_at": "-10d"})
    assert_matches_explain(book)
    r.activities.update(call.id, {"due_at": "-2d"})  # due term and overdue
    r.activities.update(new.id, {"opportunity_id": deal.id})  # now counts the deal
    assert_matches_explain(book)
    r.customers.update(beta.id, {"grade": "A"})  # every open follow-up of Beta moves
    assert_matches_explain(book)
    r.opportunities.update(deal.id, {"amount": "400k"})  # deal term and Acme's pipeline
    assert_matches_explain(book)
    r.opportunities.move(deal.id, 1)  # negotiation: a new probability, a new stage age
    assert_matches_explain(book)
    r.opportunities.move(deal.id, 1, closed_on=book.clock.today())  # won: no longer open
    assert_matches_explain(book)
    r.activities.done(call.id)  # Beta's last contact is today; the call scores 0
    assert score_of(book, "tomorrow") == 0
    assert_matches_explain(book)
    r.activities.delete(new.id)
    r.customers.update(acme.id, {"grade": "C"})
    assert_matches_explain(book)


def test_undo_keeps_the_score(book):
    refresh(book)
    r = book.repos
    call = r.activities.resolve("tomorrow")
    before = score_of(book, "tomorrow")
    r.activities.update(call.id, {"due_at": "-20d"})
    assert score_of(book, "tomorrow") > before
    assert r.undo_last("activity")
    assert score_of(book, "tomorrow") == pytest.approx(before)
    r.activities.done(call.id)
    assert r.undo_last("activity")
    assert_matches_explain(book)


def test_a_new_day_rescores_only_what_moves(book):
    book.clock.advance(timedelta(days=-100))
    book.repos.customers.create({"name": "Old", "grade": "B"})  # 100 days without contact
    book.clock.advance(timedelta(days=100))
    refresh(book)
    before = score_of(book, "tomorrow")
    far = score_of(book, "next month")
    book.clock.advance(timedelta(days=1))
    assert not urgency_store.fresh(book)
    done = refresh(book)
    assert done.kind == "day"
    assert done.followups == 3  # deal call, tomorrow, in a week: not next month, not no date
    assert done.customers == 3  # not Old: its days since contact were already past the scale
    assert score_of(book, "tomorrow") > before and score_of(book, "next month") == far
    assert_matches_explain(book)
    book.clock.advance(timedelta(days=120))
    assert refresh(book).kind == "full"
    assert_matches_explain(book)


def test_a_day_back_is_a_new_day_too(book):
    refresh(book)
    book.clock.advance(timedelta(days=-5))
    assert refresh(book).kind == "day"
    assert_matches_explain(book)


def test_new_weights_rescore_everything(book):
    refresh(book)
    book.set_state(WEIGHTS_KEY, '{"grade": 100, "due": 0, "overdue": 0, "deal": 0}')
    assert not urgency_store.fresh(book)
    assert refresh(book).kind == "full"
    assert score_of(book, "next month") == pytest.approx(20.0)  # grade C: 0.2 x 100
    assert_matches_explain(book)


def test_weights_without_a_scale_match_explain(book):
    book.set_state(WEIGHTS_KEY, '{"deal_scale": 0, "contact_days": 0, "stage_days": 0}')
    refresh(book)
    assert_matches_explain(book)
    book.clock.advance(timedelta(days=1))
    assert refresh(book).kind == "day"
    assert_matches_explain(book)


def test_chunked_refresh_matches_and_can_be_cancelled(book):
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    assert refresh(book, chunk_rows=1, cancelled=cancelled).kind == "cancelled"
    assert not urgency_store.fresh(book)
    assert refresh(book, chunk_rows=2).kind == "full"
    assert_matches_explain(book)


def test_sync_pulls_keep_the_score(book):
    from crm_tui.storage.sync_store import apply_pull_page
    from crm_tui.sync.protocol import Change

    refresh(book)
    acme = book.repos.customers.resolve("Acme")
    beta = book.repos.customers.resolve("Beta")
    now = to_wire(book.clock.now())
    common = {"owner_id": "u-other", "deleted": False, "field_hlc": {}}
    common |= {"created_at": now, "updated_at": now}
    due = to_wire(book.clock.now() - timedelta(days=4))
    pulled = [
        Change(
            seq=1,
            entity="activity",
            row_id=new_id(),
            op="upsert",
            data={"fields": {"customer_id": beta.id, "subject": "pulled", "due_at": due}} | common,
        ),
        Change(
            seq=2,
            entity="customer",
            row_id=acme.id,
            op="upsert",
            data={"fields": {"name": "Acme", "grade": "B"}} | common,
        ),
    ]
    apply_pull_page(book, pulled, 2)
    assert score_of(book, "pulled") > 0
    assert_matches_explain(book)


def test_csv_import_keeps_the_score(book, tmp_path):
    from crm_tui.io.csv_import import import_csv

    refresh(book)
    path = tmp_path / "customers.csv"
    path.write_text("name,grade\nGamma,A\nDelta,B\n", encoding="utf-8")
    import_csv(book, path, "customer")
    assert score_of(book, "Gamma") > score_of(book, "Delta") > 0
    assert_matches_explain(book)


def test_list_order_uses_the_stored_score_and_refreshes_when_stale(book):
    order = order_by(book, "followups")
    assert urgency_store.fresh(book)  # brought up to date before sorting
    assert "urgency" in str(order[0])
    rows = book.repos.activities.page(order_by=order)
    assert rows[0].subject == "deal call"
    book.clock.advance(timedelta(days=40))  # every dated call is now long overdue
    rows = book.repos.activities.page(order_by=order_by(book, "followups"))
    assert urgency_store.fresh(book)
    assert_matches_explain(book)
    scores = [total(why(book, "activity", r.id)) for r in rows]
    assert scores == sorted(scores, reverse=True) and rows[-1].subject == "done"


def test_demo_generator_leaves_fresh_scores(tmp_path, clock):
    from crm_tui.demo import generate
    from crm_tui.storage.database import open_database

    path = tmp_path / "demo.db"
    generate(path, customers=40, seed=5, clock=clock)
    db = open_database(path, clock)
    try:
        assert urgency_store.fresh(db)
        assert_matches_explain(db)
    finally:
        db.close()


def test_a_book_with_statistics_gets_them_for_the_urgency_indexes(book):
    with book.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        conn.execute(text("DELETE FROM sqlite_stat1 WHERE idx LIKE '%urgency%'"))
    refresh(book)  # without them SQLite would sort every open follow-up
    with book.engine.connect() as conn:
        known = {r[0] for r in conn.execute(text("SELECT idx FROM sqlite_stat1"))}
    assert set(urgency_store.URGENCY_INDEXES) <= known


def test_a_first_sync_pauses_the_triggers_and_ends_with_a_full_refresh(db):
    from crm_tui.storage import pull_store

    refresh(db)  # the app opened on an empty book before its first sync
    assert pull_store.begin_pull(db)  # drops the indexes the triggers would read
    assert not urgency_store.fresh(db) and refresh(db).kind == "deferred"
    customer = db.repos.customers.create({"name": "Pulled", "grade": "A"})
    db.repos.activities.create({"customer_id": customer.id, "subject": "pulled", "due_at": "-2d"})
    assert score_of(db, "pulled") == 0  # the triggers waited
    pull_store.end_pull(db)
    assert refresh(db).kind == "full"
    assert score_of(db, "pulled") > 0
    assert_matches_explain(db)
