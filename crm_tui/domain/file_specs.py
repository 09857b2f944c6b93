"""Provides the field specs of files (issue 17): attachments (a file hung on any record, or
in the team library) and library folders, and the one place the file limits are stated.

Content is stored once by SHA-256; an attachment row is the metadata that syncs like any
record. `domain/fields.py` adds these specs to the one registry.
"""

from __future__ import annotations

from crm_tui.domain.field_values import EntitySpec
from crm_tui.domain.field_values import FieldSpec as F

# --- limits (README "Files"): the laptop checks them before any upload, the server again ---
MAX_FILE_BYTES = 25 * 1024 * 1024  # one file
TEAM_QUOTA_BYTES = 10 * 1024**3  # all of a team's stored content (each blob counted once)
# One upload request carries at most this much (under the server's 8 MB body limit).
CHUNK_BYTES = 4 * 1024 * 1024

# Records a file may not hang on: the files themselves and the team list.
NOT_ATTACHABLE = frozenset({"attachment", "folder", "user", "saved_query"})


def human_size(size: int) -> str:
    """1536 -> '1.5 KB' (binary units, one decimal)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def too_large(name: str, size: int, limit: int | None = None) -> str | None:
    """The sentence refusing a file over the per-file limit (None when it fits)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    if size <= limit:
        return None
    shown = human_size(size)
    if shown == human_size(limit):  # just over: the rounded sizes would read the same
        shown = f"{size:,} bytes"
        return f"{name} is {shown}; files are limited to {limit:,} bytes ({human_size(limit)}) each"
    return f"{name} is {shown}; files are limited to {human_size(limit)} each"


def over_quota(size: int, used: int, quota: int | None = None) -> str | None:
    """The sentence refusing a file that would take the team past its quota."""
    quota = TEAM_QUOTA_BYTES if quota is None else quota
    if used + size <= quota:
        return None
    return (
        f"the team's files would take {human_size(used + size)}; "
        f"the team's limit is {human_size(quota)} (delete unused files first)"
    )


FILE_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        "folder",
        "folder",
        "name",
        (
            F("name", "text", required=True),
            F("parent_id", "ref", "Parent", ref="folder"),
        ),
        plural="folders",
    ),
    EntitySpec(
        "attachment",
        "attachment",
        "name",
        (
            F("name", "text", required=True, max_len=255),
            # The record the file hangs on (any kind), or none: a team library file.
            F("record_entity", "text", "On", max_len=40),
            F("record_id", "text", "Record", max_len=64),
            F("folder_id", "ref", "Folder", ref="folder"),
            F("sha256", "text", "SHA-256", required=True, max_len=64),
            F("size", "int", required=True),
            F("mime", "text", max_len=100),
            F("note", "longtext", max_len=2_000),
        ),
        plural="files",
        aliases=("attachments", "file"),
    ),
)
