"""Provides `crm kb` (issue 17, 知识问答): `search WORDS`, `write TITLE` (the body from
--body, --file or $EDITOR), `articles`, `show ID` (an article's Markdown, or a question
with its answers), `ask TITLE`, `questions`, `answer QUESTION TEXT`, `accept ANSWER`,
`vote ANSWER`.

Bad input is one `error:` line and exit 1, nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import check_format, emit
from crm_tui.cli.price_list import run_service

kb_app = typer.Typer(
    help="Knowledge Q&A: articles, questions and answers (search is CJK-aware).",
    no_args_is_help=True,
)
FORMATS = ("table", "json", "csv")


def _when(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


@kb_app.command("search")
def search(
    ctx: typer.Context,
    words: list[str] = typer.Argument(..., help="Words to look for (中文 too)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Articles and questions matching every word."""
    from crm_tui.services import kb

    check_format(fmt, FORMATS)
    book = state(ctx).book
    hits = run_service(lambda: kb.search(book, " ".join(words)))
    rows = [
        {"id": a.id, "kind": "article", "title": a.title, "category": a.category or ""}
        for a in hits.articles
    ] + [{"id": q.id, "kind": "question", "title": q.title, "category": ""} for q in hits.questions]
    if fmt == "table" and not rows:
        typer.echo("nothing found")
        return
    emit(rows, ["id", "kind", "title", "category"], fmt)


@kb_app.command("write")
def write(
    ctx: typer.Context,
    title: str = typer.Argument(...),
    body: str | None = typer.Option(None, "--body", help="The Markdown body."),
    file: Path | None = typer.Option(None, "--file", help="Read the body from a file."),
    category: str | None = typer.Option(None, "--category", "-c"),
    tags: str | None = typer.Option(None, "--tags", help="Comma-separated."),
) -> None:
    """Write an article (Markdown); without --body or --file, in $EDITOR."""
    from crm_tui.services import kb

    book = state(ctx).book
    if body is not None and file is not None:
        fail("give --body or --file, not both")
    if file is not None:
        try:
            body = file.expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"--file: cannot read {file}: {exc}")
    if not title.strip():
        fail("title: is required")
    if body is None:
        import click  # Typer's own base: its editor runs $VISUAL / $EDITOR as git does

        body = click.edit(f"# {title}\n\n", extension=".md") or ""
        if not body.strip() or body.strip() == f"# {title}":
            fail("the article is empty; nothing written")
    made = run_service(
        lambda: kb.write_article(book, title, body or "", category=category, tags=tags)
    )
    typer.echo(f"wrote article {made.title} {made.id}")


@kb_app.command("articles")
def list_articles(
    ctx: typer.Context,
    category: str | None = typer.Option(None, "--category", "-c"),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Articles by title (optionally of one category)."""
    from crm_tui.services import kb

    check_format(fmt, FORMATS)
    book = state(ctx).book
    rows = [
        {"id": a.id, "title": a.title, "category": a.category or "", "tags": a.tags or ""}
        for a in kb.articles(book, category)
    ]
    emit(rows, ["id", "title", "category", "tags"], fmt)


@kb_app.command("show")
def show(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """An article's Markdown, or a question with its answers (accepted first, by votes)."""
    from crm_tui.services import kb
    from crm_tui.services.records import NotFound

    book = state(ctx).book
    try:
        art = kb.find_article(book, ref)
    except NotFound:
        art = None
    if art is not None:
        typer.echo(f"{art.title}  [{art.category or 'no category'}]  {art.id}")
        if art.tags:
            typer.echo(f"tags: {art.tags}")
        typer.echo("")
        typer.echo(art.body or "")
        return
    found = run_service(lambda: kb.thread(book, ref))
    q = found.question
    typer.echo(f"Q: {q.title}  ({found.asker}, {_when(q.created_at)})  {q.id}")
    if q.body:
        typer.echo(q.body)
    if not found.answers:
        typer.echo("\nno answers yet: crm kb answer " + q.id[:13] + " 'TEXT'")
    for a in found.answers:
        mark = "✓ accepted" if a.accepted else ""
        typer.echo(f"\n-- {a.author}, {_when(a.at)}, {a.votes} vote(s) {mark}  {a.id}")
        typer.echo(a.body)


@kb_app.command("ask")
def ask(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="The question."),
    body: str = typer.Option("", "--body", help="Details."),
    tags: str | None = typer.Option(None, "--tags"),
) -> None:
    """Ask the team a question."""
    from crm_tui.services import kb

    book = state(ctx).book
    made = run_service(lambda: kb.ask(book, title, body, tags=tags))
    typer.echo(f"asked {made.id}")


@kb_app.command("questions")
def list_questions(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Questions, newest first, with whether one answer is accepted."""
    from crm_tui.services import kb

    check_format(fmt, FORMATS)
    book = state(ctx).book
    rows = [
        {
            "id": q.id,
            "question": q.title,
            "answered": "yes" if q.accepted_id else "",
            "asked": _when(q.created_at),
        }
        for q in kb.questions(book)
    ]
    emit(rows, ["id", "question", "answered", "asked"], fmt)


@kb_app.command("answer")
def answer(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="The question's id or id prefix."),
    text: str = typer.Argument(..., help="Your answer (Markdown)."),
) -> None:
    """Answer a question."""
    from crm_tui.services import kb

    book = state(ctx).book
    made = run_service(lambda: kb.answer(book, question, text))
    typer.echo(f"answered {made.id}")


@kb_app.command("accept")
def accept(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ANSWER")) -> None:
    """Accept an answer to your question."""
    from crm_tui.services import kb

    book = state(ctx).book
    q = run_service(lambda: kb.accept(book, ref))
    typer.echo(f"accepted an answer to: {q.title}")


@kb_app.command("vote")
def vote(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ANSWER"),
    off: bool = typer.Option(False, "--off", help="Take your vote back."),
) -> None:
    """Vote for a helpful answer (once)."""
    from crm_tui.services import kb

    book = state(ctx).book
    if off:
        done = run_service(lambda: kb.unvote(book, ref))
        typer.echo("vote taken back" if done else "you had not voted for it")
        return
    run_service(lambda: kb.vote(book, ref))
    typer.echo("voted")


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")
