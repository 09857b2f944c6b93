"""Pilot: write an article and read it rendered as Markdown; ask a question, answer it,
vote and accept in the question view."""

from __future__ import annotations

import pytest

from crm_tui.screens.forms import RecordForm
from crm_tui.screens.kb import ArticleView, KnowledgeScreen, QuestionsScreen, QuestionView
from crm_tui.services import kb
from crm_tui.services.book import Book
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio
SIZE = (100, 32)


async def _until(pilot, done, tries: int = 100) -> None:
    for _ in range(tries):
        if done():
            return
        await settle(pilot)
    assert done()


async def test_write_an_article_and_read_it_rendered(db) -> None:
    kb.write_article(Book(db), "Pricing rules", "Discounts need a manager.")
    app = Host(db, lambda d: KnowledgeScreen(Book(d)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-title").value = "差旅报销流程"
        form.query_one("#f-category").value = "财务"
        form.query_one("#f-body").text = "## 步骤\n\n1. 拍**发票**\n2. 提交审批"
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: isinstance(app.screen, KnowledgeScreen))
        await _until(pilot, lambda: app.screen.table.row_count == 2)
        # The bar filters with a 2-character Chinese word.
        await pilot.press("slash", *"报销", "enter")
        await _until(pilot, lambda: app.screen.table.row_count == 1)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ArticleView))
        view = app.screen
        await _until(pilot, lambda: bool(view.query("#article-markdown")))
        from textual.widgets import Markdown

        markdown = view.query_one("#article-markdown", Markdown)
        await _until(pilot, lambda: any("步骤" in str(b.render()) for b in markdown.children))
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, KnowledgeScreen))


async def test_ask_answer_vote_and_accept(db) -> None:
    db.set_state("user_id", "u-me")
    book = Book(db)
    q = kb.ask(book, "投标保证金怎么退?", "项目没中标")
    db.set_state("user_id", "u-helper")
    helpful = kb.answer(book, q.id, "找财务开退款申请")
    db.set_state("user_id", "u-me")
    app = Host(db, lambda d: QuestionsScreen(Book(d)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _until(pilot, lambda: app.screen.table.row_count == 1)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, QuestionView))
        view = app.screen
        await _until(pilot, lambda: view.answer_ids == [helpful.id])
        await pilot.press("v")
        await _until(pilot, lambda: kb.thread(Book(db), q.id).answers[0].votes == 1)
        await pilot.press("x")
        await _until(pilot, lambda: kb.find_question(Book(db), q.id).accepted_id == helpful.id)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        app.screen.query_one("#f-body").text = "Also: ask the buyer for the receipt."
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: len(view.answer_ids) == 2)
        # The accepted answer stays first.
        assert view.answer_ids[0] == helpful.id


async def test_the_palette_finds_articles_by_title_and_opens_files_and_knowledge(db) -> None:
    from crm_tui.app import make_app
    from crm_tui.screens.files import FilesScreen
    from crm_tui.screens.palette import commands

    art = kb.write_article(Book(db), "报价审批规则", "超过 **15%** 的折扣要经理批准。")
    app = make_app(db)
    async with app.run_test(size=(110, 32)) as pilot:
        await settle(pilot)
        by_title = {c.title: c for c in commands()}
        for title, screen_type in [
            ("Files (文件)", FilesScreen),
            ("Knowledge (知识)", KnowledgeScreen),
            ("Questions (问答)", QuestionsScreen),
        ]:
            by_title[title].run(app)
            await _until(pilot, lambda t=screen_type: isinstance(app.screen, t))
            await settle(pilot)
            app.pop_screen()
            await settle(pilot)
        app.action_command_palette()
        await settle(pilot)
        await pilot.press(*"审批规则")
        await pilot.pause(0.5)
        await settle(pilot)
        from textual.command import CommandList

        hits = app.screen.query_one(CommandList)
        await _until(
            pilot,
            lambda: any(
                "Article 报价审批规则" in str(hits.get_option_at_index(i).prompt)
                for i in range(hits.option_count)
            ),
        )
        index = next(
            i
            for i in range(hits.option_count)
            if "Article 报价审批规则" in str(hits.get_option_at_index(i).prompt)
        )
        hits.highlighted = index
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ArticleView))
        assert app.screen.article_id == art.id


async def test_an_articles_images_are_its_files(db, tmp_path) -> None:
    from crm_tui.screens.files import FilesScreen
    from crm_tui.services import files

    art = kb.write_article(Book(db), "展台搭建", "见附图。")
    image = tmp_path / "展台.png"
    image.write_bytes(b"\x89PNG")
    files.attach(Book(db), "kb_article", art.id, image)
    app = Host(db, lambda d: ArticleView(Book(d), art.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = app.screen.query_one("#article-files")
        await _until(pilot, lambda: "展台.png" in str(shown.render()))
        await pilot.press("f")
        await _until(pilot, lambda: isinstance(app.screen, FilesScreen))
        listing = app.screen.query_one("#files-list")
        await _until(pilot, lambda: listing.option_count == 1)
