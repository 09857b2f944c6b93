"""Provides what the quick read commands need of the record registry — every record type in
the registry's order, its title field, its fields' names and kinds — without importing
domain/fields.py, which builds every module's field specs (a third of a quick `crm show`).

They are read from the registry once and kept as JSON in domain/__pycache__ (where Python
keeps that package's bytecode), keyed by the size and time of every file in domain/: an
edited or upgraded registry is read again. Nothing is written when bytecode is not
(PYTHONDONTWRITEBYTECODE) or the folder is read-only; the registry is then read each time.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from typing import Any

_DOMAIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "domain")
_CACHE = os.path.join(_DOMAIN, "__pycache__", "quick_schema.json")


class Kind:
    """A field's kind, as FieldSpec.kind ("money", "datetime", ...), and for a reference the
    record type it names (FieldSpec.ref)."""

    __slots__ = ("kind", "ref")

    def __init__(self, kind: str, ref: str | None = None) -> None:
        self.kind = kind
        self.ref = ref


class Spec:
    """One record type: the EntitySpec attributes the quick paths read."""

    __slots__ = ("by_name", "field_names", "name", "title_field")

    def __init__(self, name: str, title_field: str, fields: list[list[Any]]) -> None:
        self.name = name
        self.title_field = title_field
        self.field_names = tuple(f[0] for f in fields)
        self.by_name = {f[0]: Kind(*f[1:]) for f in fields}


# Changes when what is kept changes (2: a reference's record type), so an older file is
# not read as this one.
_FORMAT = 2


def _stamp() -> list[list[Any]]:
    out: list[list[Any]] = [["format", _FORMAT, 0]]
    for entry in sorted(os.scandir(_DOMAIN), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            info = entry.stat()
            out.append([entry.name, info.st_mtime_ns, info.st_size])
    return out


def _from_registry() -> dict[str, list[Any]]:
    from crm_tui.domain.fields import ENTITIES

    return {
        name: [spec.title_field, [[f.name, f.kind, f.ref] for f in spec.fields]]
        for name, spec in ENTITIES.items()
    }


@cache
def registry() -> dict[str, Spec]:
    """entity -> Spec, in domain/fields.py's ENTITIES order."""
    stamp = _stamp()
    try:
        with open(_CACHE, encoding="utf-8") as fh:
            kept = json.load(fh)
        if kept["stamp"] == stamp:
            return _specs(kept["entities"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    entities = _from_registry()
    if not sys.dont_write_bytecode:
        _keep({"stamp": stamp, "entities": entities})
    return _specs(entities)


def _keep(data: dict[str, Any]) -> None:
    part = f"{_CACHE}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(_CACHE), exist_ok=True)
        with open(part, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(part, _CACHE)  # whole or not at all, whoever writes at the same time
    except OSError:
        try:
            os.unlink(part)
        except OSError:
            pass


def _specs(entities: dict[str, list[Any]]) -> dict[str, Spec]:
    return {name: Spec(name, title, fields) for name, (title, fields) in entities.items()}
