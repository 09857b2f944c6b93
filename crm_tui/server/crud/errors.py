"""Provides the exceptions the crud layer raises and the routes turn into answers (one
module, as the FastAPI template keeps them, so no crud module imports another for them)."""

from __future__ import annotations

from crm_tui.sync.protocol import SEQ_GAP


class Refused(Exception):
    """A mutation the server will not apply; the message goes back to the rep."""


class MergeRefused(Refused):
    """The merge cannot be made; the message goes back to the manager."""


class PushConflict(Exception):
    """The batch does not continue this device's sequence (409); `code` says why
    (protocol.SEQ_REUSED: a restored copy of the laptop; SEQ_GAP: a lost change)."""

    def __init__(self, message: str, expected: int, code: str = SEQ_GAP) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.code = code


class RateLimited(Exception):
    """Too many failed sign-ins from one address or for one user (429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
