"""Provides the demo data generator: a realistic, deterministic book of business.

Chinese and English companies and people, a year of follow-ups around today, a pipeline
across every stage, claims in every status and birthdays spread over the year so some fall
this week. Rows are written with executemany in one transaction (100k customers and 1M
follow-ups in ~36 s on 2 cores); demo rows are local seed data, so they are not queued
in the sync outbox.
"""

from __future__ import annotations

import random
import sqlite3
from bisect import bisect
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path

from crm_tui.domain import rules
from crm_tui.domain.dates import Clock
from crm_tui.storage import urgency_store
from crm_tui.storage.engine import connect
from crm_tui.storage.migrate import migrate
from crm_tui.storage.reports import rebuild_customer_last_done
from crm_tui.storage.search import index_text, pinyin_key, searchable_parts

CN_CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "苏州",
    "西安",
    "重庆",
    "天津",
    "长沙",
    "青岛",
    "厦门",
]
EN_CITIES = ["London", "Singapore", "New York", "Sydney", "Hamburg", "Dubai", "Toronto"]
CN_BRANDS = [
    "华信",
    "金桥",
    "宏达",
    "恒通",
    "瑞丰",
    "新科",
    "中天",
    "博远",
    "鼎盛",
    "海川",
    "嘉禾",
    "远航",
    "天成",
    "同创",
    "汇丰",
    "明德",
    "启航",
    "东方",
    "长城",
    "星辰",
    "云帆",
    "正泰",
    "万达",
    "凯旋",
    "永安",
    "卓越",
    "华夏",
    "盛世",
    "华宇",
    "金鼎",
]
CN_INDUSTRIES = [
    ("科技", "software"),
    ("贸易", "trading"),
    ("机械", "machinery"),
    ("钢管", "steel"),
    ("电子", "electronics"),
    ("物流", "logistics"),
    ("化工", "chemicals"),
    ("建材", "construction"),
    ("医疗器械", "medical"),
    ("食品", "food"),
    ("汽车配件", "automotive"),
    ("环保", "environmental"),
]
CN_SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司"]
EN_BRANDS = [
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Oceanic",
    "Aperture",
]
EN_INDUSTRIES = [
    ("Steel Pipe", "steel"),
    ("Software", "software"),
    ("Logistics", "logistics"),
    ("Medical", "medical"),
    ("Foods", "food"),
    ("Electronics", "electronics"),
]
EN_SUFFIXES = ["Ltd", "Inc", "GmbH", "Pte Ltd", "LLC"]
SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
    "欧阳",
    "司马",
]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "建国",
    "志强",
    "晓东",
    "海燕",
    "丹",
    "鹏",
    "婷",
]
EN_FIRST = [
    "James",
    "Mary",
    "Robert",
    "Linda",
    "Michael",
    "Sarah",
    "David",
    "Emma",
    "Oliver",
    "Sophie",
    "Lucas",
    "Mia",
    "Noah",
    "Chloe",
]
EN_LAST = ["Smith", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Green", "Hall"]
TITLES = [
    "总经理",
    "采购经理",
    "技术总监",
    "财务",
    "销售总监",
    "Purchasing Manager",
    "CTO",
    "Office Manager",
    "工程师",
    "老板",
]
STREETS = ["建国路", "人民路", "中山路", "解放路", "长安街", "南京路", "科技园路", "滨江大道"]
DISTRICTS = ["朝阳区", "海淀区", "浦东新区", "天河区", "南山区", "西湖区", "高新区", "江北区"]
SOURCES = ["referral", "exhibition", "website", "cold call", "partner", "advert"]
TAGS = ["vip", "key-account", "cold", "reseller", "gov", "export", "new"]
SUBJECTS = {
    "call": ["电话回访", "确认报价", "Follow up on quote", "催款", "Check delivery"],
    "visit": ["上门拜访", "现场演示", "Site visit", "工厂参观"],
    "meeting": ["商务谈判", "Product demo", "季度回顾", "Contract review"],
    "email": ["发送报价单", "Send brochure", "发送合同", "Send proposal"],
    "sms": ["节日问候", "Meeting reminder"],
    "task": ["准备投标文件", "Prepare quote", "整理样品", "Update price list"],
}
OUTCOMES = [
    "客户有兴趣，下周再联系",
    "需要更详细的报价",
    "Interested, wants a demo",
    "No answer, try again",
    "已下单",
    "Decision next month",
    "预算不足",
]
PRODUCTS = [
    ("无缝钢管", "DN50"),
    ("不锈钢阀门", "V-200"),
    ("PLC 控制柜", "S7-1200"),
    ("CRM license", "Pro"),
    ("Industrial pump", "P-45"),
    ("传感器", "TX-9"),
]
COMPETITORS = [
    ("宏远集团", "价格低", "交期长"),
    ("Globex Corp", "Brand", "Slow support"),
    ("恒达实业", "本地关系好", "质量不稳定"),
    ("Initrode", "Cheap", "Few features"),
    ("中联重工", "产品线全", "服务响应慢"),
    ("Massive Dynamic", "Global", "Expensive"),
]
ANNOUNCEMENTS = [
    ("Q4 冲刺：年底前签单奖金翻倍", "所有在 12 月 31 日前签订的合同，提成比例上调至 2 倍。"),
    (
        "New price list from December",
        "The 2027 price list applies to all quotes sent after "
        "1 December. Old quotes stay valid for 30 days.",
    ),
    ("报销新规", "出差住宿标准调整为一线城市每晚 600 元，其他城市 450 元。请附发票。"),
    ("Trade fair: Canton Fair booth 12.1", "Sign up with your manager if you want a slot."),
    ("系统升级通知", "本周五晚 22:00 服务器维护，期间同步暂停，本地使用不受影响。"),
]
ACTIVITY_KINDS = [
    ("call", 40),
    ("visit", 20),
    ("meeting", 10),
    ("email", 15),
    ("sms", 5),
    ("task", 10),
]
STAGE_WEIGHTS = [
    ("lead", 25),
    ("qualified", 20),
    ("proposal", 15),
    ("negotiation", 10),
    ("won", 18),
    ("lost", 12),
]
EXPENSE_STATUS_WEIGHTS = [
    ("draft", 20),
    ("submitted", 20),
    ("approved", 25),
    ("rejected", 10),
    ("reimbursed", 25),
]


class _FastRandom(random.Random):
    """random.Random with cheaper integer draws (the stdlib's exact ones cost 5x more)."""

    def randint(self, a: int, b: int) -> int:  # type: ignore[override]
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq):  # type: ignore[no-untyped-def,override]
        return seq[int(self.random() * len(seq))]


