"""Provides `read_records`: the records of a CSV text with their first line numbers, where a
quote that is never closed costs only its own line.

A quoted value may run over several lines (an address, a note). But a stray opening quote
makes the csv module read every line below into that one value, up to the next quote
anywhere further down, so valid rows vanish inside one refused row. So a record that spans
lines is kept only if it reads cleanly (strict quoting and the header's width); otherwise
its first line is refused as an unclosed quote and reading starts again on the next line.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterable, Iterator

# A spreadsheet cell holds at most 32,767 characters: a quoted value that has taken in far
# more than a row's worth of them is a runaway quote, not a note (and memory stays flat).
MAX_SPAN = 1024 * 1024

Record = tuple[int, list[str], str | None]  # (first line, cells, why it is refused or None)


class _Runaway(Exception):
    """A record grew past MAX_SPAN characters while still inside a quoted value."""


def fit(cells: list[str], width: int) -> list[str]:
    """The cells without empty ones past the header's width (trailing delimiters)."""
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        return cells[:width]
    return cells


def read_records(
    lines: Iterable[str], delimiter: str, headers: list[str], after: int = 0
) -> Iterator[Record]:
    """(first line, cells, reason refused) for each record of `lines` (kept with their line
    ends); records that start on line `after` or above are read as they come."""
    source = iter(lines)
    pending: deque[str] = deque()  # lines given back after a refused unclosed quote
    taken: list[str] = []  # the lines of the record being read
    span = [0]

    def feed() -> Iterator[str]:
        while True:
            if pending:
                line = pending.popleft()
            else:
                line = next(source, None)
                if line is None:
                    return
            taken.append(line)
            if len(taken) > 1:
                span[0] += len(line)
                if span[0] > MAX_SPAN:
                    raise _Runaway
            yield line

    number = 1  # the line number of the next record
    while True:
        reader = csv.reader(feed(), delimiter=delimiter)
        try:
            for cells in reader:
                start, number = number, number + len(taken)
                if len(taken) == 1 or start <= after:
                    taken.clear()
                    yield start, cells, None
                    continue
                record = taken[:]
                taken.clear()
                span[0] = 0
                if _reads_cleanly(record, cells, delimiter, len(headers)):
                    yield start, cells, None
                    continue
                break
            else:
                return
        except _Runaway:
            start, record = number, taken[:]
            taken.clear()
            span[0] = 0
        # Refuse the first line alone and read the lines it took in again as rows.
        yield start, *_unclosed(record[0], delimiter, headers)
        pending.extendleft(reversed(record[1:]))
        number = start + 1


def _reads_cleanly(record: list[str], cells: list[str], delimiter: str, width: int) -> bool:
    """Whether a record over several lines is one real value with line breaks."""
    text = "".join(record)
    if not _strict(text, delimiter):
        # Blanks between a closing quote and the delimiter are sloppy, not a lost quote.
        loose = re.sub(rf'"[ \t]+(?={re.escape(delimiter)}|[\r\n]|$)', '"', text)
        return len(fit(cells, width)) == width and _strict(loose, delimiter)
    if len(fit(cells, width)) == width:
        return True
    # Quotes pair up but the width is wrong: a lost quote closed by a stray one further
    # down if the lines in between are whole rows, else one row with a wrong delimiter.
    return not any(_whole_row(line, delimiter, width) for line in record[1:])


def _strict(text: str, delimiter: str) -> bool:
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return False
    return True


def _whole_row(line: str, delimiter: str, width: int) -> bool:
    if line.count('"') % 2:
        return False
    return len(fit(next(csv.reader([line], delimiter=delimiter), []), width)) == width


def _unclosed(line: str, delimiter: str, headers: list[str]) -> tuple[list[str], str]:
    """The cells of a line with an unclosed quote (the quote kept as text, so the report
    shows the row in its columns) and the reason naming the column it opens."""
    line = line.rstrip("\r\n")
    quoted = next(csv.reader([line], delimiter=delimiter), [""])
    where = f" in column '{headers[len(quoted) - 1]}'" if len(quoted) <= len(headers) else ""
    cells = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
    return cells, (
        f'unclosed quote{where}: its closing " is missing, so this row is not imported '
        "(the rows after it are read on their own)"
    )
