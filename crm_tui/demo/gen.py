"""Provides the demo's deterministic generator: a fast seeded random source, UUIDv7-shaped
ids, names, companies, phones, birthdays and working-hours moments."""

from __future__ import annotations

import random
from bisect import bisect
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import accumulate

from crm_tui.demo.words import (
    CN_BRANDS,
    CN_CITIES,
    CN_INDUSTRIES,
    CN_SUFFIXES,
    EN_BRANDS,
    EN_CITIES,
    EN_FIRST,
    EN_INDUSTRIES,
    EN_LAST,
    EN_SUFFIXES,
    GIVEN,
    SURNAMES,
)
from crm_tui.domain.dates import Clock
from crm_tui.storage.search import pinyin_key

_MASK62 = (1 << 62) - 1


class FastRandom(random.Random):
    """random.Random with cheaper integer draws (the stdlib's exact ones cost 5x more)."""

    def randint(self, a: int, b: int) -> int:  # type: ignore[override]
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq):  # type: ignore[no-untyped-def,override]
        return seq[int(self.random() * len(seq))]


def ts(moment: datetime) -> str:
    """SQLAlchemy's SQLite datetime text (naive UTC), so ORM and raw reads agree."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(" ", "microseconds")


@cache
def _pinyin(part: str) -> str:
    return pinyin_key(part)


def sort_key(*parts: str) -> str:
    return " ".join(_pinyin(p) for p in parts if p).strip()


class Gen:
    """The random choices of one batch (or the reference data), reproducible for a seed."""

    def __init__(self, seed: int, clock: Clock) -> None:
        self.rng = FastRandom(seed)
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
            return f"{surname}{given}", sort_key(surname + given)
        first, last = self.pick(EN_FIRST), self.pick(EN_LAST)
        return f"{first} {last}", f"{first} {last}".lower()

    def company(self) -> tuple[str, str, str, str]:
        """(name, sort key, city, industry)."""
        if self.rng.random() < 0.8:
            city, brand = self.pick(CN_CITIES), self.pick(CN_BRANDS)
            word, industry = self.pick(CN_INDUSTRIES)
            suffix = self.pick(CN_SUFFIXES)
            return (
                f"{city}{brand}{word}{suffix}",
                sort_key(city, brand, word, suffix),
                city,
                industry,
            )
        brand = self.pick(EN_BRANDS)
        word, industry = self.pick(EN_INDUSTRIES)
        suffix = self.pick(EN_SUFFIXES)
        name = f"{brand} {word} {suffix}"
        return name, name.lower(), self.pick(EN_CITIES), industry
