"""Provides the pool's plain-sqlite3 reads (issue 18): the team's pool rules and what the
rules need of each customer a rep owns, for the desk's "Going to the pool" panel and
`crm remind` — read-only, no ORM, so they run before SQLAlchemy loads.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from crm_tui.domain.pool_rules import RULE_FIELDS, PoolRules, Standing

_OPEN = ("lead", "qualified", "proposal", "negotiation")


def _when(stored: str | None) -> datetime | None:
    if not stored:
        return None
    moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def user_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'user_id'").fetchone()
    return row[0] if row and row[0] else None


def rules(conn: sqlite3.Connection) -> PoolRules:
    cols = ", ".join(("grade", *RULE_FIELDS))
    # Ordered by id as the server reads them: of two rows for one grade the newest id wins.
    rows = conn.execute(f"SELECT {cols} FROM pool_rule WHERE deleted = 0 ORDER BY id").fetchall()
    return PoolRules.from_rows(dict(zip(("grade", *RULE_FIELDS), row, strict=True)) for row in rows)


def _stamp(moment: datetime) -> str:
    """The stored form of a UTC moment (naive 'YYYY-MM-DD HH:MM:SS.ffffff'), to compare."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def prefilter(team: PoolRules, now: datetime) -> tuple[str, list[Any]] | None:
    """SQL that leaves out the customers no rule can have near the pool at `now` (owned or
    followed up too recently), so Python decides only the rest; None when every clock is off.
    A grade whose deal clock is on keeps its customers whatever their last follow-up."""
    default = team.for_grade(None)
    rules = {**team.by_grade, "*": default}
    spans = [d - r.warn_days for r in rules.values() for d in (r.followup_days, r.deal_days) if d]
    if not spans:
        return None
    sql = " AND coalesce(c.claimed_at, c.created_at) <= ?"
    params: list[Any] = [_stamp(now - timedelta(days=min(spans)))]
    follow = [r.followup_days - r.warn_days for r in rules.values() if r.followup_days]
    if not follow:
        return sql, params
    done = "(l.last_done_at IS NULL OR l.last_done_at <= ?"
    params.append(_stamp(now - timedelta(days=min(follow))))
    named = [g for g in team.by_grade if g != "*"]
    if default.deal_days:  # every grade without a row of its own has the deal clock on
        quiet = [g for g in named if not team.by_grade[g].deal_days]
        done += f" OR coalesce(c.grade, '') NOT IN ({','.join('?' * len(quiet))})"
        params += quiet
    else:
        dealing = [g for g in named if team.by_grade[g].deal_days]
        if dealing:
            done += f" OR c.grade IN ({','.join('?' * len(dealing))})"
            params += dealing
    return sql + " AND " + done + ")", params


def standings(
    conn: sqlite3.Connection,
    owner_id: str,
    now: datetime | None = None,
    team: PoolRules | None = None,
) -> list[tuple[str, str, Standing]]:
    """(id, name, standing) of each live, unlocked customer `owner_id` owns that may be
    near the pool at `now` under `team` (all of them without those): three indexed reads."""
    where, params = "c.owner_id = ? AND c.deleted = 0 AND c.locked = 0", [owner_id]
    if now is not None and team is not None:
        narrow = prefilter(team, now)
        if narrow is None:
            return []
        where += narrow[0]
        params += narrow[1]
    customers = conn.execute(
        "SELECT c.id, c.name, c.grade, coalesce(c.claimed_at, c.created_at), c.locked, "
        "l.last_done_at FROM customer c LEFT JOIN customer_last_done l ON l.customer_id = c.id "
        f"WHERE {where}",
        params,
    ).fetchall()
    deals: dict[str, dict[str, Any]] = {}
    marks = ",".join("?" * len(_OPEN))
    stages = f"o.deleted = 0 AND (o.stage = 'won' OR o.stage IN ({marks}))"
    if len(customers) < 5_000:  # the deals of the candidates only (by the customer index)
        deal_rows = conn.execute(
            "SELECT o.customer_id, o.stage, o.updated_at FROM opportunity o "
            f"WHERE o.customer_id IN (SELECT value FROM json_each(?)) AND {stages}",
            (json.dumps([c[0] for c in customers]), *_OPEN),
        )
    else:
        deal_rows = conn.execute(
            "SELECT o.customer_id, o.stage, o.updated_at FROM opportunity o "
            f"JOIN customer c ON c.id = o.customer_id "
            f"WHERE c.owner_id = ? AND c.deleted = 0 AND {stages}",
            (owner_id, *_OPEN),
        )
    for cid, stage, updated in deal_rows:
        seen = deals.setdefault(cid, {"won": False, "open": False, "last": None})
        if stage == "won":
            seen["won"] = True
        else:
            seen["open"] = True
            seen["last"] = max(filter(None, (seen["last"], _when(updated))), default=None)
    out = []
    for cid, name, grade, since, locked, last_done in customers:
        deal = deals.get(cid, {})
        out.append(
            (
                cid,
                name,
                Standing(
                    grade=grade,
                    owned_since=_when(since),  # type: ignore[arg-type]
                    last_done=_when(last_done),
                    last_open_deal=deal.get("last"),
                    has_open_deal=bool(deal.get("open")),
                    has_won_deal=bool(deal.get("won")),
                    locked=bool(locked),
                ),
            )
        )
    return out