def _ts(moment: datetime) -> str:
    """SQLAlchemy's SQLite datetime text (naive UTC), so ORM and raw reads agree."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(" ", "microseconds")


@cache
def _pinyin(part: str) -> str:
    return pinyin_key(part)


def _key(*parts: str) -> str:
    return " ".join(_pinyin(p) for p in parts if p).strip()


@dataclass
class DemoSummary:
    customers: int
    contacts: int
    activities: int
    opportunities: int
    expenses: int
    seconds: float


class _Gen:
    def __init__(self, seed: int, clock: Clock) -> None:
        self.rng = _FastRandom(seed)
        self.seed = seed
        self.clock = clock
        self.followups = 10
        self.now = clock.now().replace(tzinfo=None)  # naive UTC: cheap to format
        self.today = clock.today()
        self._id_time = int(clock.now().timestamp() * 1000) - 400 * 86_400_000
        self._weights: dict[tuple, tuple[list[str], list[float]]] = {}
        # Today's local midnight as naive UTC; demo times ignore a DST change in the year.
        self.local_midnight = clock.day_start_utc(self.today).replace(tzinfo=None)

    def uid(self) -> str:
        # Deterministic UUIDv7-shaped ids: time-ordered, reproducible for a seed.
        self._id_time += 1
        rand = self.rng.getrandbits(74)
        value = (
            (self._id_time << 80)
            | (0x7 << 76)
            | ((rand >> 62) << 64)
            | (0b10 << 62)
            | (rand & _MASK62)
        )
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def pick(self, items: list) -> object:
        return items[int(self.rng.random() * len(items))]

    def weighted(self, pairs: list[tuple[str, int]]) -> str:
        key = tuple(pairs)
        table = self._weights.get(key)
        if table is None:
            table = self._weights[key] = (
                [p[0] for p in pairs],
                list(accumulate(p[1] for p in pairs)),
            )
        names, cumulative = table
        return names[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def moment(self, days: float) -> datetime:
        """A working-hours local moment `days` from now, as naive UTC (the hot path)."""
        minutes = 540 + int(self.rng.random() * 36) * 15
        return self.local_midnight + timedelta(days=int(days), minutes=minutes)

    def phone(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"

    def birthday(self, force_soon: bool) -> str:
        if force_soon:
            day = self.today + timedelta(days=self.rng.randint(0, 6))
        else:
            day = self.today + timedelta(days=self.rng.randint(0, 364))
        year = self.rng.randint(1960, 1998)
        try:
            return day.replace(year=year).isoformat()
        except ValueError:  # 29 February in a non-leap year
            return date(year, 2, 28).isoformat()

    def person_name(self) -> tuple[str, str]:
        if self.rng.random() < 0.8:
            surname, given = self.pick(SURNAMES), self.pick(GIVEN)
            return f"{surname}{given}", _key(surname + given)
        first, last = self.pick(EN_FIRST), self.pick(EN_LAST)
        return f"{first} {last}", f"{first} {last}".lower()

    def company(self) -> tuple[str, str, str, str]:
        """(name, sort key, city, industry)."""
        if self.rng.random() < 0.8:
            city, brand = self.pick(CN_CITIES), self.pick(CN_BRANDS)
            word, industry = self.pick(CN_INDUSTRIES)
            suffix = self.pick(CN_SUFFIXES)
            return f"{city}{brand}{word}{suffix}", _key(city, brand, word, suffix), city, industry
        brand = self.pick(EN_BRANDS)
        word, industry = self.pick(EN_INDUSTRIES)
        suffix = self.pick(EN_SUFFIXES)
        name = f"{brand} {word} {suffix}"
        return name, name.lower(), self.pick(EN_CITIES), industry


_MASK62 = (1 << 62) - 1
_SYNC = "id, owner_id, created_at, updated_at, deleted, field_hlc, server_version, extra"


def _insert(conn: sqlite3.Connection, table: str, columns: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" * (8 + columns.count(",") + 1))
        conn.executemany(f"INSERT INTO {table} ({_SYNC}, {columns}) VALUES ({marks})", rows)


def generate(
    path: Path | str,
    *,
    customers: int = 2000,
    seed: int = 7,
    clock: Clock | None = None,
    progress: Callable[[str], None] | None = None,
    followups: int = 10,
) -> DemoSummary:
    """Write a fresh demo database at `path` (an existing file is replaced).

    `followups` per customer (10 by default); the benchmarks lower it to reach a million
    customers without ten million follow-ups.
    """
    import time as _time

    started = _time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    clock = clock or Clock()
    g = _Gen(seed, clock)
    g.followups = followups
    conn = connect(path)
    migrate(conn)
    conn.execute("PRAGMA foreign_keys = OFF")  # rows arrive parents-first; skip the checks
    # A fresh file that is thrown away on failure: no journal and a big cache for speed.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    counts = {"contacts": 0, "activities": 0, "opportunities": 0, "expenses": 0}
    conn.execute("BEGIN")
    try:
        _reference_data(conn, g)
        competitor_ids = [r[0] for r in conn.execute("SELECT id FROM competitor")]
        _slots(conn, g)
        # Building an index once over sorted data beats growing it row by row, and derived
        # tables kept by triggers are cheaper to fill once at the end than row by row.
        derived = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL AND tbl_name IN ('activity', 'expense', 'opportunity_line')"
        ).fetchall()
        for kind, name, _sql in derived:
            conn.execute(f"DROP {kind.upper()} {name}")
        batch = 5000
        jobs = [
            (seed, clock, start, min(batch, customers - start), competitor_ids)
            for start in range(0, customers, batch)
        ]
        # Python builds the next batches in a second process while this one writes.
        pool = ProcessPoolExecutor(1) if len(jobs) > 1 else None
        try:
            built = pool.map(_build_job, jobs) if pool else map(_build_job, jobs)
            for (_seed, _clock, start, n, _ids), rows in zip(jobs, built, strict=True):
                for key, value in _write_batch(conn, g, rows).items():
                    counts[key] += value
                if progress:
                    progress(f"{start + n}/{customers} customers")
        finally:
            if pool:
                pool.shutdown(cancel_futures=True)
        for _kind, _name, sql in derived:
            conn.execute(sql)
        rebuild_customer_last_done(conn)
        urgency_store.refresh(conn, clock)  # scores and their triggers, once, at the end
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA analysis_limit = 1000")  # sampled statistics: enough for the planner
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "INSERT OR REPLACE INTO sync_state(key, value) VALUES ('demo', ?)",
        (demo_stamp(customers, seed, clock),),
    )
    conn.close()
    return DemoSummary(
        customers,
        counts["contacts"],
        counts["activities"],
        counts["opportunities"],
        counts["expenses"],
        _time.perf_counter() - started,
    )


def demo_stamp(customers: int, seed: int, clock: Clock) -> str:
    """What a demo file was made from; the same stamp means it can be reused as it is."""
    return f"{customers}:{seed}:{clock.today().isoformat()}"


def existing_stamp(path: Path | str) -> str | None:
    if not Path(path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM sync_state WHERE key = 'demo'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _sync_cols(g: _Gen, created: datetime) -> tuple:
    stamp = _ts(created)
    return (g.uid(), None, stamp, stamp, 0, "{}", 0, "{}")


def _reference_data(conn: sqlite3.Connection, g: _Gen) -> None:
    created = g.now - timedelta(days=400)
    _insert(
        conn,
        "competitor",
        "name, strengths, weaknesses, notes",
        [_sync_cols(g, created) + (n, s, w, None) for n, s, w in COMPETITORS],
    )
    _insert(
        conn,
        "lost_reason",
        "name",
        [_sync_cols(g, created) + (r,) for r in rules.DEFAULT_LOST_REASONS],
    )
    rows = []
    for i, (title, body) in enumerate(ANNOUNCEMENTS):
        published = g.now - timedelta(days=2 * i + 1, hours=i)
        rows.append(_sync_cols(g, published) + (title, body, _ts(published)))
    _insert(conn, "announcement", "title, body, published_at", rows)


@dataclass
class _Batch:
    customers: list[tuple]
    contacts: list[tuple]
    opportunities: list[tuple]
    lines: list[tuple]
    expenses: list[tuple]
    docs: list[tuple[str, str, str]]


def _build_job(job: tuple) -> _Batch:
    """Build one batch in a worker process: its own generator, seeded from the seed and
    the batch's first customer, so the data does not depend on how batches are scheduled."""
    seed, clock, start, n, competitor_ids = job
    g = _Gen(seed * 1_000_003 + start, clock)
    g._id_time += start * 20  # ids stay time-ordered across batches
    return _build_batch(g, start, n, competitor_ids)


