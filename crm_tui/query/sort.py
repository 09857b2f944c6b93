"""Provides `parse_sort`: `urgency`, `field` or `-field` -> a `Sort` (the CLI's --sort)."""

from __future__ import annotations

from crm_tui.domain.fields import entity
from crm_tui.domain.filter import Sort, SortKey
from crm_tui.query.parser import QueryError
from crm_tui.query.vocabulary import vocabulary

URGENCY_ENTITIES = ("activity", "customer")
_DERIVED = ("weighted", "contacted")  # no column to sort by


def sortable(entity_name: str) -> list[str]:
    """The names a list of this record type can be sorted by, as a rep types them."""
    vocab = vocabulary(entity(entity_name).name)
    return [n for n in vocab.names() if _column(vocab.resolve(n), vocab.fields) is not None]


def _column(name: str | None, fields: dict) -> str | None:
    if name is None or name in _DERIVED or (name not in fields and name != "id"):
        return None
    return name


def parse_sort(entity_name: str, text: str) -> Sort:
    """The sort `text` names; raises QueryError saying what can be sorted by."""
    spec = entity(entity_name)
    if text == "urgency":
        if spec.name not in URGENCY_ENTITIES:
            raise QueryError(f"{spec.plural} have no urgency (follow-ups and customers do)", text)
        return Sort((SortKey("urgency", True),))
    vocab = vocabulary(spec.name)
    name = _column(vocab.resolve(text.lstrip("-+").lower()), vocab.fields)
    if name is None:
        names = ", ".join(sortable(spec.name))
        raise QueryError(f"'{text}' is not a field of {vocab.spec.plural} (urgency, {names})", text)
    return Sort((SortKey(name, text.startswith("-")),))
