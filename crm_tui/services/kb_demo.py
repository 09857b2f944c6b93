"""Provides demo data for knowledge Q&A and files (issue 17): articles in Chinese and
English, questions with teammates' answers (some accepted, some voted), a team library
with folders, and a few files on customers and claims. Called by services/demo.py after the
customers are written; a few dozen rows, so `crm demo` stays fast.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_tui.services import files, kb

if TYPE_CHECKING:
    from crm_tui.services.book import Book

_NS = uuid.UUID("6f1b1c6e-17a0-4c4e-9d55-0f2d0c0b0a17")
TEAMMATES = (("李娜", "rep"), ("王强", "rep"), ("陈经理", "manager"))

ARTICLES: tuple[tuple[str, str, str, str], ...] = (
    (
        "差旅报销流程",
        "财务",
        "报销,发票",
        "## 步骤\n\n1. 出差回来 **5 个工作日内**提交报销单。\n2. 发票抬头写公司全称，"
        "税号不能错。\n3. 拍照上传发票（`crm add expense --receipt 发票.jpg`）。\n"
        "4. 经理审批后，财务每周三付款。\n\n> 餐费超过每人 150 元需要说明招待对象。",
    ),
    (
        "报价折扣审批规则",
        "销售",
        "报价,折扣",
        "| 折扣 | 谁批准 |\n|---|---|\n| ≤ 5% | 销售自己 |\n| 5%–15% | 区域经理 |\n"
        "| > 15% | 销售总监 |\n\n报价单有效期默认 **30 天**，过期要重新报价。",
    ),
    (
        "合同签订注意事项",
        "销售",
        "合同,付款",
        "- 合同编号由系统分配（HT-年份-序号）。\n- 付款方式写清楚：预付款、到货款、"
        "质保金比例。\n- 盖章版扫描后挂在合同上（`crm attach 合同ID 扫描.pdf`）。",
    ),
    (
        "新客户拜访清单",
        "销售",
        "拜访",
        "拜访前：查客户档案、上次跟进记录、未结报价。\n\n带上：样品、产品手册、名片、"
        "报价单模板。\n\n拜访后当天写跟进和日报。",
    ),
    (
        "Pricing rules for export customers",
        "Sales",
        "export,pricing",
        "# Export pricing\n\nQuote in **USD** unless the customer asks otherwise.\n\n"
        "* FOB Shanghai by default\n* Payment: 30% deposit, 70% against B/L copy\n"
        "* Validity: 15 days (exchange rates move)",
    ),
    (
        "How to sync on the road",
        "Tools",
        "sync,offline",
        "Everything works offline. When you have a network, press **ctrl+p → Sync now** "
        "or run `crm sync`.\n\nFiles you *pin* (`p` in the files list) are kept on the "
        "laptop for offline use; others download the first time you open them.",
    ),
    (
        "Onboarding checklist",
        "Team",
        "onboarding",
        "1. Get your enrolment code from your manager.\n2. `crm login URL --user NAME`.\n"
        "3. Read the pricing and expense articles.\n4. Shadow a senior rep for two visits.",
    ),
)

QUESTIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...], int | None], ...] = (
    (
        "投标保证金怎么退?",
        "项目没中标，保证金多久能退回来？",
        (
            ("李娜", "找财务开退款申请，附上未中标通知，一般两周到账。"),
            ("王强", "先问招标代理要退款确认函。"),
        ),
        0,
    ),
    (
        "客户要求 90 天账期可以答应吗?",
        "",
        (("陈经理", "超过 60 天要我批准；A 级客户可以谈，但要加质保金条款。"),),
        0,
    ),
    (
        "Where are the product brochures?",
        "The customer wants the English brochure for the pumps.",
        (("王强", "In the team library: 产品资料 / brochures. Pin it before you travel."),),
        None,
    ),
    ("展会物料在哪领?", "下周的展会需要易拉宝和样品。", (), None),
)

LIBRARY = {
    "合同模板": (("销售合同模板.md", "# 销售合同\n\n甲方：\n乙方：\n付款方式：\n"),),
    "产品资料": (
        ("pump-brochure.txt", "IS80-65-160 centrifugal pump: 50 m3/h, 32 m head.\n"),
        ("价格表-2026.csv", "编号,名称,单价\nGP-50,无缝钢管,86.5\nMT-7,三相异步电机,3680\n"),
    ),
}


def _member(book: Book, name: str, role: str) -> str:
    users = book.db.repos.users
    found = users.member_id(name)
    if found:
        return found
    row_id = str(uuid.uuid5(_NS, name))
    with book.db.transaction() as s:
        users.apply_remote(s, row_id, {"fields": {"name": name, "role": role}}, version=0)
    return row_id


def _by(book: Book, entity: str, owner: str, fields: dict[str, Any], days_ago: int) -> str:
    """A row a teammate wrote, as a pull would bring it (the demo is never signed in)."""
    row_id = str(uuid.uuid5(_NS, f"{entity}:{owner}:{sorted(fields.items())}"))
    stamp = (book.clock.now() - timedelta(days=days_ago)).isoformat()
    data = {"fields": fields, "owner_id": owner, "created_at": stamp, "updated_at": stamp}
    with book.db.transaction() as s:
        book.db.repos.by_entity[entity].apply_remote(s, row_id, data, version=0)
    return row_id


def add_knowledge(book: Book) -> dict[str, int]:
    """Write the knowledge and files demo; returns counts."""
    team = {name: _member(book, name, role) for name, role in TEAMMATES}
    counts = dict.fromkeys(("articles", "questions", "answers", "files"), 0)
    for title, category, tags, body in ARTICLES:
        kb.write_article(book, title, body, category=category, tags=tags)
        counts["articles"] += 1
    for n, (title, body, answers, accepted) in enumerate(QUESTIONS):
        question = kb.ask(book, title, body)
        counts["questions"] += 1
        made = []
        for who, text in answers:
            made.append(
                _by(book, "kb_answer", team[who], {"question_id": question.id, "body": text}, n)
            )
            counts["answers"] += 1
        if made:
            kb.vote(book, made[0])
            _by(book, "kb_vote", team["陈经理"], {"answer_id": made[0]}, n)
        if accepted is not None and made:
            kb.accept(book, made[accepted])
    with tempfile.TemporaryDirectory(prefix="crm-demo-files-") as tmp:
        folder_dir = Path(tmp)
        for folder_name, entries in LIBRARY.items():
            folder = files.new_folder(book, folder_name)
            for name, text in entries:
                path = folder_dir / name
                path.write_text(text, encoding="utf-8")
                files.attach(book, None, None, path, folder_id=folder.id)
                counts["files"] += 1
        customers = book.db.repos.customers.page(limit=3)
        for customer in customers:
            scan = folder_dir / f"{customer.name}-名片.txt"
            scan.write_text(f"{customer.name}\n{customer.phone or ''}\n", encoding="utf-8")
            files.attach(book, "customer", customer.id, scan, note="名片扫描")
            counts["files"] += 1
    return counts
