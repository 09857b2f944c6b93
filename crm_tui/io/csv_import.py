"""Provides CSV import: encoding, delimiter and header detection, then the shared engine.

Spreadsheets arrive as UTF-8 (with or without the BOM Excel adds), GB18030/GBK (what
Chinese Excel writes by default), UTF-16 (Excel's "Unicode text"), or a Western code page
from Outlook. The delimiter may be a comma, semicolon, tab or bar, and a title line may sit
above the header. Each of these is detected and said in the result, never guessed silently.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui.io.column_maps import auto_map, check_explicit, header_score, normalize
from crm_tui.io.csv_records import fit, read_records
from crm_tui.io.import_run import Rows, run_import
from crm_tui.io.results import ImportFailed, ImportResult

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

DELIMITERS = (",", ";", "\t", "|")
_CHINESE = ("gb18030", "gbk", "gb2312", "cp936", "hz")
_CJK_MULTIBYTE = (
    *_CHINESE,
    "big5",
    "cp950",
    "cp949",
    "euc",
    "cp932",
    "shift_jis",
    "iso2022",
    "johab",
)
_HEADER_SEARCH = 10
_SAMPLE = 4 * 1024 * 1024
csv.field_size_limit(64 * 1024 * 1024)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, encoding: str | None = None, *, complete: bool = True) -> tuple[str, str]:
    """(text, encoding used) for a file's bytes; ImportFailed names the bad line.

    `complete=False`: `data` is the start of a longer file, so a character cut at its end
    is not an error (the rest is decoded as the rows stream in)."""
    if not data.strip(b" \t\r\n\x00"):
        raise ImportFailed("the file is empty")
    if encoding is None:
        if data.startswith(codecs.BOM_UTF8):
            encoding, data = "utf-8", data[len(codecs.BOM_UTF8) :]
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = _guess(data, complete)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportFailed(f"unknown encoding '{encoding}'") from None
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=complete), encoding
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"the file is not valid {encoding}: bad byte at line {_line_of(data, exc.start)}"
            " (save it as UTF-8, or name its encoding with --encoding)"
        ) from None


def _shown(encoding: str) -> str:
    return "UTF-8" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding


def _guess(data: bytes, complete: bool = True) -> str:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
        return "utf-8"
    except UnicodeDecodeError as exc:
        # Valid multi-byte UTF-8 before the bad byte: a damaged UTF-8 file, not a code page.
        if re.search(rb"[\x80-\xff]", data[: exc.start]):
            raise ImportFailed(
                f"the file is not valid UTF-8: bad byte at line {_line_of(data, exc.start)}"
                " (save it again as UTF-8, or name its encoding with --encoding)"
            ) from None
    if b"\x00" in data[:4096]:
        raise ImportFailed(
            "this does not look like a text file (it has NUL bytes); export the sheet as CSV"
        )
    from charset_normalizer import from_bytes

    probe = data[: 256 * 1024]
    if len(probe) < len(data) or not complete:
        # Whole lines only: a character cut at the end makes every multi-byte guess fail.
        probe = probe[: probe.rfind(b"\n") + 1] or probe
    found = [
        m.encoding
        for m in from_bytes(probe, cp_isolation=None)
        if not m.encoding.startswith(("utf_16", "utf_32"))
    ]
    if found:
        top = found[0]
        # Short CJK samples are ambiguous between GBK, Big5, Shift-JIS and EUC-KR; a Chinese
        # Excel file is by far the likeliest, and GB18030 is the superset of GBK.
        if top.startswith(_CJK_MULTIBYTE):
            return "gb18030" if any(f.startswith(_CHINESE) for f in found) else top
        # Among Western code pages, Windows-1252 is what Outlook and Excel write.
        return "cp1252" if "cp1252" in found else top
    raise ImportFailed(
        "cannot tell the file's encoding; name it with --encoding (e.g. utf-8, gb18030)"
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the most rows of one width.

    Quote-aware, and by consistency rather than raw counts, so tabs or semicolons inside
    a notes column do not outvote the commas of the header.
    """
    sample = text[:65536]  # quote-aware: a cut inside a quoted field only ends the sample
    best: tuple[int, int, str] = (0, 0, ",")
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        widths: list[int] = []
        try:
            for cells in reader:
                if len(cells) > 1:
                    widths.append(len(cells))
                if len(widths) >= 20:
                    break
        except csv.Error:
            pass
        if widths:
            width, freq = Counter(widths).most_common(1)[0]
            if (freq, width) > best[:2]:
                best = (freq, width, delimiter)
    return best[2]


