"""Provides `DupeKeys`: the duplicate keys an import checks each row against (name plus
phone or e-mail, or a record id), kept in a temporary SQLite table instead of a dict, so a
file of a million rows does not hold a million keys in memory. The first record to claim a
key keeps it.

A table lookup per row would cost more than the rest of the row's checks, and nearly every
lookup misses; a Bloom filter (a fixed bit array, at most 16 MB) answers "certainly not
seen" in memory, and claims are written in batches. The table is found by the key's 64-bit
hash (an index of integers, a fifth the size of one of the keys' text, so its pages stay in
the cache) and the text is compared; the rows themselves are only appended.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

_SEP = "\x1f"
_BATCH = 2000
# The temporary database's page cache while importing (SQLite's default is 2 MB): the hash
# index of a 100k-row import (~200k keys) fits, so claims do not read pages back.
_TEMP_CACHE_KB = 16384
Key = tuple[str, ...]
# (where the record is: "db" or "new", its id, the file line that made it or 0)
Target = tuple[str, str, int]


class DupeKeys:
    def __init__(self, conn: sqlite3.Connection, expected: int = 0) -> None:
        self.conn = conn
        conn.execute("DROP TABLE IF EXISTS temp.import_dupe")
        conn.execute(
            "CREATE TEMP TABLE import_dupe (h INTEGER NOT NULL, key TEXT NOT NULL, "
            "origin TEXT NOT NULL, ref TEXT NOT NULL, line INTEGER NOT NULL)"
        )
        conn.execute("CREATE INDEX temp.import_dupe_h ON import_dupe(h)")
        self._cache = conn.execute("PRAGMA temp.cache_size").fetchone()[0]
        conn.execute(f"PRAGMA temp.cache_size = {-_TEMP_CACHE_KB}")
        # ~32 bits per expected key: two probes then miss ~0.4% of the time.
        bits = 1 << 20
        while bits < expected * 32 and bits < 1 << 27:
            bits <<= 1
        self._mask = bits - 1
        self._bloom = bytearray(bits >> 3)
        self._unwritten: dict[str, tuple[int, Target]] = {}
        # The keys `first` last found in no record, as (text, hash): `claim` of that same
        # list needs no second look.
        self._absent: tuple[list[Key] | None, list[tuple[str, int]]] = (None, [])

    def _maybe(self, h: int) -> bool:
        mask, bloom = self._mask, self._bloom
        a, b = h & mask, (h >> 32) & mask
        return bool(bloom[a >> 3] & (1 << (a & 7)) and bloom[b >> 3] & (1 << (b & 7)))

    def first(self, keys: list[Key]) -> Target | None:
        """The record that holds the first of `keys` found, or None."""
        texts = []
        for key in keys:
            text = _SEP.join(key)
            h = hash(text)  # salted per process: fine, the filter lives as long as the import
            texts.append((text, h))
            if not self._maybe(h):
                continue
            hit = self._unwritten.get(text)
            if hit is not None:
                return hit[1]
            row = self._stored(text, h)
            if row is not None:
                return row
        self._absent = (keys, texts)
        return None

    def claim(self, keys: Iterable[Key], target: Target) -> None:
        """Give `target` every key of `keys` no record holds yet."""
        bloom, mask, unwritten = self._bloom, self._mask, self._unwritten
        absent_keys, texts = self._absent
        known_absent = keys is absent_keys
        self._absent = (None, [])
        if not known_absent:
            texts = [(text, hash(text)) for text in (_SEP.join(key) for key in keys)]
        for text, h in texts:
            if text in unwritten or (
                not known_absent and self._maybe(h) and self._stored(text, h) is not None
            ):
                continue  # an earlier record holds it
            unwritten[text] = (h, target)
            a, b = h & mask, (h >> 32) & mask
            bloom[a >> 3] |= 1 << (a & 7)
            bloom[b >> 3] |= 1 << (b & 7)
        if len(unwritten) >= _BATCH:
            self._write()

    def _stored(self, text: str, h: int) -> Target | None:
        found = self.conn.execute(
            "SELECT origin, ref, line FROM import_dupe WHERE h = ? AND key = ?", (h, text)
        ).fetchone()
        return None if found is None else (found[0], found[1], found[2])

    def _write(self) -> None:
        self.conn.executemany(
            "INSERT INTO import_dupe VALUES (?, ?, ?, ?, ?)",
            [(h, text, *target) for text, (h, target) in self._unwritten.items()],
        )
        self._unwritten.clear()

    def close(self) -> None:
        self._unwritten.clear()
        self._absent = (None, [])
        self.conn.execute("DROP TABLE IF EXISTS temp.import_dupe")
        self.conn.execute(f"PRAGMA temp.cache_size = {int(self._cache)}")