def _build_batch(g: _Gen, start: int, n: int, competitor_ids: list[str]) -> _Batch:
    rng = g.rng
    customers, contacts, opportunities, lines, expenses = [], [], [], [], []
    docs: list[tuple[str, str, str]] = []
    for i in range(start, start + n):
        created = g.now - timedelta(days=rng.uniform(0, 365) ** 1.3 / 365**0.3)
        cid = g.uid()
        person = rng.random() < 0.15
        if person:
            name, key = g.person_name()
            city = g.pick(CN_CITIES)
            industry = None
        else:
            name, key, city, industry = g.company()
        status = g.weighted([("potential", 30), ("contacted", 40), ("closed", 20), ("lost", 10)])
        grade = g.weighted([("A", 15), ("B", 35), ("C", 50)])
        tags = ",".join(sorted(rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2]))))
        phone = g.phone()
        email = f"info{i}@example.com" if not person else f"user{i}@example.com"
        address = f"{city}市{g.pick(DISTRICTS)}{g.pick(STREETS)}{rng.randint(1, 999)}号"
        notes = rng.choice([None, None, "年底有采购计划", "Prefers WeChat", "老客户介绍"])
        birthday = g.birthday(i < 3) if person else None
        record = {
            "name": name,
            "phone": phone,
            "email": email,
            "city": city,
            "address": address,
            "industry": industry,
            "website": None,
            "notes": notes,
            "tags": tags,
        }
        customers.append(
            (
                cid,
                None,
                _ts(created),
                _ts(created),
                0,
                "{}",
                0,
                "{}",
                name,
                "person" if person else "company",
                status,
                grade,
                industry,
                g.pick(SOURCES),
                phone,
                email,
                address,
                city,
                None,
                tags or None,
                notes,
                birthday,
                key,
            )
        )
        docs.append(("customer", cid, index_text(searchable_parts("customer", record))))
        contact_ids = []
        for j in range(0 if person else rng.choice([1, 2, 2, 3])):
            kid = g.uid()
            cname, ckey = g.person_name()
            soon = i < 8 and j == 0
            bday = g.birthday(soon) if (soon or rng.random() < 0.6) else None
            cphone = g.phone()
            contacts.append(
                (
                    kid,
                    None,
                    _ts(created),
                    _ts(created),
                    0,
                    "{}",
                    0,
                    "{}",
                    cid,
                    cname,
                    g.pick(TITLES),
                    None,
                    cphone,
                    f"c{i}_{j}@example.com",
                    bday,
                    None,
                    ckey,
                )
            )
            docs.append(
                ("contact", kid, index_text([cname, cphone, f"c{i}_{j}@example.com", name]))
            )
            contact_ids.append(kid)
        # Opportunities: about one in two customers has a deal.
        opp_ids = []
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            oid = g.uid()
            stage = g.weighted(STAGE_WEIGHTS)
            amount = rng.randrange(5_000, 2_000_000) // 100 * 100 * 100
            close = g.today + timedelta(days=rng.randint(-60, 120))
            closed_on = lost = None
            if stage in ("won", "lost"):
                close = g.today - timedelta(days=rng.randint(0, 300))
                closed_on = close.isoformat()
                lost = g.pick(list(rules.DEFAULT_LOST_REASONS)) if stage == "lost" else None
            ocreated = min(created, g.now - timedelta(days=rng.randint(20, 200)))
            opportunities.append(
                (
                    oid,
                    None,
                    _ts(ocreated),
                    _ts(ocreated),
                    0,
                    "{}",
                    0,
                    "{}",
                    cid,
                    f"{g.pick(PRODUCTS)[0]} {rng.randint(2, 500)} units",
                    stage,
                    amount,
                    "CNY",
                    rules.STAGE_PROBABILITY[rules.Stage(stage)],
                    close.isoformat(),
                    rng.choice([None, "发送报价", "Demo next week", "等待预算审批"]),
                    closed_on,
                    lost,
                    rng.choice(competitor_ids) if rng.random() < 0.3 else None,
                    None,
                    _ts(ocreated),
                )
            )
            for _ in range(rng.randint(1, 3)):
                product, model = g.pick(PRODUCTS)
                lines.append(
                    (
                        g.uid(),
                        None,
                        _ts(ocreated),
                        _ts(ocreated),
                        0,
                        "{}",
                        0,
                        "{}",
                        oid,
                        product,
                        model,
                        rng.randrange(100, 50_000) * 100,
                        "CNY",
                        rng.randint(1, 200),
                    )
                )
            opp_ids.append(oid)
        if rng.random() < 0.3:
            status = g.weighted(EXPENSE_STATUS_WEIGHTS)
            spent = g.today - timedelta(days=rng.randint(0, 120))
            submitted = _ts(g.clock.at_local(spent, time(18))) if status != "draft" else None
            decided = (
                _ts(g.clock.at_local(spent + timedelta(days=3), time(10)))
                if status in ("approved", "rejected", "reimbursed")
                else None
            )
            expenses.append(
                (
                    g.uid(),
                    None,
                    _ts(created),
                    _ts(created),
                    0,
                    "{}",
                    0,
                    "{}",
                    spent.isoformat(),
                    g.pick(list(rules.EXPENSE_CATEGORIES)),
                    rng.randrange(20, 3000) * 100,
                    "CNY",
                    cid,
                    opp_ids[0] if opp_ids else None,
                    rng.choice(["客户招待", "高铁票", "Taxi", "酒店住宿", "Samples"]),
                    None,
                    status,
                    None,
                    "超出标准" if status == "rejected" else None,
                    submitted,
                    decided,
                )
            )
    return _Batch(customers, contacts, opportunities, lines, expenses, docs)


