"""`crm pool`, `crm claim`, `crm release`, `crm assign`, `crm lock`, `crm pool-rules`: what a
rep types, what it does, and one clear error (exit 1, nothing written) for bad input."""

from __future__ import annotations

from pathlib import Path

from crm_tui.storage import outbox
from tests.pool.conftest import BOB, BOSS, crm, open_book, sign_in


def _id(path: Path, name: str) -> str:
    db = open_book(path)
    try:
        return db.repos.customers.resolve(name).id
    finally:
        db.close()


def _pending(path: Path) -> int:
    db = open_book(path)
    try:
        return len(outbox.rows(db.engine))
    finally:
        db.close()


def test_pool_lists_only_unowned_customers_and_takes_a_query(book_path: Path) -> None:
    out = crm(book_path, "pool", "--format", "csv")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    # Newest in the pool first; owned customers (mine and bob's) are not in it.
    names = [line.split(",")[1] for line in lines[1:]]
    assert sorted(names[:2]) == ["上海机电", "杭州回收"] and names[2] == "广州物流"
    assert "自己的客户" not in out.stdout and "鲍勃的客户" not in out.stdout
    assert ",bob" in out.stdout  # the previous owner, by name
    only = crm(book_path, "pool", "city:上海", "grade:A")
    assert "上海机电" in only.stdout and "广州物流" not in only.stdout
    recent = crm(book_path, "pool", "released:-30d..")
    assert "上海机电" in recent.stdout and "广州物流" not in recent.stdout
    bad = crm(book_path, "pool", "grade:Z")
    assert bad.exit_code == 1 and bad.stderr.startswith("error:")


def test_claim_takes_a_pooled_customer_and_refuses_the_rest(book_path: Path) -> None:
    out = crm(book_path, "claim", "广州物流")
    assert out.exit_code == 0, out.output
    assert "pending until the next sync" in out.stdout
    db = open_book(book_path)
    assert db.repos.customers.resolve("广州物流").owner_id == "u-alice"
    db.close()
    before = _pending(book_path)
    for ref, words in (
        ("广州物流", "already yours"),
        ("鲍勃的客户", "not in the pool"),
        ("杭州回收", "claim it back in 12 days"),  # alice released it 3 days ago
        ("no-such-customer", "no customer matches"),
    ):
        refused = crm(book_path, "claim", ref)
        assert refused.exit_code == 1, (ref, refused.output)
        assert refused.stderr.startswith("error:") and words in refused.stderr, refused.stderr
        assert refused.stderr.count("\n") == 1
    assert _pending(book_path) == before  # nothing written


def test_release_needs_a_reason_and_your_own_customer(book_path: Path) -> None:
    before = _pending(book_path)
    no_reason = crm(book_path, "release", "自己的客户")
    assert no_reason.exit_code == 1 and "say why" in no_reason.stderr
    not_mine = crm(book_path, "release", "鲍勃的客户", "--reason", "x")
    assert not_mine.exit_code == 1 and "only its owner or a manager" in not_mine.stderr
    pooled = crm(book_path, "release", "上海机电", "--reason", "x")
    assert pooled.exit_code == 1 and "already in the pool" in pooled.stderr
    assert _pending(book_path) == before
    ok = crm(book_path, "release", "自己的客户", "--reason", "没有预算")
    assert ok.exit_code == 0, ok.output
    listed = crm(book_path, "pool")
    assert "自己的客户" in listed.stdout


def test_assign_lock_and_rules_are_for_managers(book_path: Path) -> None:
    cid = _id(book_path, "上海机电")
    for args in (("assign", cid, "--to", "bob"), ("lock", cid), ("pool-rules", "--cap", "1")):
        refused = crm(book_path, *args)
        assert refused.exit_code == 1 and "only a manager" in refused.stderr, refused.output
    db = open_book(book_path)
    sign_in(db, BOSS, "manager")
    db.close()
    unknown = crm(book_path, "assign", cid, "--to", "nobody")
    assert unknown.exit_code == 1 and "no team member 'nobody'" in unknown.stderr
    assert crm(book_path, "assign", cid, "--to", "bob").exit_code == 0
    assert crm(book_path, "lock", cid).exit_code == 0
    db = open_book(book_path)
    cust = db.repos.customers.get(cid)
    assert cust.owner_id == BOB and cust.locked
    db.close()
    bad_grade = crm(book_path, "pool-rules", "--grade", "Q", "--cap", "3")
    assert bad_grade.exit_code == 1 and "not a grade" in bad_grade.stderr
    negative = crm(book_path, "pool-rules", "--cap", "-3")
    assert negative.exit_code != 0
    out = crm(book_path, "pool-rules", "--cap", "1", "--followup-days", "20")
    assert out.exit_code == 0, out.output
    assert "set" in out.stdout
    shown = crm(book_path, "pool-rules", "--format", "csv").stdout.splitlines()
    assert shown[0].startswith("grade,followup_days") and shown[1].startswith("*,20,")
    # Back as alice (owns one customer): the cap of 1 is warned about before the server.
    db = open_book(book_path)
    sign_in(db, "u-alice")
    db.close()
    capped = crm(book_path, "claim", "广州物流")
    assert capped.exit_code == 1 and "cap is 1" in capped.stderr