@dataclass
class CsvPlan:
    """What was detected about a file, shown by --dry-run and the TUI preview."""

    encoding: str
    delimiter: str
    header_line: int
    headers: list[str]
    mapping: dict[int, str]
    # The whole text of a small file; of a large one its first _SAMPLE bytes, and the rows
    # are read from `path` as they are imported (memory stays flat however long the file).
    text: str = field(repr=False)
    path: Path | None = None
    complete: bool = True
    bom: bool = False

    def _lines(self) -> Iterator[str]:
        if self.complete or self.path is None:
            yield from io.StringIO(self.text, newline="")
            return
        codec = "utf-8-sig" if self.bom and self.encoding == "utf-8" else self.encoding
        try:
            with open(self.path, encoding=codec, newline="") as stream:
                yield from stream
        except UnicodeDecodeError:
            raise ImportFailed(
                f"the file is not valid {_shown(self.encoding)}: bad byte at line "
                f"{self._bad_line(codec)}"
                " (save it as UTF-8, or name its encoding with --encoding)"
            ) from None
        except OSError as exc:
            raise ImportFailed(f"cannot read {self.path}: {exc.strerror or exc}") from None

    def _bad_line(self, codec: str) -> int:
        """The line of the first byte `codec` cannot read (the text stream decodes ahead in
        blocks, so its position says only roughly where)."""
        decoder = codecs.getincrementaldecoder(codec)()
        number = 0
        with open(self.path or "", "rb") as stream:
            for number, raw in enumerate(stream, 1):  # noqa: B007
                try:
                    decoder.decode(raw)
                except UnicodeDecodeError:
                    return number
        return number

    @property
    def ignored(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if i not in self.mapping and h.strip()]

    def notes(self) -> list[str]:
        shown = {"\t": "tab"}.get(self.delimiter, self.delimiter)
        out = [f"read as {self.encoding}, delimiter '{shown}', header on line {self.header_line}"]
        out.append(
            "columns: "
            + ", ".join(f"{self.headers[i]} -> {f}" for i, f in sorted(self.mapping.items()))
        )
        if self.ignored:
            out.append(
                "ignored columns (keep one with --map 'COLUMN=field'): " + ", ".join(self.ignored)
            )
        seen: dict[str, str] = {}
        for index, target in sorted(self.mapping.items()):
            if target in seen:
                out.append(
                    f"columns '{seen[target]}' and '{self.headers[index]}' both map to "
                    f"{target}: the first non-empty one is used"
                )
            else:
                seen[target] = self.headers[index]
        return out

    def rows(self) -> Iterator[tuple[int, dict[str, str] | None, list[str], str | None]]:
        width = len(self.headers)
        records = read_records(self._lines(), self.delimiter, self.headers, self.header_line)
        columns = list(self.mapping.items())
        # Each field from one column (the usual file): its value is that cell's, no lookup.
        one_each = len({target for _index, target in columns}) == len(columns)
        for start, cells, unclosed in records:
            # "".join(...).strip(): blank when every cell is (one C call, not one per cell)
            if start <= self.header_line or not "".join(cells).strip():
                continue
            if unclosed is not None:
                yield start, None, cells, unclosed
                continue
            cells = fit(cells, width)
            if len(cells) != width:
                yield (
                    start,
                    None,
                    cells,
                    f"has {len(cells)} cells but the header has {width} "
                    "(a missing or extra delimiter, or an unclosed quote?)",
                )
                continue
            values: dict[str, str] = {}
            if one_each:
                for index, target in columns:
                    value = cells[index].strip()
                    if value:
                        values[target] = value
            else:
                for index, target in self.mapping.items():
                    value = cells[index].strip()
                    if value and not values.get(target):
                        values[target] = value
            yield start, values, cells, None

    def preview(self, limit: int = 20) -> list[tuple[int, dict[str, str] | None, str | None]]:
        out = []
        for line, values, _cells, refused in self.rows():
            out.append((line, values, refused))
            if len(out) >= limit:
                break
        return out


