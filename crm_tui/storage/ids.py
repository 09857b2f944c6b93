"""Provides `new_id`: the ids this laptop makes for new rows and outbox changes."""

from __future__ import annotations

import uuid_utils


def new_id() -> str:
    """A UUIDv7: made here, offline, and time-ordered so new rows index well."""
    return str(uuid_utils.uuid7())
