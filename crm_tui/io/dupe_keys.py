"""Provides `DupeKeys`: the duplicate keys an import checks each row against (name plus
phone or e-mail, or a record id), kept in a temporary SQLite table instead of a dict, so a
file of a million rows does not hold a million keys in memory. The first record to claim a
key keeps it.

A table lookup per row would cost more than the rest of the row's checks, and nearly every
lookup misses; a Bloom filter (a fixed bit array, at most 16 MB) answers "certainly not
seen" in memory, and claims are written in batches.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

_SEP = "\x1f"
_BATCH = 2000
Key = tuple[str, ...]
# (where the record is: "db" or "new", its id, the file line that made it or 0)
Target = tuple[str, str, int]


class DupeKeys:
    def __init__(self, conn: sqlite3.Connection, expected: int = 0) -> None:
        self.conn = conn
        conn.execute("DROP TABLE IF EXISTS temp.import_dupe")
        conn.execute(
            "CREATE TEMP TABLE import_dupe (key TEXT PRIMARY KEY, origin TEXT NOT NULL, "
            "ref TEXT NOT NULL, line INTEGER NOT NULL) WITHOUT ROWID"
        )
        # ~32 bits per expected key: two probes then miss ~0.4% of the time.
        bits = 1 << 20
        while bits < expected * 32 and bits < 1 << 27:
            bits <<= 1
        self._mask = bits - 1
        self._bloom = bytearray(bits >> 3)
        self._unwritten: dict[str, Target] = {}

    def _probes(self, text: str) -> tuple[int, int]:
        h = hash(text)  # salted per process: fine, the filter lives as long as the import
        return h & self._mask, (h >> 32) & self._mask

    def _maybe(self, text: str) -> bool:
        a, b = self._probes(text)
        bloom = self._bloom
        return bool(bloom[a >> 3] & (1 << (a & 7)) and bloom[b >> 3] & (1 << (b & 7)))

    def first(self, keys: Iterable[Key]) -> Target | None:
        """The record that holds the first of `keys` found, or None."""
        for key in keys:
            text = _SEP.join(key)
            if not self._maybe(text):
                continue
            hit = self._unwritten.get(text)
            if hit is not None:
                return hit
            row = self.conn.execute(
                "SELECT origin, ref, line FROM import_dupe WHERE key = ?", (text,)
            ).fetchone()
            if row is not None:
                return row[0], row[1], row[2]
        return None

    def claim(self, keys: Iterable[Key], target: Target) -> None:
        """Give `target` every key of `keys` no record holds yet."""
        bloom = self._bloom
        for key in keys:
            text = _SEP.join(key)
            if text in self._unwritten or (self._maybe(text) and self._written(text)):
                continue  # an earlier record holds it
            self._unwritten[text] = target
            a, b = self._probes(text)
            bloom[a >> 3] |= 1 << (a & 7)
            bloom[b >> 3] |= 1 << (b & 7)
        if len(self._unwritten) >= _BATCH:
            self._write()

    def _written(self, text: str) -> bool:
        found = self.conn.execute("SELECT 1 FROM import_dupe WHERE key = ?", (text,))
        return found.fetchone() is not None

    def _write(self) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO import_dupe VALUES (?, ?, ?, ?)",
            [(text, *target) for text, target in self._unwritten.items()],
        )
        self._unwritten.clear()

    def close(self) -> None:
        self._unwritten.clear()
        self.conn.execute("DROP TABLE IF EXISTS temp.import_dupe")