def _write_batch(conn: sqlite3.Connection, g: _Gen, b: _Batch) -> dict[str, int]:
    customers, contacts, opportunities = b.customers, b.contacts, b.opportunities
    lines, expenses, docs = b.lines, b.expenses, b.docs
    _insert(
        conn,
        "customer",
        "name, kind, status, grade, industry, source, phone, email, "
        "address, city, website, tags, notes, birthday, sort_key",
        customers,
    )
    _insert(
        conn,
        "contact",
        "customer_id, name, title, phone, mobile, email, birthday, notes, sort_key",
        contacts,
    )
    _insert(
        conn,
        "opportunity",
        "customer_id, title, stage, amount, currency, probability, "
        "expected_close, next_step, closed_on, lost_reason, competitor_id, lost_note, "
        "stage_changed_at",
        opportunities,
    )
    _insert(
        conn,
        "opportunity_line",
        "opportunity_id, product, model, unit_price, currency, quantity",
        lines,
    )
    activity_count = (
        _activities(conn, g, customers[0][0], customers[-1][0])
        if customers and g.followups > 0
        else 0
    )
    _insert(
        conn,
        "expense",
        "spent_on, category, amount, currency, customer_id, "
        "opportunity_id, description, receipt, status, approver_id, decision_note, "
        "submitted_at, decided_at",
        expenses,
    )
    _index_docs(conn, docs)
    return {
        "contacts": len(contacts),
        "activities": activity_count,
        "opportunities": len(opportunities),
        "expenses": len(expenses),
    }


