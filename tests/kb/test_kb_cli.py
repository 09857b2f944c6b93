"""`crm kb`: write (from --body, --file and $EDITOR), search with 2-character Chinese
words, ask / answer / accept / vote, show; bad input is one `error:` line, exit 1."""

from __future__ import annotations

import json
import re


def _id(text: str) -> str:
    found = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f-]{22,}", text)
    assert found, text
    return found.group(0)


def test_write_search_and_show_an_article(crm, tmp_path, monkeypatch) -> None:
    made = crm("kb", "write", "差旅报销流程", "--body", "先拍**发票**，再提交。", "-c", "财务")
    assert made.exit_code == 0, made.stderr
    art = _id(made.stdout)
    body = tmp_path / "faq.md"
    body.write_text("# Pricing\nDiscounts over 15% need a manager.", encoding="utf-8")
    assert crm("kb", "write", "Pricing FAQ", "--file", str(body)).exit_code == 0
    # $EDITOR: a script that writes the body, as a rep's editor would.
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "# 拜访\\n带上样品和报价单" > "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    assert crm("kb", "write", "客户拜访清单").exit_code == 0

    hits = json.loads(crm("kb", "search", "报销", "-f", "json").stdout)
    assert [(h["kind"], h["title"]) for h in hits] == [("article", "差旅报销流程")]
    assert (
        json.loads(crm("kb", "search", "报价", "-f", "json").stdout)[0]["title"] == "客户拜访清单"
    )
    assert crm("kb", "search", "合同").stdout.strip() == "nothing found"
    shown = crm("kb", "show", art[:13])
    assert "先拍**发票**" in shown.stdout and "财务" in shown.stdout
    assert crm("show", art).exit_code == 0  # every printed id resolves
    listed = json.loads(crm("kb", "articles", "-c", "财务", "-f", "json").stdout)
    assert [r["title"] for r in listed] == ["差旅报销流程"]


def test_ask_answer_accept_and_vote(crm) -> None:
    asked = crm("kb", "ask", "投标保证金怎么退?", "--body", "项目没中标")
    assert asked.exit_code == 0, asked.stderr
    q = _id(asked.stdout)
    first = _id(crm("kb", "answer", q[:13], "找财务开退款申请").stdout)
    assert crm("kb", "accept", first).exit_code == 0
    # One's own answer gets no vote.
    own = crm("kb", "vote", first)
    assert own.exit_code == 1 and own.stderr.startswith("error: answer_id: you cannot vote")
    shown = crm("kb", "show", q).stdout
    assert "Q: 投标保证金怎么退?" in shown and "✓ accepted" in shown and "找财务开退款申请" in shown
    rows = json.loads(crm("kb", "questions", "-f", "json").stdout)
    assert rows[0]["answered"] == "yes"
    assert json.loads(crm("kb", "search", "退款", "-f", "json").stdout)[0]["kind"] == "question"


def test_bad_input(crm, tmp_path) -> None:
    empty = crm("kb", "write", "")
    assert empty.exit_code == 1 and empty.stderr.startswith("error:")
    both = crm("kb", "write", "x", "--body", "a", "--file", str(tmp_path / "a"))
    assert both.exit_code == 1 and "not both" in both.stderr
    missing = crm("kb", "write", "x", "--file", str(tmp_path / "none.md"))
    assert missing.exit_code == 1 and "cannot read" in missing.stderr
    assert crm("kb", "answer", "nope-nope", "hi").exit_code == 1
    assert crm("kb", "show", "nope-nope").exit_code == 1
    assert crm("kb", "search", "x", "-f", "xml").exit_code == 1
    assert crm("kb", "articles", "-f", "json").stdout.strip() == "[]"