def _header_row(
    text: str, delimiter: str, entity: str, wanted: set[str]
) -> tuple[int, int, list[str]] | None:
    """(score, line, cells) of the row among the first few that looks most like a header."""
    # The first rows are enough, and copying a 50 MB text per candidate is not free.
    reader = csv.reader(io.StringIO(text[:_SAMPLE], newline=""), delimiter=delimiter)
    best: tuple[int, int, list[str]] | None = None
    line = 1
    try:
        for number, cells in enumerate(reader):
            start, line = line, reader.line_num + 1
            if number >= _HEADER_SEARCH:
                break
            score = header_score(cells, entity) + sum(normalize(c) in wanted for c in cells)
            if score and (best is None or score > best[0]):
                best = (score, start, cells)
    except csv.Error as exc:
        raise ImportFailed(f"line {line}: {exc}") from None
    return best


def plan_csv(
    path: Path,
    entity: str,
    explicit: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> CsvPlan:
    """Read and inspect a CSV file: encoding, delimiter, header row and column map."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(_SAMPLE + 1)
    except OSError as exc:
        raise ImportFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    complete = len(data) <= _SAMPLE
    data = data[:_SAMPLE]
    text, used = decode(data, encoding, complete=complete)
    if explicit:
        try:
            check_explicit(explicit, entity)
        except ValueError as exc:
            raise ImportFailed(str(exc)) from None
    wanted = {normalize(k) for k in (explicit or {})}
    # The delimiter is the one whose split gives the best header row; on a tie (or when no
    # split finds one) the most consistent split of the first rows decides.
    sniffed = sniff_delimiter(text)
    candidates = [delimiter] if delimiter else [sniffed, *(d for d in DELIMITERS if d != sniffed)]
    best: tuple[int, int, list[str]] | None = None
    for candidate in candidates:
        found = _header_row(text, candidate, entity, wanted)
        if found is not None and (best is None or found[0] > best[0]):
            best, delimiter = found, candidate
    if best is None:
        raise ImportFailed(
            "no header row found in the first lines: name the columns (e.g. name, phone, "
            "email) or map them with --map 'COLUMN=field'"
        )
    _score, header_line, headers = best
    mapping = auto_map(headers, entity, explicit)
    headers = [h.strip() for h in headers]
    bom = data.startswith(codecs.BOM_UTF8)
    return CsvPlan(used, delimiter, header_line, headers, mapping, text, Path(path), complete, bom)


def import_csv(
    db: Database,
    path: Path,
    entity: str,
    *,
    explicit: Mapping[str, str] | None = None,
    on_duplicate: str = "skip",
    dry_run: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Callable[[int], None] | None = None,
    strict: bool = False,
) -> tuple[ImportResult, CsvPlan]:
    """Import a CSV file in one transaction; returns the result and what was detected."""
    plan = plan_csv(path, entity, explicit, encoding, delimiter)
    result = import_plan(
        db,
        plan,
        entity,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
        progress=progress,
        strict=strict,
    )
    return result, plan


def import_plan(
    db: Database,
    plan: CsvPlan,
    entity: str,
    *,
    on_duplicate: str = "skip",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    strict: bool = False,
) -> ImportResult:
    """Import the rows of an inspected file (see plan_csv) in one transaction."""
    if not plan.mapping:
        raise ImportFailed("no column matches a field: map them with --map 'COLUMN=field'")
    return run_import(
        db,
        entity,
        _guarded(plan),
        on_duplicate=on_duplicate,
        dry_run=dry_run,
        progress=progress,
        notes=plan.notes(),
        strict=strict,
        expected_rows=estimate_rows(plan),
    )


def _guarded(plan: CsvPlan) -> Rows:
    try:
        yield from plan.rows()
    except csv.Error as exc:
        raise ImportFailed(f"{exc} (after line {plan.header_line})") from None


def estimate_rows(plan: CsvPlan) -> int:
    """Lines after the header (a value with a line break makes this a slight overcount)."""
    if plan.complete or plan.path is None:
        lines = plan.text.count("\n") + (0 if plan.text.endswith("\n") else 1)
    else:  # counted in the bytes, a megabyte at a time (a UTF-16 file overcounts a little)
        lines = 0
        with open(plan.path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                lines += chunk.count(b"\n")
    return max(lines - plan.header_line, 1)
