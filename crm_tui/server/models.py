"""Provides the server's own tables (a registry apart from the laptop's models).

Synced rows live in one `record` table: the field registry's values as JSON with a clock
and a change-log version per field, so the server merges any entity the same way and keeps
fields a newer laptop sends. `change_log` holds a snapshot per change and partition; its
`seq` comes from the one-row `change_counter`, taken last in each write transaction, so
seq order is commit order and a pull cursor never skips a row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Index, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class ServerModel(SQLModel, registry=registry()):
    pass


class Account(ServerModel, table=True):
    """A team member (the `user` entity the laptops see is kept in step with it)."""

    __tablename__ = "account"
    id: str = Field(primary_key=True)
    name: str = Field(index=True, unique=True)
    email: str | None = None
    role: str = "rep"
    team_id: str = "team"
    revoked: bool = False
    created_at: datetime


class Enrolment(ServerModel, table=True):
    """A one-time code an admin hands a rep; only its hash is kept."""

    __tablename__ = "enrolment"
    code_hash: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class Device(ServerModel, table=True):
    """One laptop database of one user, with its bearer token's hash and push high-water mark."""

    __tablename__ = "device"
    id: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    name: str = "laptop"
    token_hash: str = Field(index=True, unique=True)
    last_client_seq: int = 0
    revoked: bool = False
    created_at: datetime
    last_seen_at: datetime | None = None


class AppliedMutation(ServerModel, table=True):
    """The answer given to each pushed mutation, so a retried push gets the same answer."""

    __tablename__ = "applied_mutation"
    device_id: str = Field(primary_key=True)
    client_seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    mutation_id: str = Field(index=True)
    result: str = Field(sa_column=Column(Text, nullable=False))


class Record(ServerModel, table=True):
    __tablename__ = "record"
    id: str = Field(primary_key=True)
    entity: str = Field(index=True)
    owner_id: str | None = None
    partition: str
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    deleted: bool = False
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    field_hlc: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    field_version: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime
    updated_at: datetime
    updated_by: str | None = None
    # Extra partitions (`read:<id>`, space-separated) the row is logged in: the members the
    # rule book's READER_FIELDS names (an assigned engineer, a report's recipients).
    readers: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ChangeLog(ServerModel, table=True):
    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_partition_seq", "partition", "seq"),)
    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    partition: str
    entity: str
    row_id: str = Field(index=True)
    op: str
    data: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The device whose push wrote exactly these values on the version it had seen (pull
    # sends it only the new version: CONTRACT-21.md); NULL when anyone else may differ.
    origin: str | None = None


class ChangeCounter(ServerModel, table=True):
    """One row: the last change-log seq handed out."""

    __tablename__ = "change_counter"
    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class ServerClockMark(ServerModel, table=True):
    """One row: the highest hybrid-clock stamp any worker issued or accepted, so every
    worker (and host) issues stamps above it (core/clock.py)."""

    __tablename__ = "server_clock"
    id: int = Field(default=1, primary_key=True)
    hlc: str = ""


class CustomerKey(ServerModel, table=True):
    """Normalised name / phone / e-mail of a customer, to flag two reps claiming one company."""

    __tablename__ = "customer_key"
    key: str = Field(primary_key=True)
    # Indexed on its own too: a customer's keys are replaced by row id on every push.
    row_id: str = Field(primary_key=True, index=True)
    owner_id: str | None = None


class ServerMeta(ServerModel, table=True):
    __tablename__ = "server_meta"
    key: str = Field(primary_key=True)
    value: str


class SignInFailure(ServerModel, table=True):
    """Failed sign-ins (bad enrolment codes, unknown tokens) per key (`addr:<ip>`,
    `user:<name>`) in the current window; kept in the database so every worker sees them."""

    __tablename__ = "sign_in_failure"
    key: str = Field(primary_key=True)
    window_start: datetime
    failures: int = 0
    blocked_until: datetime | None = None


class ServerConflict(ServerModel, table=True):
    """A value that lost on the server and is not on any row (an edit of a deleted row), so
    a manager can still see it (`crm server conflicts`)."""

    __tablename__ = "server_conflict"
    id: int | None = Field(default=None, primary_key=True)
    entity: str
    row_id: str = Field(index=True)
    field: str
    lost_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    user_id: str | None = None
    reason: str
    created_at: datetime


class ClockNode(ServerModel, table=True):
    """The user whose laptop first pushed with this clock node id: another user's edits may
    not carry it (they would pass as that laptop's own and skip conflict detection)."""

    __tablename__ = "clock_node"
    node: str = Field(primary_key=True)
    user_id: str
    device_id: str
    created_at: datetime


TABLES = [
    m.__table__
    for m in (
        Account,
        Enrolment,
        Device,
        AppliedMutation,
        Record,
        ChangeLog,
        ChangeCounter,
        CustomerKey,
        ServerMeta,
    )
]
# Tables of later revisions (TABLES stays the first release's, which tests rebuild).
LATER_TABLES = [m.__table__ for m in (SignInFailure, ServerConflict, ClockNode, ServerClockMark)]


# --- files (issue 17): content by SHA-256, in chunks, apart from the synced records ---
class Blob(ServerModel, table=True):
    """Content the server holds whole (its hash checked); `holder` is the user whose
    uploaded chunks are kept (another user's upload of the same content is checked against
    the hash and dropped)."""

    __tablename__ = "blob"
    sha256: str = Field(primary_key=True)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    holder: str
    created_at: datetime


class BlobUpload(ServerModel, table=True):
    """One user's upload of one blob: how far it got (an upload resumes from here)."""

    __tablename__ = "blob_upload"
    sha256: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    received: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    complete: bool = False
    started_at: datetime


class BlobChunk(ServerModel, table=True):
    __tablename__ = "blob_chunk"
    sha256: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    offset: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class PoolLog(ServerModel, table=True):
    """The customer pool's releases, claims and assigns (issue 18, revision 0007): a release
    is unique per ownership period, and the reclaim wait reads the newest one."""

    __tablename__ = "pool_log"
    __table_args__ = (
        UniqueConstraint("event", "customer_id", "period", name="uq_pool_log_period"),
        Index("ix_pool_log_customer", "customer_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: str
    event: str
    owner_id: str | None = None
    by_id: str | None = None
    period: str
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