# Ten follow-ups per customer (g.followups) over the past year and the next month, made in
# SQLite: a million rows is too many to build as Python tuples quickly. The "random" numbers are a
# Park-Miller sequence seeded from (customer rowid, n, seed), so the data is reproducible.
_ACTIVITY_SQL = """
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < :last),
h AS (
    SELECT c.id AS cid, c.rowid AS r, n.k AS k,
           ((c.rowid * 7919 + n.k * 104729 + :seed * 613) * 48271) % 2147483647 AS h1
    FROM customer c, n WHERE c.rowid BETWEEN :lo AND :hi
),
h2 AS (SELECT *, (h1 * 48271) % 2147483647 AS h2 FROM h),
h3 AS (SELECT *, (h2 * 48271) % 2147483647 AS h3 FROM h2),
h4 AS (SELECT *, (h3 * 48271) % 2147483647 AS h4 FROM h3),
f AS (
    SELECT cid, r, k, h1, h2, h3, h4,
           h1 % 395 - 365 AS offset,
           h2 % 100 < 20 AS all_day,
           CASE WHEN h4 % 100 < 40 THEN 'call' WHEN h4 % 100 < 60 THEN 'visit'
                WHEN h4 % 100 < 70 THEN 'meeting' WHEN h4 % 100 < 85 THEN 'email'
                WHEN h4 % 100 < 90 THEN 'sms' ELSE 'task' END AS kind
    FROM h4
),
d AS (
    SELECT f.*, s.due, s.remind,
           CASE h2 % 3 WHEN 0 THEN s.done1 WHEN 1 THEN s.done2 ELSE s.done3 END AS done_text,
           (offset < -14 AND h3 % 1000 < 995) OR (offset < 0 AND h3 % 100 < 90) AS done
    FROM f JOIN temp.demo_slot s
      ON s.slot = (offset + 365) * 37 + CASE WHEN all_day THEN 36 ELSE h2 / 100 % 36 END
)
INSERT INTO activity (id, owner_id, created_at, updated_at, deleted, field_hlc, server_version,
                      extra, customer_id, contact_id, opportunity_id, kind, subject, notes,
                      due_at, all_day, remind_at, done_at, outcome)
SELECT printf('%08x-%04x-7%03x-%x%03x-%012x', (:t0 + r * 10 + k) >> 16,
              (:t0 + r * 10 + k) & 65535, h1 % 4096, 8 + h2 % 4, h3 % 4096,
              (h4 * 65536 + h1 % 65536) % 281474976710656),
       NULL, due, due, 0, '{}', 0, '{}', cid,
       CASE WHEN h4 / 100 % 10 < 7 THEN
           (SELECT id FROM contact WHERE customer_id = cid AND rowid <= h3 % 3 +
               (SELECT min(rowid) FROM contact WHERE customer_id = cid)
            ORDER BY rowid DESC LIMIT 1) END,
       CASE WHEN h2 / 1000 % 10 < 3 THEN
           (SELECT id FROM opportunity WHERE customer_id = cid ORDER BY rowid LIMIT 1) END,
       kind,
       {subject},
       NULL, due, all_day, remind, CASE WHEN done THEN done_text END,
       CASE WHEN done THEN {outcome} END
FROM d
"""


