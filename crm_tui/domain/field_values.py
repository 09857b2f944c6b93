"""Provides what one field is and how its value is read: the field kinds and their limits,
`FieldSpec`, and `parse_value` (typed text or a wire value -> the stored value, or a
FieldError), plus the wire form of values.

Every value is capped by its field's `max_len` before any pattern or parser runs, numbers
and dates are bounded (what SQLite stores and every time zone can show), and text must be
valid Unicode; the server checks pushed values with the same code (issue 14).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crm_tui.domain.dates import Clock, DateError, parse_date, parse_when, utc
from crm_tui.domain.money import DEFAULT_CURRENCY, MoneyError, check_currency, parse_money

# Longest value per kind, in characters (README "Server limits"): names 200, notes 4000.
KIND_MAX_LEN = {
    "text": 200,
    "longtext": 4_000,
    "email": 300,
    "url": 300,
    "phone": 40,
    "ref": 64,
    "enum": 50,
    "currency": 10,
    "date": 40,
    "datetime": 60,
    "money": 40,
    "int": 30,
    "percent": 10,
    "bool": 10,
    "tags": 500,
}
# Whole numbers: a quantity up to a billion; money (minor units) as money.py's text path.
INT_MAX = 10**9
MONEY_MAX = 10**15
# Dates and times a record may hold (every zone can show them; SQLite stores them).
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    # text longtext enum money currency date datetime int percent bool email phone url tags ref
    kind: str
    label: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # entity a `ref` field points at
    # Longest text accepted (0: the kind's default, `KIND_MAX_LEN`); checked before any
    # pattern runs, so no value can make a check slow.
    max_len: int = 0

    def __post_init__(self) -> None:
        if not self.max_len:
            object.__setattr__(self, "max_len", KIND_MAX_LEN.get(self.kind, 200))

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


class FieldError(ValueError):
    """One field's value was refused; `field` names it so a form can show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ValidationErrors(ValueError):
    """Every field that was refused in one go, so a form can mark them all at once."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    def by_field(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}


@dataclass
class InputContext:
    clock: Clock = field(default_factory=Clock)
    currency: str = DEFAULT_CURRENCY


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Linear: the digit run may end in spaces, so no `\s*` before the extension (two ways to
# match the same spaces made "1" + 32000 spaces + "!" take seconds).
_PHONE_RE = re.compile(r"^\+?[\d\s\-().]+(?:(?:ext|x|转)\s*\d+)?$")
_URL_RE = re.compile(r"^(https?://)?[\w\-.]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
_TAG_RE = re.compile(r"^[^\s,+]+$")
_TRUE = {"1", "true", "yes", "y", "on", "是"}
_FALSE = {"0", "false", "no", "n", "off", "否", ""}


def split_tags(raw: str | Iterable[str] | None) -> list[str]:
    if raw is None:
        return []
    items = re.split(r"[,\s，]+", raw) if isinstance(raw, str) else list(raw)
    out: list[str] = []
    for item in items:
        tag = item.strip().lstrip("+")
        if tag and tag.lower() not in (t.lower() for t in out):
            out.append(tag)
    return out


def join_tags(tags: Iterable[str]) -> str:
    return ",".join(tags)


def parse_value(spec: FieldSpec, raw: Any, ctx: InputContext) -> Any:
    """Turn what a rep typed (a string) into the stored value, or raise FieldError.

    An empty string clears an optional field. Non-string values (from code) are checked,
    not re-parsed.
    """
    name = spec.name
    if raw is None or (isinstance(raw, str) and not raw.strip() and spec.kind != "bool"):
        if spec.required:
            raise FieldError(name, "is required")
        return None
    if isinstance(raw, str):
        # Before any pattern or parser sees it: long values are refused in constant time.
        if len(raw) > spec.max_len and len(raw.strip()) > spec.max_len:
            raise FieldError(name, f"is {len(raw)} characters long; at most {spec.max_len}")
        if not is_unicode(raw):
            raise FieldError(name, "is not valid text (broken Unicode)")
    elif isinstance(raw, float):
        raise FieldError(name, f"'{raw}' is not a valid {spec.kind}")
    text = raw.strip() if isinstance(raw, str) else raw
    kind = spec.kind
    try:
        if kind in ("text", "longtext", "ref"):
            text = str(text)
            if len(text) > spec.max_len:
                raise FieldError(name, f"is {len(text)} characters long; at most {spec.max_len}")
            return text
        if kind == "enum":
            value = str(text)
            for choice in spec.choices:
                if value.lower() == choice.lower():
                    return choice
            raise FieldError(name, f"'{value}' is not one of {', '.join(spec.choices)}")
        if kind == "money":
            if isinstance(text, int) and not isinstance(text, bool):
                if text < 0:
                    raise FieldError(name, "must be zero or more")
                if text > MONEY_MAX:
                    raise FieldError(name, "is too large")
                return text
            return parse_money(str(text), ctx.currency)[0]
        if kind == "currency":
            return check_currency(str(text))
        if kind in ("int", "percent"):
            try:
                number = int(str(text).rstrip("%"))
            except ValueError:
                raise FieldError(name, f"'{text}' is not a whole number") from None
            if number < 0:
                raise FieldError(name, "must be zero or more")
            if kind == "percent" and number > 100:
                raise FieldError(name, f"{number} is over 100%")
            if number > INT_MAX:
                raise FieldError(name, f"{number} is too large (at most {INT_MAX})")
            return number
        if kind == "bool":
            if isinstance(text, bool):
                return text
            if str(text).lower() in _TRUE:
                return True
            if str(text).lower() in _FALSE:
                return False
            raise FieldError(name, f"'{text}' is not yes or no")
        if kind == "date":
            if isinstance(text, date) and not isinstance(text, datetime):
                return _in_range(name, text)
            return _in_range(name, parse_date(str(text), ctx.clock.today()))
        if kind == "datetime":
            if isinstance(text, datetime):
                moment = utc(text)
            else:
                moment = parse_when(str(text), ctx.clock)[0]
            _in_range(name, moment.date())
            return moment
        if kind == "email":
            if not _EMAIL_RE.match(str(text)):
                raise FieldError(name, f"'{text}' is not an e-mail address")
            return str(text)
        if kind == "phone":
            digits = sum(c.isdigit() for c in str(text))
            if not _PHONE_RE.match(str(text)) or not 3 <= digits <= 20:
                raise FieldError(name, f"'{text}' is not a phone number")
            return str(text)
        if kind == "url":
            if not _URL_RE.match(str(text)):
                raise FieldError(name, f"'{text}' is not a web address")
            return str(text)
        if kind == "tags":
            tags = split_tags(text)
            bad = [t for t in tags if not _TAG_RE.match(t)]
            if bad:
                raise FieldError(name, f"'{bad[0]}' is not a tag (no spaces or commas)")
            return join_tags(tags) or None
    except (DateError, MoneyError) as exc:
        raise FieldError(name, str(exc)) from None
    except OverflowError:
        raise FieldError(name, f"'{text}' is out of range") from None
    raise AssertionError(f"unknown field kind {kind}")


Parser = Callable[[Any, InputContext], Any]
_TAG_SPLIT = re.compile(r"[,\s，]+")


def compile_parser(spec: FieldSpec) -> Parser:
    """`parse_value(spec, raw, ctx)` for one field, with the field's checks chosen once.

    The same value or the same FieldError for every input; a text value (a file's cell) is
    read without the per-value dispatch on the kind, the others go through `parse_value`.
    An import reads a million cells: this is where its validation time went.
    """
    name, kind, max_len, required = spec.name, spec.kind, spec.max_len, spec.required
    if kind in ("text", "longtext", "ref"):
        finish: Callable[[str], Any] | None = None
    elif kind == "enum":
        choices: dict[str, str] = {}
        for choice in spec.choices:
            choices.setdefault(choice.lower(), choice)
        listed = ", ".join(spec.choices)

        def finish(text: str) -> Any:
            found = choices.get(text.lower())
            if found is None:
                raise FieldError(name, f"'{text}' is not one of {listed}")
            return found
    elif kind in ("email", "url"):
        pattern = _EMAIL_RE if kind == "email" else _URL_RE
        what = "an e-mail address" if kind == "email" else "a web address"

        def finish(text: str) -> Any:
            if not pattern.match(text):
                raise FieldError(name, f"'{text}' is not {what}")
            return text
    elif kind == "phone":

        def finish(text: str) -> Any:
            digits = sum(c.isdigit() for c in text) if not text.isdigit() else len(text)
            if not _PHONE_RE.match(text) or not 3 <= digits <= 20:
                raise FieldError(name, f"'{text}' is not a phone number")
            return text
    elif kind == "tags":

        def finish(text: str) -> Any:
            tags: list[str] = []
            seen: set[str] = set()
            for item in _TAG_SPLIT.split(text):
                tag = item.strip().lstrip("+")
                if tag and tag.lower() not in seen:
                    seen.add(tag.lower())
                    tags.append(tag)
            for tag in tags:
                if not _TAG_RE.match(tag):
                    raise FieldError(name, f"'{tag}' is not a tag (no spaces or commas)")
            return join_tags(tags) or None
    else:  # numbers, money, dates, yes/no: rarer in files; the general path
        return lambda raw, ctx: parse_value(spec, raw, ctx)

    def parse(raw: Any, ctx: InputContext) -> Any:
        if type(raw) is not str:
            return parse_value(spec, raw, ctx)
        text = raw.strip()
        if not text:
            if required:
                raise FieldError(name, "is required")
            return None
        if len(raw) > max_len and len(text) > max_len:
            raise FieldError(name, f"is {len(raw)} characters long; at most {max_len}")
        if not raw.isascii() and not is_unicode(raw):
            raise FieldError(name, "is not valid text (broken Unicode)")
        return text if finish is None else finish(text)

    # What a caller reading many cells may do itself for a str value (values_parser): the
    # stripped text, when non-empty, at most max_len long and valid Unicode, is `finish`ed.
    parse.inline = (max_len, finish)  # type: ignore[attr-defined]
    return parse


def _in_range(name: str, day: date) -> date:
    if not DATE_MIN <= day <= DATE_MAX:
        raise FieldError(name, f"{day.isoformat()} is outside {DATE_MIN.year}-{DATE_MAX.year}")
    return day


def is_unicode(text: str) -> bool:
    """False for text holding a lone surrogate (it cannot be stored or sent as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_wire(value: Any) -> Any:
    """A stored value as JSON (dates ISO, datetimes ISO UTC with Z)."""
    if isinstance(value, datetime):
        return utc(value).isoformat().replace("+00:00", "Z")  # type: ignore[union-attr]
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_wire(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind == "date":
        return date.fromisoformat(value)
    if spec.kind == "datetime":
        return utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    if spec.kind == "bool":
        # Text ("no", "false") is parsed by parse_value; bool("false") would be True.
        return value if isinstance(value, str) else bool(value)
    return value


@dataclass(frozen=True)
class EntitySpec:
    name: str
    table: str
    title_field: str
    fields: tuple[FieldSpec, ...]
    plural: str = ""
    aliases: tuple[str, ...] = ()
    by_name: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    def field(self, name: str) -> FieldSpec:
        return self.by_name[name]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)
