"""Provides bearer tokens and enrolment codes; the server stores only their SHA-256."""

from __future__ import annotations

import hashlib
import secrets

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_enrolment_code() -> str:
    """Eight characters a rep can type from a chat message: 'K7QX-M2RD'."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")
