"""Provides the satisfaction record's repository (issue 22): a score of 1..5 checked on every
write, and a customer's scores oldest first (with a finished service order's rating, when
the service module is installed, as one series).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from crm_tui.domain.models import Survey
from crm_tui.storage.repository import Repository


@dataclass(frozen=True)
class ScoreRow:
    """One satisfaction score of a customer: a survey's or a service order's rating."""

    taken_on: date
    score: int
    source: str
    comment: str | None
    id: str


class SurveyRepo(Repository[Survey]):
    entity = "survey"
    default_order = ("taken_on", "id")

    def before_create(self, s: Session, rec: Survey, values: dict[str, Any]) -> None:
        # The score's range is checked with the whole record (fields.check_record), as the
        # server checks a pushed one.
        if rec.taken_on is None:
            rec.taken_on = self.db.clock.today()
        if not rec.source:
            rec.source = "call"

    def scores_of(self, customer_id: str, limit: int = 200) -> list[ScoreRow]:
        """The customer's scores, oldest first: surveys, and finished service orders'
        ratings (a service order a survey already followed counts once, as the survey)."""
        sql = (
            "SELECT taken_on, score, source, comment, id FROM survey "
            "WHERE customer_id = :c AND deleted = 0"
        )
        with self.db.reading() as s:
            conn = s.connection()
            if has_table(conn, "service"):
                sql += (
                    " UNION ALL SELECT substr(finished_at, 1, 10), rating, 'service', feedback, id "
                    "FROM service WHERE customer_id = :c AND deleted = 0 AND rating IS NOT NULL "
                    "AND finished_at IS NOT NULL AND id NOT IN (SELECT service_id FROM survey "
                    "WHERE customer_id = :c AND deleted = 0 AND service_id IS NOT NULL)"
                )
            rows = conn.execute(
                text(f"SELECT * FROM ({sql}) ORDER BY taken_on DESC, id DESC LIMIT :n"),
                {"c": customer_id, "n": limit},
            ).all()
        out = [
            ScoreRow(date.fromisoformat(str(r[0])[:10]), int(r[1]), r[2], r[3], r[4])
            for r in rows
            if r[0]
        ]
        return out[::-1]


def has_table(conn: Any, name: str) -> bool:
    row = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": name}
    ).first()
    return row is not None
