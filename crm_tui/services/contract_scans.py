"""Provides a contract's signed scan (issue 19) through the files module (issue 17,
services/files.py): attached to the contract, synced with it and seen by whoever sees the
contract. The contract's old free-text `attachment` field (a path on one laptop) is read
for older contracts only; nothing writes it any more."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui.services import files
from crm_tui.services.payments import get_contract

if TYPE_CHECKING:
    from crm_tui.domain.models import Attachment
    from crm_tui.services.book import Book

NOTE = "signed scan"


def check_scan(book: Book, path: str | Path) -> None:
    """Refuse a missing, unreadable or too large file before anything is written."""
    files.check_file(book, Path(path).expanduser())


def attach_scan(book: Book, contract_ref: str, path: str | Path) -> Attachment:
    """Attach the signed scan at `path` to the contract (id, prefix or number)."""
    contract = get_contract(book, contract_ref)
    return files.attach(book, "contract", contract.id, path, note=NOTE)


def scan_names(book: Book, contract_id: str) -> list[str]:
    """The names of the contract's files (its scans first), or the old field's path."""
    found = files.files_of(book, "contract", contract_id)
    names = [a.name for a in sorted(found, key=lambda a: (a.note != NOTE, a.name))]
    if not names:
        old = get_contract(book, contract_id).attachment
        names = [Path(old).name] if old else []
    return names
