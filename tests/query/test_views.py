"""Saved views: the defaults show without being stored (opening the sidebar writes nothing,
queues nothing to sync) and are stored the first time the rep changes one."""

from __future__ import annotations

from sqlalchemy import text

from crm_tui.services import views


def _outbox(db) -> int:
    with db.reading() as s:
        return s.execute(text("SELECT count(*) FROM outbox")).scalar_one()


def _names(items) -> list[str]:
    return [v.name for v in items]


def test_listing_views_writes_nothing_and_shows_the_defaults(db):
    store = views.SavedViews(db)
    before = _outbox(db)
    assert "A customers not contacted in 30 days" in _names(store.list("customer"))
    assert _names(store.list("activity")) == ["Due today", "Overdue"]
    assert "Closing this month" in _names(store.pinned())
    assert "Closing this month" in [v.name for v in views.pinned_views(db.path)]
    assert _outbox(db) == before
    assert db.repos.saved_queries.page(limit=50) == []
    assert store.list("activity", seed=False) == []


def test_changing_a_default_stores_it_once(db):
    store = views.SavedViews(db)
    overdue = next(v for v in store.list("activity") if v.name == "Overdue")
    assert store.toggle_pin(overdue.id) is True
    assert _outbox(db) > 0
    listed = store.list("activity")
    assert _names(listed) == ["Due today", "Overdue"]
    assert next(v for v in listed if v.name == "Overdue").pinned
    store.bind_key(overdue.id, "f3")
    assert db.repos.saved_queries.require(overdue.id).key == "f3"
    today = next(v for v in listed if v.name == "Due today")
    store.bind_key(today.id, "f3")  # the key moves; the default is stored on the way
    assert not db.repos.saved_queries.require(overdue.id).key
    assert [v.name for v in views.pinned_views(db.path)].count("Overdue") == 1


def test_a_deleted_default_stays_away(db):
    store = views.SavedViews(db)
    closing = next(v for v in store.pinned() if v.name == "Closing this month")
    store.delete(closing.id)
    assert "Closing this month" not in _names(store.list("opportunity"))
    assert "Closing this month" not in _names(store.pinned())
    assert "Closing this month" not in [v.name for v in views.pinned_views(db.path)]


def test_saving_over_a_default_name_replaces_its_query(db):
    store = views.SavedViews(db)
    store.save("expense", "Submitted claims", "status:submitted amount>100")
    listed = store.list("expense")
    assert _names(listed) == ["Submitted claims"]
    assert listed[0].query == "status:submitted amount>100"


def test_a_laptop_seeded_before_keeps_its_stored_defaults(db):
    assert views.ensure_default_views(db) == len(views.DEFAULT_VIEWS)
    store = views.SavedViews(db)
    assert _names(store.list("activity")) == ["Due today", "Overdue"]
    assert [v.name for v in views.pinned_views(db.path)].count("Closing this month") == 1


def test_distinct_values_and_history(db):
    db.repos.customers.create({"name": "Acme", "city": "北京", "tags": "vip,steel"})
    db.repos.customers.create({"name": "Zeta", "city": "上海", "tags": "Vip"})
    assert sorted(views.distinct_values(db, "customer", "city")) == sorted(["上海", "北京"])
    assert views.distinct_values(db, "customer", "tags", "v") == ["vip"]
    assert views.distinct_values(db, "customer", "created") == []
    history = views.history(db)
    history.add("customer", "city:北京")
    history.add("customer", "+vip")
    history.add("customer", "city:北京")
    assert history.load("customer") == ["+vip", "city:北京"]


def test_the_desk_and_the_query_bar_import_views_without_the_orm():
    import subprocess
    import sys

    code = (
        "import sys, crm_tui.services.views;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
