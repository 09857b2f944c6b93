"""Provides the keys that say two customers are one company: the normalised name (case,
width, punctuation and company suffixes such as "Co., Ltd." or 有限公司 dropped), the last
11 digits of the phone, the e-mail. The server flags two reps' customers that share one;
the laptop shows which key matched."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SUFFIXES = (
    "co ltd",
    "coltd",
    "ltd",
    "limited",
    "inc",
    "llc",
    "gmbh",
    "corp",
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "公司",
    "集团",
)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _NOT_WORD.sub(" ", text).strip()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)].strip()
                changed = True
    return text.replace(" ", "")


def customer_keys(fields: dict[str, Any]) -> set[str]:
    keys = set()
    if fields.get("name") and (name := normalise_name(str(fields["name"]))):
        keys.add(f"name:{name}")
    digits = re.sub(r"\D", "", str(fields.get("phone") or ""))
    if len(digits) >= 6:
        keys.add(f"phone:{digits[-11:]}")
    if fields.get("email"):
        keys.add(f"email:{str(fields['email']).strip().casefold()}")
    return keys