def standing_of(
    conn: sqlite3.Connection, customer_id: str, owner_id: str
) -> tuple[str, Standing] | None:
    """(name, standing) of one live, unlocked customer `owner_id` owns, else None: three
    point reads (the customer, its last done follow-up, its won and open deals)."""
    row = conn.execute(
        "SELECT c.name, c.grade, coalesce(c.claimed_at, c.created_at), l.last_done_at "
        "FROM customer c LEFT JOIN customer_last_done l ON l.customer_id = c.id "
        "WHERE c.id = ? AND c.owner_id = ? AND c.deleted = 0 AND c.locked = 0",
        (customer_id, owner_id),
    ).fetchone()
    if row is None:
        return None
    name, grade, since, last_done = row
    won = opened = False
    last_open: datetime | None = None
    marks = ",".join("?" * len(_OPEN))
    for stage, updated in conn.execute(
        "SELECT stage, updated_at FROM opportunity WHERE customer_id = ? AND deleted = 0 "
        f"AND (stage = 'won' OR stage IN ({marks}))",
        (customer_id, *_OPEN),
    ):
        if stage == "won":
            won = True
        else:
            opened = True
            last_open = max(filter(None, (last_open, _when(updated))), default=None)
    return name, Standing(
        grade=grade,
        owned_since=_when(since),  # type: ignore[arg-type]
        last_done=_when(last_done),
        last_open_deal=last_open,
        has_open_deal=opened,
        has_won_deal=won,
    )


def soonest(
    conn: sqlite3.Connection, owner_id: str, team: PoolRules
) -> Iterator[tuple[datetime, str]]:
    """(lower bound of the release time, customer id) of `owner_id`'s live, unlocked
    customers, lowest first, lazily (migration 0136): by when each one's follow-up clock
    started (`pool_clock`: a release is at least that plus the shortest follow-up clock)
    and, when a deal clock is on, by when the owner got it (at least that plus the shortest
    deal clock). A customer may come twice; the caller reads its exact standing once."""
    every = [team.for_grade(None), *team.by_grade.values()]
    follow = [r.followup_days for r in every if r.followup_days]
    deal = [r.deal_days for r in every if r.deal_days]
    walks = []
    if follow:
        shift = timedelta(days=min(follow))
        rows = conn.execute(
            "SELECT since, customer_id FROM pool_clock WHERE owner_id = ? ORDER BY since",
            (owner_id,),
        )
        walks.append((_when(at) + shift, cid) for at, cid in rows)  # type: ignore[operator]
    if deal:
        shift = timedelta(days=min(deal))
        rows = conn.execute(
            "SELECT coalesce(claimed_at, created_at) AS since, id FROM customer "
            "WHERE owner_id = ? AND deleted = 0 AND locked = 0 ORDER BY since",
            (owner_id,),
        )
        walks.append((_when(at) + shift, cid) for at, cid in rows)  # type: ignore[operator]
    return heapq.merge(*walks)
