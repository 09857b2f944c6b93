"""Knowledge Q&A through a real `crm server`: a rep asks, a teammate answers, the asker
accepts and the teammate sees it; articles are read offline on every laptop and found by
2-character Chinese words; the server refuses an accept by someone other than the asker."""

from __future__ import annotations

from crm_tui.services import kb
from crm_tui.services.book import Book
from crm_tui.services.sync import sync_now
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

server = sqlite_server("kb")


def test_a_question_answered_and_accepted_across_laptops(laptop) -> None:  # noqa: F811
    asker, helper = laptop(), laptop()
    a_book, h_book = Book(asker.db), Book(helper.db)
    q = kb.ask(a_book, "投标保证金怎么退?", "项目没中标")
    art = kb.write_article(a_book, "差旅报销流程", "先拍**发票**", category="财务")
    assert not sync_now(a_book).rejected
    sync_now(h_book)
    # Read offline on the other laptop, found by a 2-character word.
    assert [a.id for a in kb.search(h_book, "发票").articles] == [art.id]
    reply = kb.answer(h_book, q.id, "找财务开退款申请")
    assert not sync_now(h_book).rejected
    sync_now(a_book)
    thread = kb.thread(a_book, q.id)
    assert [r.id for r in thread.answers] == [reply.id]
    assert thread.answers[0].author == helper.name
    kb.vote(a_book, reply.id)
    kb.accept(a_book, reply.id)
    assert not sync_now(a_book).rejected
    sync_now(h_book)
    seen = kb.thread(h_book, q.id)
    assert seen.answers[0].accepted and seen.answers[0].votes == 1
    assert [x.id for x in kb.search(h_book, "退款").questions] == [q.id]


def test_the_server_refuses_an_accept_by_someone_else(laptop) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    asker, other = laptop(), laptop()
    a_book, o_book = Book(asker.db), Book(other.db)
    q = kb.ask(a_book, "展会物料在哪领?")
    sync_now(a_book)
    sync_now(o_book)
    mine = kb.answer(o_book, q.id, "仓库二楼")
    sync_now(o_book)
    (forged,) = raw_push(
        other,
        {
            "entity": "kb_question",
            "row_id": q.id,
            "kind": "patch",
            "payload": {"accepted_id": mine.id},
        },
    )
    assert forged.status == "rejected" and "only the one who asked" in (forged.reason or "")
