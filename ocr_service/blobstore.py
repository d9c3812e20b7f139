"""Scans and page images behind one small interface; a local (or shared, e.g. NFS) folder by default.

Writes are durable: a blob is written to a staging file, fsynced, renamed into place and its folder
fsynced, so a blob the service has acknowledged survives a crash or a power cut.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class BlobStore(Protocol):
    """Where document files and page images live, addressed by a relative key like `scans/ab/<sha>.pdf`."""

    def staging_file(self) -> BinaryIO: ...

    def commit_staged(self, staged: BinaryIO, key: str) -> None: ...

    def discard_staged(self, staged: BinaryIO) -> None: ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def get_bytes(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def local_path(self, key: str) -> AbstractContextManager[Path]: ...


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """Blobs as files under `root`. Staging files live in `root/.staging` (same file system: atomic rename)."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.staging = self.root / ".staging"
        self.staging.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not _KEY_RE.match(key) or ".." in key.split("/"):
            raise ValueError(f"bad blob key {key!r}")
        return self.root / key

    def staging_file(self) -> BinaryIO:
        """A new open file to stream an upload into; then `commit_staged` or `discard_staged`."""
        return tempfile.NamedTemporaryFile(dir=self.staging, prefix="up-", delete=False)  # noqa: SIM115

    def commit_staged(self, staged: BinaryIO, key: str) -> None:
        """Make a staged file the blob `key`, durably (fsync file, rename, fsync folder)."""
        staged.flush()
        os.fsync(staged.fileno())
        staged.close()
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.name, dest)
        fsync_dir(dest.parent)

    def discard_staged(self, staged: BinaryIO) -> None:
        staged.close()
        Path(staged.name).unlink(missing_ok=True)

    def put_bytes(self, key: str, data: bytes) -> None:
        f = self.staging_file()
        try:
            f.write(data)
        except BaseException:
            self.discard_staged(f)
            raise
        self.commit_staged(f, key)

    def get_bytes(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        """A path the pipeline can open (here the blob itself; a remote store would download to a temp file)."""
        p = self._path(key)
        if not p.is_file():
            raise FileNotFoundError(key)
        yield p

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def clean_staging(self, older_than_s: float = 3600) -> int:
        """Remove staging files left by a crash during an upload."""
        import time

        n = 0
        for f in self.staging.glob("up-*"):
            if time.time() - f.stat().st_mtime > older_than_s:
                f.unlink(missing_ok=True)
                n += 1
        return n

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)


def scan_key(sha256: str, kind: str) -> str:
    return f"scans/{sha256[:2]}/{sha256}.{kind}"


def page_key(document_id: str, page: int) -> str:
    return f"pages/{document_id}/{page:04d}.png"
