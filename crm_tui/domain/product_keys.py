"""Provides a product's deterministic id (issue 19): the same price list imported on two
laptops offline makes the same records, so the sync server merges them instead of keeping
two copies of each product.

The id is a UUIDv5 of the team and the normalised product code; a product without a code
falls back to its normalised name and model. A server serves one team (its accounts'
`team_id` is "team"), and a book syncs with one server, so the team part is that constant:
it keeps the ids of a future multi-team server apart without changing today's.
Products made before this (random UUIDv7 ids) keep their ids; lookups by code still find
them first.
"""

from __future__ import annotations

import unicodedata
import uuid

# Fixed for ever: changing it would make every laptop mint new ids for the same products.
PRODUCT_NAMESPACE = uuid.UUID("6f3c1a52-8d0e-5b7a-9c41-2f1e0d9b7a63")
TEAM = "team"


def normalise(text: str | None) -> str:
    """What two reps typing the same code or name agree on: NFKC (full-width Ｍ－１ is
    M-1), case folded, inner spaces collapsed, outer ones gone."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def product_key(code: str | None, name: str | None = None, model: str | None = None) -> str:
    """The natural key a product's id is made from: its code, else its name and model."""
    if normalise(code):
        return f"code:{normalise(code)}"
    return f"name:{normalise(name)}\x1fmodel:{normalise(model)}"


def product_id(
    code: str | None, name: str | None = None, model: str | None = None, team: str = TEAM
) -> str:
    """The id every laptop of `team` gives this product."""
    return str(uuid.uuid5(PRODUCT_NAMESPACE, f"{team}\x1e{product_key(code, name, model)}"))
