"""Knowledge Q&A through the services on a real SQLite file: articles, questions, answers,
the asker's accepted answer, one vote per member; search with 2-character Chinese words
held against a plain substring filter."""

from __future__ import annotations

import random

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import kb
from crm_tui.services.book import Book


@pytest.fixture
def book(db) -> Book:
    return Book(db)


def _as(db, user_id: str, role: str = "rep") -> None:
    db.set_state("user_id", user_id)
    db.set_state("role", role)


def test_articles_are_found_by_two_character_chinese_words(book) -> None:
    kb.write_article(book, "差旅报销流程", "## 步骤\n1. 拍发票\n2. 提交审批", category="财务")
    kb.write_article(book, "Pricing rules", "Discounts over 15% need a **manager**.", tags="price")
    kb.write_article(book, "客户拜访清单", "带上样品和报价单。", category="销售")
    assert [a.title for a in kb.search(book, "报销").articles] == ["差旅报销流程"]
    assert [a.title for a in kb.search(book, "发票").articles] == ["差旅报销流程"]
    assert [a.title for a in kb.search(book, "报价").articles] == ["客户拜访清单"]
    assert [a.title for a in kb.search(book, "manager").articles] == ["Pricing rules"]
    assert [a.title for a in kb.search(book, "销售").articles] == ["客户拜访清单"]  # category
    assert not kb.search(book, "合同")
    with pytest.raises(ValidationErrors):
        kb.search(book, "  ")


def test_search_agrees_with_a_plain_substring_filter(book) -> None:
    """Every 2-character Chinese word of random articles: the index finds exactly the
    articles whose text contains it."""
    rng = random.Random(17)
    alphabet = "报销发票合同客户拜访样品价格审批流程销售经理培训产品安装维修"
    made = []
    for n in range(40):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 30)))
        made.append(kb.write_article(book, f"文章{n}", body))
    words = {a.body[i : i + 2] for a in made for i in range(len(a.body) - 1)}
    for word in sorted(words)[:120]:
        expected = {a.id for a in made if word in a.body or word in a.title}
        found = {a.id for a in kb.search(book, word, limit=100).articles}
        assert found == expected, word


def test_questions_answers_accept_and_votes(book, db) -> None:
    _as(db, "u-asker")
    q = kb.ask(book, "投标保证金怎么退?", "项目没中标")
    _as(db, "u-helper")
    a1 = kb.answer(book, q.id, "找财务开**退款申请**。")
    _as(db, "u-other")
    a2 = kb.answer(book, q.id[:13], "Ask finance.")
    # Votes: once per member, never for one's own answer.
    kb.vote(book, a1.id)
    with pytest.raises(ValidationErrors, match="already"):
        kb.vote(book, a1.id)
    with pytest.raises(ValidationErrors, match="your own answer"):
        kb.vote(book, a2.id)
    # Only the asker (or a manager) accepts.
    with pytest.raises(ValidationErrors, match="only the one who asked"):
        kb.accept(book, a2.id)
    _as(db, "u-asker")
    kb.vote(book, a2.id)
    kb.accept(book, a2.id)
    thread = kb.thread(book, q.id)
    assert [(r.id, r.votes, r.accepted) for r in thread.answers] == [
        (a2.id, 1, True),
        (a1.id, 1, False),
    ]
    assert kb.unvote(book, a2.id) and kb.thread(book, q.id).answers[0].votes == 0
    # A question is found by the words of its answers too.
    assert [x.id for x in kb.search(book, "退款").questions] == [q.id]
    other = kb.ask(book, "展会物料在哪领?")
    with pytest.raises(ValidationErrors, match="not one of this question's"):
        db.repos.kb.questions.update(other.id, {"accepted_id": a1.id})


def test_palette_titles_and_categories(book) -> None:
    kb.write_article(book, "报价审批规则", category="销售")
    kb.write_article(book, "报销规则", category="财务")
    kb.write_article(book, "Onboarding", category="销售")
    assert [t for _, t in kb.article_titles(book, "规则")] == ["报价审批规则", "报销规则"]
    assert dict(kb.categories(book)) == {"财务": 1, "销售": 2}
    assert [a.title for a in kb.articles(book, "销售")] == ["Onboarding", "报价审批规则"]
