"""Provides the compiled form of a pushed value's check: per (entity, field) one function,
built once, that takes a wire value already in its stored form (the common case: a laptop
sends what its own registry produced) and returns it unchanged, or `SLOW` when it cannot
tell — then validate.py runs the full registry path (domain.fields.parse_value), which
gives the same answer and the only error messages.

A fast answer is exactly what the full path returns for that value: text stripped, an enum
in its registry spelling, whole numbers and money in range, dates and times already in
their canonical wire form (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ`) and inside 1900-2200.
Anything else (empty required values, typed text such as 'tomorrow' or '12 万', tags,
currencies, e-mail, phone and web addresses) takes the full path
(tests/sync/test_push_validate_fast.py holds the two to one answer).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from crm_tui.domain.field_values import (
    DATE_MAX,
    DATE_MIN,
    INT_MAX,
    MONEY_MAX,
    FieldSpec,
    is_unicode,
)
from crm_tui.domain.fields import ENTITIES

SLOW: Any = object()  # "take the full path"
Check = Callable[[Any], Any]

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_MOMENT_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")


def _text(spec: FieldSpec) -> Check:
    limit, required = spec.max_len, spec.required

    def check(raw: Any) -> Any:
        if raw is None:
            return SLOW if required else None
        if type(raw) is not str or len(raw) > limit:
            return SLOW
        text = raw.strip()
        if not text:
            return SLOW if required else None
        if not raw.isascii() and not is_unicode(raw):
            return SLOW
        return text

    return check


def _enum(spec: FieldSpec) -> Check:
    required, limit = spec.required, spec.max_len
    choices: dict[str, str] = {}
    for choice in spec.choices:  # the first spelling wins, as parse_value's loop
        choices.setdefault(choice.lower(), choice)

    def check(raw: Any) -> Any:
        if raw is None:
            return SLOW if required else None
        if type(raw) is not str or len(raw) > limit:
            return SLOW
        found = choices.get(raw.strip().lower())
        return SLOW if found is None else found

    return check


def _number(top: int, required: bool) -> Check:
    def check(raw: Any) -> Any:
        if raw is None:
            return SLOW if required else None
        if type(raw) is int and 0 <= raw <= top:
            return raw
        return SLOW

    return check


def _bool(spec: FieldSpec) -> Check:
    required = spec.required

    def check(raw: Any) -> Any:
        if raw is None:
            return SLOW if required else None
        return raw if type(raw) is bool else SLOW

    return check


def _stamp(spec: FieldSpec, form: re.Pattern[str], day_of: Callable[[str], date]) -> Check:
    # A date or a moment: only its canonical wire form (`form`), a real day inside the range.
    required = spec.required

    def check(raw: Any) -> Any:
        if raw is None:
            return SLOW if required else None
        if type(raw) is not str or not form.match(raw):
            return SLOW
        try:
            day = day_of(raw)
        except ValueError:
            return SLOW
        return raw if DATE_MIN <= day <= DATE_MAX else SLOW

    return check


def _moment_day(raw: str) -> date:
    return datetime.fromisoformat(raw[:-1]).date()  # naive: the Z is UTC


def _empty_only(spec: FieldSpec) -> Check:
    # Other kinds (tags, currency, e-mail, phone, web address): only an empty optional value.
    required = spec.required

    def check(raw: Any) -> Any:
        return None if raw is None and not required else SLOW

    return check


def compile_field(spec: FieldSpec) -> Check:
    kind = spec.kind
    if kind in ("text", "longtext", "ref"):
        return _text(spec)
    if kind == "enum":
        return _enum(spec)
    if kind == "money":
        return _number(MONEY_MAX, spec.required)
    if kind == "int":
        return _number(INT_MAX, spec.required)
    if kind == "percent":
        return _number(100, spec.required)
    if kind == "bool":
        return _bool(spec)
    if kind == "date":
        return _stamp(spec, _DATE_RE, date.fromisoformat)
    if kind == "datetime":
        return _stamp(spec, _MOMENT_RE, _moment_day)
    return _empty_only(spec)


@functools.cache
def entity_checks(entity: str) -> dict[str, tuple[FieldSpec, Check]]:
    """Per field of `entity`: its spec and its compiled check (built on first use)."""
    return {f.name: (f, compile_field(f)) for f in ENTITIES[entity].fields}


@functools.cache
def typed_fields(entity: str) -> tuple[FieldSpec, ...]:
    """The fields whose wire form differs from the typed one (from_wire is the identity
    for every other kind)."""
    return tuple(f for f in ENTITIES[entity].fields if f.kind in ("date", "datetime", "bool"))
