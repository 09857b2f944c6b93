"""Provides the sync wire models shared by the laptop and the server (pydantic, JSON over HTTP).

Every request carries `X-CRM-Protocol` and `X-CRM-Schema` headers; the server answers 426
with a readable message when it cannot talk to this client. A push is a batch of outbox
rows; each gets its own result (a rejection is an answer, not an error). A pull is a page of
change-log rows after a cursor.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PROTOCOL_VERSION = 1
# The field registry's shape as the wire knows it; bump when a synced field is added.
SCHEMA_VERSION = 1
# The server talks to the current client and the one before it (expand, then contract).
SUPPORTED_PROTOCOLS = frozenset({PROTOCOL_VERSION})

PROTOCOL_HEADER = "X-CRM-Protocol"
SCHEMA_HEADER = "X-CRM-Schema"

MAX_BATCH = 500
MAX_PAGE = 5000
MAX_BODY_BYTES = 8 * 1024 * 1024
# A pull page stops before its changes' data passes this many bytes (always >= 1 change).
MAX_PAGE_BYTES = 4 * 1024 * 1024
# Client seqs are stored as SQL BIGINT.
MAX_SEQ = 2**63 - 1
# GET /sync/pull?echo=version: the laptop takes its own unchanged writes as version-only
# changes (op "version"); without it, full rows as before.
PULL_ECHO_PARAM = "echo"
ECHO_VERSION = "version"
# GET /sync/pull?notices=1: the laptop takes "conflict" changes (its rep's value overwritten
# by a newer concurrent edit); a laptop that does not ask is not sent them.
PULL_NOTICES_PARAM = "notices"
# GET /sync/pull?clocks=compact: the laptop reads compact field clocks ("*" = the clock of
# every field not named; domain/field_clocks.py); without it, each "*" is written out.
PULL_CLOCKS_PARAM = "clocks"
CLOCKS_COMPACT = "compact"
# The `code` of a push's 409: a seq already used by another change (a restored copy of the
# laptop: renew the device) or a seq skipped (a lost change).
SEQ_REUSED = "seq_reused"
SEQ_GAP = "seq_gap"

Entity = Literal[
    "user",
    "customer",
    "contact",
    "competitor",
    "opportunity",
    "opportunity_line",
    "activity",
    "expense",
    "announcement",
    "saved_query",
    "lost_reason",
    # Quote to cash (issue 19): an expansion, old laptops never send them.
    "product",
    "quote",
    "quote_line",
    "contract",
    "payment_plan",
    "payment",
    # Marketing (issue 16): an expansion, old laptops never send them.
    "campaign",
    "campaign_member",
    "partner",
    # Files (issue 17): an expansion, old laptops never send them.
    "folder",
    "attachment",
    "kb_article",
    "kb_question",
    "kb_answer",
    "kb_vote",
    # The pool, check-ins and targets (issue 18): an expansion like the ones above.
    "pool_rule",
    "checkin",
    "target",
    # After-sales service (issue 15): an expansion as well.
    "service",
    "service_plan",
    # Office (issue 17): work reports, their comments and reads, the rule, the contact log.
    "work_report",
    "report_comment",
    "report_read",
    "report_rule",
    "contact_log",
    # Customer insight (issue 22): the satisfaction record.
    "survey",
]
MutationKind = Literal["create", "patch", "delete", "restore", "command"]
ResultStatus = Literal["applied", "applied_with_conflict", "duplicate", "rejected"]

_ID = Field(min_length=1, max_length=64, pattern=r"^[\w\-]+$")


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_json_value(value: Any, depth: int = 0) -> Any:
    """Refuse what JSON cannot carry back out: NaN, Infinity (also `1e999999`), lone
    surrogates, nesting deeper than 8 (422 on the request, never a 500 later)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite (no NaN or Infinity)")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    elif isinstance(value, dict | list):
        if depth > 8:
            raise ValueError("values are nested too deeply")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            check_json_value(key, depth + 1)
            check_json_value(item, depth + 1)
    return value


class Mutation(WireModel):
    """One outbox row: a change made on a laptop, in the order it was made."""

    client_seq: int = Field(ge=1, le=MAX_SEQ)
    mutation_id: str = _ID
    entity: Entity
    row_id: str = _ID
    kind: MutationKind
    payload: dict[str, Any] = Field(max_length=64)
    base_version: int = Field(default=0, ge=0)
    hlc: str = Field(min_length=20, max_length=120, pattern=r"^\d{16}-\d{6}-[\w\-]+$")

    @field_validator("payload")
    @classmethod
    def _payload_is_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_json_value(value)


class PushRequest(WireModel):
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)


class FieldConflict(WireModel):
    """A value that lost (or was overwritten by) a concurrent edit of the same field."""

    field: str
    yours: Any = None
    theirs: Any = None
    your_hlc: str | None = None
    their_hlc: str | None = None
    # "deleted": the rep's edit reached a row deleted on the server and was not applied
    # (`yours` is the lost value; the laptop offers to restore the row with it).
    winner: Literal["yours", "theirs", "deleted"]
    who: str | None = None
    reason: str | None = None


class MutationResult(WireModel):
    client_seq: int
    mutation_id: str
    status: ResultStatus
    # For a duplicate: what the first delivery of this mutation got.
    first_status: ResultStatus | None = None
    reason: str | None = None
    conflicts: list[FieldConflict] = Field(default_factory=list)
    # The server's row after this mutation when it differs from what the laptop wrote
    # (rejections, lost fields), so the laptop can put it back at once.
    row: dict[str, Any] | None = None


class PushResponse(WireModel):
    results: list[MutationResult]
    server_hlc: str


class Change(WireModel):
    """One change-log row: the full row as this user may see it, or its removal from view."""

    seq: int
    entity: Entity
    row_id: str
    # "version" (only to a laptop that pulls with `echo=version`): this device's own write,
    # kept as it sent it; only the row's server version (= seq) is new (CONTRACT-21.md).
    # "conflict": `data` is a FieldConflict from this rep's side: her value on the row was
    # overwritten by another member's newer concurrent edit (server/crud/merge.py).
    op: Literal["upsert", "remove", "version", "conflict"]
    data: dict[str, Any] | None = None


class PullResponse(WireModel):
    changes: list[Change]
    cursor: int
    has_more: bool
    server_hlc: str


class EnrolRequest(WireModel):
    user: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=4, max_length=64)
    device_name: str = Field(default="laptop", max_length=100)
    # The laptop's last outbox seq already spent before this login, so the server's
    # high-water mark starts there and a gap still means a lost change.
    last_client_seq: int = Field(default=0, ge=0, le=MAX_SEQ)

    @field_validator("user", "code", "device_name")
    @classmethod
    def _text_is_unicode(cls, value: str) -> str:
        return check_json_value(value)


class DeviceRenewRequest(WireModel):
    """POST /auth/device/renew: a restored laptop becomes a new device of the same account
    (bearer: its current token); None keeps the old device's name."""

    device_name: str | None = Field(default=None, max_length=100)

    @field_validator("device_name")
    @classmethod
    def _text_is_unicode(cls, value: str | None) -> str | None:
        return check_json_value(value)


class EnrolResponse(WireModel):
    token: str
    device_id: str
    user_id: str
    user_name: str
    role: str
    server_hlc: str


class Problem(BaseModel):
    """The body of every 4xx: one sentence a rep can act on."""

    detail: Any


def version_headers() -> dict[str, str]:
    return {PROTOCOL_HEADER: str(PROTOCOL_VERSION), SCHEMA_HEADER: str(SCHEMA_VERSION)}