def test_remind_warns_of_customers_going_to_the_pool_on_both_paths(book_path: Path) -> None:
    import contextlib
    import io
    from datetime import timedelta

    from crm_tui import launch
    from tests.pool.conftest import NOW

    db = open_book(book_path)
    db.repos.customers.create({"name": "快到期客户", "claimed_at": NOW - timedelta(days=27)})
    db.repos.customers.create({"name": "刚认领客户", "claimed_at": NOW - timedelta(days=3)})
    db.close()
    full = crm(book_path, "remind")
    assert full.exit_code == 0, full.output
    pool_lines = [line for line in full.stdout.splitlines() if line.startswith("pool")]
    assert len(pool_lines) == 1
    assert "快到期客户 — goes to the pool in 3 days (2026-12-07)" in pool_lines[0]
    options = launch.quick_remind_options(
        ["--db", str(book_path), "--now", NOW.isoformat(), "remind"]
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert launch.quick_remind(options)
    assert out.getvalue() == full.stdout  # the quick path prints exactly the same


def test_adding_a_customer_that_is_in_the_pool_or_another_reps_is_refused(book_path: Path) -> None:
    before = _pending(book_path)
    pooled = crm(book_path, "add", "customer", "上海机电有限公司")
    assert pooled.exit_code == 1, pooled.output
    assert "'上海机电' is in the pool: claim it instead (crm claim" in pooled.stderr
    theirs = crm(book_path, "add", "customer", "鲍勃的客户")
    assert theirs.exit_code == 1
    assert "is bob's customer" in theirs.stderr and "ask your manager" in theirs.stderr
    assert _pending(book_path) == before  # no second copy
    # Claiming it is the way in; --force still adds a copy on purpose.
    cid = _id(book_path, "上海机电")
    assert crm(book_path, "claim", cid).exit_code == 0
    forced = crm(book_path, "add", "customer", "鲍勃的客户", "--force")
    assert forced.exit_code == 0


def test_adding_a_pooled_customer_on_a_book_never_signed_in_is_refused(tmp_path: Path) -> None:
    # The demo book is not signed in: every customer is the rep's own, but one released to
    # the pool is still in the pool, so a copy of it is 撞单 (review s12: it only warned).
    from datetime import timedelta

    from tests.pool.conftest import NOW

    path = tmp_path / "unsigned.db"
    db = open_book(path)
    pooled = db.repos.customers.create(
        {"name": "苏州永安化工集团有限公司", "pool_since": NOW - timedelta(days=16)}
    )
    db.repos.customers.create({"name": "无锡轴承厂"})
    db.close()
    before = _pending(path)
    out = crm(path, "add", "customer", "苏州永安化工集团有限公司")
    assert out.exit_code == 1, out.output
    assert "is in the pool: claim it instead (crm claim " in out.stderr
    assert pooled.id[:8] in out.stderr and pooled.id not in out.stderr  # the short id
    assert _pending(path) == before  # no second copy
    # The rep's own look-alike only warns, as before; --force adds the copy on purpose.
    own = crm(path, "add", "customer", "无锡轴承厂")
    assert own.exit_code == 0 and "looks like an existing customer" in own.stderr
    assert crm(path, "add", "customer", "苏州永安化工集团有限公司", "--force").exit_code == 0


def test_pool_prints_short_ids_and_rules_say_what_zero_means(book_path: Path) -> None:
    # Review s12: `crm pool` printed full UUIDs; `crm pool-rules` showed `cap 0` and
    # `deal_days 0` with no sign that 0 switches them off.
    cid = _id(book_path, "上海机电")
    listed = crm(book_path, "pool")
    assert cid not in listed.stdout
    short = next(line.split()[0] for line in listed.stdout.splitlines() if "上海机电" in line)
    assert cid.startswith(short) and len(short) < len(cid)
    assert crm(book_path, "show", short).exit_code == 0  # the printed id resolves
    assert cid in crm(book_path, "pool", "--format", "csv").stdout  # machine formats: full
    claimed = crm(book_path, "claim", cid)
    assert claimed.exit_code == 0 and f"({short})" in claimed.stdout
    rules = crm(book_path, "pool-rules").stdout.splitlines()
    header, default = rules[0].split(), rules[1].split()
    row = dict(zip(header, default, strict=True))
    assert (row["deal_days"], row["cap"]) == ("off", "none")
    csv_rows = crm(book_path, "pool-rules", "--format", "csv").stdout.splitlines()
    assert dict(zip(csv_rows[0].split(","), csv_rows[1].split(","), strict=True))["cap"] == "0"
