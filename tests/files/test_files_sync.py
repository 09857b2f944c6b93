"""Files through a real `crm server`: an attachment added offline on one laptop is opened on
another after both sync; content shared by two records survives deleting one of them and
is collected when none uses it; the server checks who may see a record's files; the
limits come back as 413 with a reason before any byte of a too-large file is sent."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from crm_tui.domain import file_specs
from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import files
from crm_tui.services.book import Book
from crm_tui.services.sync import sync_now
from crm_tui.storage.blobs import blob_root
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

server = sqlite_server("files")


def _photo(tmp_path: Path, name: str, size: int = 9 * 1024 * 1024 + 17) -> Path:
    """A file larger than one upload chunk (4 MB), so it goes in three pieces."""
    path = tmp_path / name
    block = hashlib.sha256(name.encode()).digest() * 32
    path.write_bytes((block * (size // len(block) + 1))[:size])
    return path


def _server_db(server):  # noqa: F811
    from crm_tui.server.core.db import ServerDB

    return ServerDB(server.database_url)


def test_attached_offline_on_one_laptop_opened_on_another(laptop, tmp_path) -> None:  # noqa: F811
    rep_a, rep_b = laptop(), laptop()
    book_a, book_b = Book(rep_a.db), Book(rep_b.db)
    acme = rep_a.db.repos.customers.create({"name": "上海机电"})
    scan = _photo(tmp_path, "合同.pdf")
    # Offline: attached, nothing sent yet.
    att = files.attach(book_a, "customer", acme.id, scan)
    report = sync_now(book_a)
    assert not report.rejected, report
    assert "1 file uploaded" in report.summary()
    sync_now(book_b)
    seen = files.files_of(book_b, "customer", acme.id)
    assert [f.id for f in seen] == [att.id]
    assert not files.is_here(book_b, seen[0])
    opened = files.open_path(book_b, att.id)  # downloaded on first open
    assert opened.read_bytes() == scan.read_bytes()
    assert files.is_here(book_b, seen[0])
    # B files the same scan on a claim of B's own: B's laptop proves it holds the content
    # (the server sends a file only through a copy its owner uploaded), so the manager
    # opens B's claim's file even after A's is gone.
    claim = rep_b.db.repos.expenses.create({"spent_on": "2026-11-20", "amount": "80"})
    mine = files.attach(book_b, "expense", claim.id, opened)
    assert not sync_now(book_b).rejected
    files.delete_file(book_a, att.id)
    sync_now(book_a)
    boss = laptop("manager")
    sync_now(Book(boss.db))
    assert files.open_path(Book(boss.db), mine.id).read_bytes() == scan.read_bytes()
    # An empty file goes and comes back too.
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    none = files.attach(book_a, "customer", acme.id, empty)
    assert not sync_now(book_a).rejected
    sync_now(book_b)
    assert files.open_path(book_b, none.id).read_bytes() == b""


def test_content_shared_by_two_records_survives_deleting_one(laptop, tmp_path, server) -> None:  # noqa: F811
    from crm_tui.server.crud import blobs as server_blobs

    rep, other = laptop(), laptop()
    book, other_book = Book(rep.db), Book(other.db)
    acme = rep.db.repos.customers.create({"name": "广州物流"})
    deal = rep.db.repos.opportunities.create({"customer_id": acme.id, "title": "叉车"})
    pic = _photo(tmp_path, "site.jpg", size=1000)
    one = files.attach(book, "customer", acme.id, pic)
    two = files.attach(book, "customer", acme.id, pic, name="site-2.jpg")
    assert one.sha256 == two.sha256
    sync_now(book)
    files.delete_file(book, one.id)
    sync_now(book)
    # Still here for the other attachment, and still on the server.
    assert files.is_here(book, two)
    db = _server_db(server)
    with db.write() as s:
        assert server_blobs.collect_garbage(s, grace=timedelta(0)) == 0
    sync_now(other_book)
    assert files.open_path(other_book, two.id).read_bytes() == pic.read_bytes()
    # The last user goes: the laptop drops its copy at the next sync, the server at its
    # next collection.
    files.delete_file(book, two.id)
    report = sync_now(book)
    assert "1 file cleaned up" in report.summary()
    assert not (blob_root(book.path) / one.sha256[:2] / one.sha256).exists()
    with db.write() as s:
        # Not within the grace period (content uploaded before its attachment row).
        assert server_blobs.collect_garbage(s) == 0
        assert server_blobs.collect_garbage(s, grace=timedelta(0)) == 1
    db.close()
    assert deal.id  # the deal had no files: nothing else was touched


def test_a_records_files_are_seen_by_whoever_may_see_the_record(laptop, tmp_path) -> None:  # noqa: F811
    rep, peer, boss = laptop(), laptop(), laptop("manager")
    book = Book(rep.db)
    acme = rep.db.repos.customers.create({"name": "北京钢管"})
    claim = rep.db.repos.expenses.create({"spent_on": "2026-11-20", "amount": "200"})
    receipt = files.attach(book, "expense", claim.id, _photo(tmp_path, "发票.png", 500))
    shared = files.attach(book, "customer", acme.id, _photo(tmp_path, "门头.png", 400))
    report = sync_now(book)
    assert not report.rejected, report
    sync_now(Book(peer.db))
    sync_now(Book(boss.db))
    # A teammate sees the customer's file, not the rep's claim receipt; the manager both.
    assert peer.row("attachment", shared.id) is not None
    assert peer.row("attachment", receipt.id) is None
    assert boss.row("attachment", receipt.id) is not None
    assert files.open_path(Book(boss.db), receipt.id).read_bytes()[:4]
    # The content itself: one answer for "absent" and "not yours".
    with peer.client() as client:
        response = client.http.get(f"/blobs/{receipt.sha256}")
    assert response.status_code == 404


def test_a_claimed_hash_without_the_content_gets_nothing(laptop, tmp_path) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    rep, thief = laptop(), laptop()
    book = Book(rep.db)
    claim = rep.db.repos.expenses.create({"spent_on": "2026-11-20", "amount": "200"})
    secret = files.attach(book, "expense", claim.id, _photo(tmp_path, "secret.pdf", 300))
    sync_now(book)
    mine = thief.db.repos.customers.create({"name": "自己的客户"})
    sync_now(Book(thief.db))
    (made,) = raw_push(
        thief,
        {
            "entity": "attachment",
            "row_id": "01936f00-0000-7000-8000-000000000abc",
            "kind": "create",
            "payload": {
                "name": "x.pdf",
                "record_entity": "customer",
                "record_id": mine.id,
                "sha256": secret.sha256,
                "size": secret.size,
            },
        },
    )
    assert made.status == "applied"
    with thief.client() as client:
        assert client.http.get(f"/blobs/{secret.sha256}").status_code == 404


def test_the_server_refuses_files_on_records_the_caller_cannot_see(laptop) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    rep, thief = laptop(), laptop()
    claim = rep.db.repos.expenses.create({"spent_on": "2026-11-20", "amount": "200"})
    rep.sync()
    (made,) = raw_push(
        thief,
        {
            "entity": "attachment",
            "row_id": "01936f00-0000-7000-8000-000000000abd",
            "kind": "create",
            "payload": {
                "name": "x.pdf",
                "record_entity": "expense",
                "record_id": claim.id,
                "sha256": "a" * 64,
                "size": 3,
            },
        },
    )
    assert made.status == "rejected" and "no expense" in (made.reason or "")


def test_limits_are_413_with_a_reason_before_the_body(laptop) -> None:  # noqa: F811
    rep = laptop()
    with rep.client() as client:
        too_big = client.http.put(
            f"/blobs/{'b' * 64}",
            params={"offset": 0, "size": file_specs.MAX_FILE_BYTES + 1},
            content=b"x",
        )
        assert too_big.status_code == 413
        assert "limited to" in too_big.json()["detail"]
        wrong = client.http.put(
            f"/blobs/{'c' * 64}", params={"offset": 0, "size": 3}, content=b"abc"
        )
        assert wrong.status_code == 422 and "does not match" in wrong.json()["detail"]
        gap = client.http.put(f"/blobs/{'d' * 64}", params={"offset": 5, "size": 9}, content=b"x")
        assert gap.status_code == 409 and "continues at byte 0" in gap.json()["detail"]
        bad = client.http.get("/blobs/not-a-hash")
        assert bad.status_code in (404, 422)
    from crm_tui.sync.protocol import version_headers

    anonymous = httpx.get(f"{client.base_url}/blobs/{'e' * 64}", headers=version_headers())
    assert anonymous.status_code == 401 and "sign in" in anonymous.json()["detail"]


def test_an_interrupted_upload_resumes_where_it_stopped(laptop, tmp_path) -> None:  # noqa: F811
    from crm_tui.storage.blobs import BlobStore
    from crm_tui.sync import blobs as sync_blobs

    rep = laptop()
    book = Book(rep.db)
    acme = rep.db.repos.customers.create({"name": "深圳电子"})
    big = _photo(tmp_path, "drawing.dwg")
    att = files.attach(book, "customer", acme.id, big)
    store = BlobStore(blob_root(rep.path))
    with rep.client() as client:
        first = store.read_range(att.sha256, 0, file_specs.CHUNK_BYTES)
        client.http.put(
            f"/blobs/{att.sha256}", params={"offset": 0, "size": att.size}, content=first
        )
        assert sync_blobs.status(client, att.sha256)["received"] == len(first)
        sent = sync_blobs.upload(client, store, att.sha256, att.size)
    assert sent == att.size - len(first)
    # The server holds it whole now: the sync only marks it sent.
    report = sync_now(book)
    assert not report.rejected and "uploaded" in report.summary()
    with rep.client() as client:
        assert sync_blobs.upload(client, store, att.sha256, att.size) == 0


def test_a_pinned_file_is_fetched_at_the_next_sync(laptop, tmp_path) -> None:  # noqa: F811
    rep, peer = laptop(), laptop()
    book, peer_book = Book(rep.db), Book(peer.db)
    acme = rep.db.repos.customers.create({"name": "成都食品"})
    att = files.attach(book, "customer", acme.id, _photo(tmp_path, "menu.pdf", 2048))
    sync_now(book)
    sync_now(peer_book)
    seen = files.find_file(peer_book, att.id)
    assert not files.is_here(peer_book, seen)
    files.pin(peer_book, att.id)
    report = sync_now(peer_book)
    assert "1 file downloaded" in report.summary()
    assert files.is_here(peer_book, seen)
    # A teammate may not delete the file (the laptop says so before the server would).
    with pytest.raises(ValidationErrors, match="only whoever attached"):
        files.delete_file(peer_book, att.id)


def test_a_service_orders_photos_reach_its_engineer_and_back(laptop, tmp_path) -> None:  # noqa: F811
    from crm_tui.services import service_orders as orders

    rep, boss, eng, other = laptop(), laptop("manager"), laptop(), laptop()
    for lap in (rep, boss, eng, other):
        assert not lap.sync().rejected
    book = Book(rep.db)
    acme = rep.db.repos.customers.create({"name": "苏州纺织机械厂"})
    order = orders.create(
        book,
        {"customer_id": acme.id, "subject": "安装织机", "kind": "install",
         "engineer_id": eng.db.user_id},
    )  # fmt: skip
    orders.step(book, order.id, "request")
    sync_now(book)
    sync_now(Book(boss.db))
    orders.decide(Book(boss.db), order.id, approve=True, note="")
    sync_now(Book(boss.db))
    site = files.attach(book, "service", order.id, _photo(tmp_path, "现场.jpg", 700))
    assert not sync_now(book).rejected
    eng_book = Book(eng.db)
    sync_now(eng_book)
    # The engineer (a reader of the order) sees the rep's photo and opens it ...
    assert files.open_path(eng_book, site.id).read_bytes()[:8]
    # ... and the photo the engineer takes reaches the rep; another rep sees neither.
    done = files.attach(eng_book, "service", order.id, _photo(tmp_path, "完工.jpg", 900))
    assert not sync_now(eng_book).rejected
    assert files.files_of(eng_book, "service", order.id)[0].id == done.id
    sync_now(book)
    assert files.open_path(book, done.id).read_bytes()[:8]
    sync_now(Book(other.db))
    assert other.row("attachment", site.id) is None and other.row("attachment", done.id) is None
