"""`crm demo` has knowledge articles (Chinese and English), questions with answers, a team
library with folders and files whose content opens, as local seed data."""

from __future__ import annotations

import json


def test_the_demo_has_knowledge_and_files(crm, db_path) -> None:
    result = crm("demo", "--customers", "20", "--no-open")
    assert result.exit_code == 0, result.stderr
    assert "articles" in result.stdout and "files" in result.stdout
    hits = json.loads(crm("kb", "search", "报销", "-f", "json").stdout)
    assert "差旅报销流程" in [h["title"] for h in hits]
    english = json.loads(crm("kb", "search", "pricing", "-f", "json").stdout)
    assert english and english[0]["kind"] == "article"
    questions = json.loads(crm("kb", "questions", "-f", "json").stdout)
    assert len(questions) >= 3 and any(q["answered"] == "yes" for q in questions)
    library = json.loads(crm("files", "-f", "json").stdout)
    assert {"合同模板/", "产品资料/"} <= {row["name"] for row in library}
    inside = json.loads(crm("files", "--folder", "产品资料", "-f", "json").stdout)
    assert inside and all(row["here"] == "yes" for row in inside)
    path = crm("open", inside[0]["id"], "--path").stdout.strip()
    assert open(path, "rb").read()  # noqa: PTH123 - the content is on this laptop
    assert crm("show", questions[0]["id"]).exit_code == 0
