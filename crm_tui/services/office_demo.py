"""Provides the office demo (issue 17): the past week's daily reports (submitted, figures
frozen, read and commented on by the manager, one reply), last week's weekly report,
today's draft, and a contact history (calls, visits, WeChat, e-mail…) over the last two
months, so the reports list, the reader and the contact statistics look alive.
Called by services/demo.py after the customers and follow-ups are written.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from crm_tui.domain import work_report_specs as office
from crm_tui.services import contact_log, work_reports

if TYPE_CHECKING:
    from crm_tui.services.book import Book

_NS = uuid.UUID("5d1f6a3e-7c1b-4f0e-9a51-17d0c0ffee17")
MANAGER = "王经理"
DONE = (
    "拜访{c}，介绍了新一代产品，对方有兴趣",
    "电话跟进{c}的报价，客户在比价",
    "和{c}的采购开会，确认了技术参数",
    "给{c}发了样品和资料，约了下周复访",
    "处理{c}的售后问题，已安排工程师",
)
PLAN = ("明天复访{c}", "整理{c}的报价单", "跟进{c}的合同条款", "约{c}的技术负责人见面")
PROBLEMS = ("", "", "{c}要求的账期太长，需要经理支持", "竞争对手报价低 15%")
COMMENTS = ("好，抓紧推进", "报价前先和我对一下价格", "账期可以谈到 60 天", "注意竞品动态")
SUMMARIES = {
    "call": ("询价", "确认交期", "催款", "回访使用情况"),
    "visit": ("现场看设备", "商务洽谈", "送样品"),
    "wechat": ("发了产品图片", "发了报价单", "确认开票信息"),
    "email": ("发送技术资料", "发送合同草稿"),
    "sms": ("提醒到货",),
    "meeting": ("年度合作会议", "技术交流会"),
}
CHANNELS = ("call",) * 5 + ("visit",) * 2 + ("wechat",) * 3 + ("email", "sms", "meeting")


def _member(book: Book, name: str, role: str) -> str:
    """A team member as the server would send one (the demo book is never signed in)."""
    users = book.db.repos.users
    found = users.member_id(name)
    if found:
        return found
    row_id = str(uuid.uuid5(_NS, name))
    with book.db.transaction() as s:
        users.apply_remote(s, row_id, {"fields": {"name": name, "role": role}}, version=0)
    return row_id


def _from(book: Book, entity: str, owner: str, fields: dict[str, Any], at: datetime) -> str:
    """A row written by a teammate (the manager), as a pull would bring it."""
    row_id = str(uuid.uuid5(_NS, f"{entity}:{json.dumps(fields, ensure_ascii=False)}"))
    repo = book.db.repos.by_entity[entity]
    stamp = at.isoformat()
    data = {"fields": fields, "owner_id": owner, "created_at": stamp, "updated_at": stamp}
    with book.db.transaction() as s:
        repo.apply_remote(s, row_id, data, version=0)
    return row_id


def _weekdays_before(today: date, n: int) -> list[date]:
    days, day = [], today - timedelta(days=1)
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def add_office(book: Book, *, seed: int = 17, contacts: int = 160) -> dict[str, int]:
    """Write the office demo; returns counts (reports, comments, contact logs)."""
    rng = random.Random(seed)
    clock = book.clock
    today = clock.today()
    boss = _member(book, MANAGER, "manager")
    names = [c.name for c in book.db.repos.customers.page(limit=40)] or ["客户"]
    ids = [c.id for c in book.db.repos.customers.page(limit=60)]
    made = {"reports": 0, "comments": 0, "contact_logs": 0}
    repo = work_reports.office_repos(book).reports
    with book.db.transaction():
        for n in range(contacts):
            channel = rng.choice(CHANNELS)
            at = clock.now() - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
            minutes = rng.choice((3, 5, 8, 12, 20, 30, 45, 60, 90)) if channel != "sms" else None
            contact_log.log(
                book,
                ids[n % len(ids)] if n < len(ids) else rng.choice(ids),
                channel=channel,
                minutes=minutes,
                summary=rng.choice(SUMMARIES[channel]),
                direction="in" if rng.random() < 0.2 else "out",
                at=at,
            )
            made["contact_logs"] += 1
        for i, day in enumerate(_weekdays_before(today, 5)):
            c = rng.choice(names)
            rec = work_reports.draft(
                book,
                "daily",
                day.isoformat(),
                done=rng.choice(DONE).format(c=c),
                plan=rng.choice(PLAN).format(c=c),
                problems=rng.choice(PROBLEMS).format(c=c),
            )
            evening = clock.at_local(day, time(18, rng.randint(0, 50)))
            p = office.period_of("daily", day)
            figures = json.dumps(work_reports.figures_for(book, book.user_id, p))
            repo.submit(rec.id, figures, evening)
            made["reports"] += 1
            if i % 2 == 0:  # the manager read it the next morning and said something
                read_at = evening + timedelta(hours=15)
                audience = book.user_id or ""
                _from(book, "report_read", boss, _read(rec.id, read_at, audience), read_at)
                note = rng.choice(COMMENTS)
                fields = {"report_id": rec.id, "body": note, "audience": audience}
                note_id = _from(book, "report_comment", boss, fields, read_at)
                made["comments"] += 1
                if i == 0:
                    work_reports.comment(book, rec.id, "收到，明天就办", reply_to=note_id)
                    made["comments"] += 1
        last_week = office.period_of("weekly", today - timedelta(days=7))
        weekly = work_reports.draft(
            book,
            "weekly",
            last_week.label,
            done="本周拜访 6 家客户，新增 2 个商机",
            plan="下周重点推进两个报价",
            problems="样品交付慢",
        )
        figures = json.dumps(work_reports.figures_for(book, book.user_id, last_week))
        repo.submit(weekly.id, figures, clock.at_local(last_week.end - timedelta(days=3), time(17)))
        work_reports.draft(book, "daily", done="上午拜访" + rng.choice(names))
        made["reports"] += 2
    return made


def _read(report_id: str, at: datetime, audience: str) -> dict[str, Any]:
    return {"report_id": report_id, "read_at": at.isoformat(), "audience": audience}