def _sql_pick(key: str, options: list[str]) -> str:
    """A CASE that picks one of `options` by `key` (JSON functions per row are much slower)."""
    quoted = [o.replace("'", "''") for o in options]
    arms = " ".join(f"WHEN {i} THEN '{o}'" for i, o in enumerate(quoted))
    return f"CASE {key} % {len(options)} {arms} END"


def _activity_sql() -> str:
    subject = (
        "CASE kind "
        + " ".join(
            f"WHEN '{kind}' THEN {_sql_pick('h1 / 1000', subjects)}"
            for kind, subjects in SUBJECTS.items()
        )
        + " END"
    )
    return _ACTIVITY_SQL.replace("{subject}", subject).replace(
        "{outcome}", _sql_pick("h4 / 1000", OUTCOMES)
    )


def _slots(conn: sqlite3.Connection, g: _Gen) -> None:
    """Due, remind and done times for every (day offset, quarter hour): formatting dates in
    SQL per row costs more than the rest of the insert, so they are looked up instead."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS demo_slot (slot INTEGER PRIMARY KEY, "
        "due TEXT, remind TEXT, done1 TEXT, done2 TEXT, done3 TEXT)"
    )
    conn.execute("DELETE FROM temp.demo_slot")
    rows = []
    for offset in range(-365, 31):
        day = g.local_midnight + timedelta(days=offset)
        for m in range(37):
            due = day if m == 36 else day + timedelta(minutes=540 + m * 15)
            remind = due + timedelta(hours=9) if m == 36 else due
            rows.append(
                (
                    (offset + 365) * 37 + m,
                    _ts(due),
                    _ts(remind),
                    *(_ts(due + timedelta(minutes=d)) for d in (25, 140, 410)),
                )
            )
    conn.executemany("INSERT INTO temp.demo_slot VALUES (?, ?, ?, ?, ?, ?)", rows)


def _activities(conn: sqlite3.Connection, g: _Gen, first_id: str, last_id: str) -> int:
    lo, hi = conn.execute(
        "SELECT min(rowid), max(rowid) FROM customer WHERE id IN (?, ?)", (first_id, last_id)
    ).fetchone()
    conn.execute(
        _activity_sql(),
        {
            "seed": g.seed,
            "last": g.followups - 1,
            "lo": lo,
            "hi": hi,
            "t0": int(g.clock.now().timestamp() * 1000) - 300 * 86_400_000,
        },
    )
    return conn.execute("SELECT changes()").fetchone()[0]


def _index_docs(conn: sqlite3.Connection, docs: list[tuple[str, str, str]]) -> None:
    first = conn.execute("SELECT coalesce(max(docid), 0) FROM search_doc").fetchone()[0] + 1
    conn.executemany(
        "INSERT INTO search_doc(docid, entity, row_id) VALUES (?, ?, ?)",
        ((first + k, e, r) for k, (e, r, _b) in enumerate(docs)),
    )
    conn.executemany(
        "INSERT INTO search_fts(rowid, body) VALUES (?, ?)",
        ((first + k, b) for k, (_e, _r, b) in enumerate(docs)),
    )


def iter_summary(summary: DemoSummary) -> Iterator[str]:
    yield (
        f"{summary.customers:,} customers, {summary.contacts:,} contacts, "
        f"{summary.activities:,} follow-ups, {summary.opportunities:,} opportunities, "
        f"{summary.expenses:,} expenses in {summary.seconds:.1f} s"
    )
