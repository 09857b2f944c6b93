"""Provides `BlobStore`: file content kept once per SHA-256 in the book's data folder
(`<book>.files/ab/abcdef…`), written through a temporary file and renamed, so a crash never
leaves half a file under a hash name.

Pure filesystem: which blobs are uploaded, pinned or still referenced is kept in the
database (storage/repos_files.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{64}\Z")
_READ = 1024 * 1024


class BlobError(ValueError):
    """A blob's content does not match its hash, or a hash is malformed."""


def check_sha(sha: str) -> str:
    if not _SHA.match(sha or ""):
        raise BlobError(f"'{str(sha)[:80]}' is not a SHA-256 in hex")
    return sha


def blob_root(book_path: Path) -> Path:
    """Where a book's files live: next to the book, like its login."""
    return book_path.with_name(book_path.name + ".files")


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_READ):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha: str) -> Path:
        check_sha(sha)
        return self.root / sha[:2] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def put_file(self, source: Path) -> tuple[str, int]:
        """Copy `source` in (once: an existing blob is kept); returns (sha256, size)."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".in-")
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as fh:
                while chunk := fh.read(_READ):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            self._settle(Path(tmp), sha)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return sha, size

    def put_chunks(self, sha: str, chunks: Iterable[bytes]) -> int:
        """Write downloaded content under `sha` after checking it hashes to `sha`."""
        check_sha(sha)
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".dl-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha:
                raise BlobError(f"downloaded content does not match {sha[:12]}…")
            self._settle(Path(tmp), sha)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return size

    def read_range(self, sha: str, offset: int, length: int) -> bytes:
        with self.path(sha).open("rb") as fh:
            fh.seek(offset)
            return fh.read(length)

    def remove(self, sha: str) -> bool:
        path = self.path(sha)
        if not path.exists():
            return False
        path.unlink()
        return True

    def shas(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/*"):
            if _SHA.match(path.name):
                yield path.name

    def copy_out(self, sha: str, dest: Path) -> Path:
        """A copy of the blob at `dest` (a folder: the file keeps no name, so `dest` is
        a file path chosen by the caller)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path(sha), dest)
        return dest

    def _settle(self, tmp: Path, sha: str) -> None:
        final = self.path(sha)
        if final.is_file():
            return  # stored once
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, final)
