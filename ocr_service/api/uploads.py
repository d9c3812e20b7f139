"""Streaming upload of a multipart batch: each file goes to disk in chunks while it is hashed.

Memory stays flat in the size and the number of files: nothing is held but the current chunk. Each
part is checked (size, type sniffed from its first bytes, declared type consistent) and either staged
durably in the blob store (fsync of file and folder) or rejected with a coded error; a bad file never
stops the rest of the batch.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import BinaryIO

import anyio
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header

from ocr_service.api.errors import BadUpload, TooManyFiles
from ocr_service.blobstore import LocalBlobStore, scan_key
from ocr_service.errors import CleardocketError, EmptyFile, FileTooLarge, UnsupportedType

FIELD = "files"

# Magic numbers of the accepted kinds, and the declared content types that may go with each.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"),
)
_DECLARED = {
    "pdf": {"application/pdf", "application/x-pdf"},
    "png": {"image/png"},
    "jpeg": {"image/jpeg", "image/jpg", "image/pjpeg"},
    "tiff": {"image/tiff", "image/tif", "image/x-tiff"},
}
_GENERIC = {"", "application/octet-stream", "binary/octet-stream", "application/x-download"}


def sniff(head: bytes) -> str | None:
    """The document kind from its first bytes (pdf, png, jpeg, tiff), or None."""
    head = head.lstrip(b"\x00\t\r\n ") if head[:1] in (b"\x00", b"\t", b"\r", b"\n", b" ") else head
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def safe_name(raw: str, position: int) -> str:
    """The base name of an uploaded file, without folders or control characters."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or f"upload-{position + 1}"


@dataclass
class Part:
    """One uploaded file: either staged (accepted) or rejected with an error."""

    position: int
    file: str
    declared_type: str
    size: int = 0
    sha256: str = ""
    kind: str | None = None
    blob_key: str | None = None
    error: CleardocketError | None = None
    _staged: BinaryIO | None = None
    _hash: hashlib._Hash = field(default_factory=hashlib.sha256)
    _head: bytes = b""
    _too_large: bool = False


class _Receiver:
    """python-multipart callbacks writing each file part to a staging file."""

    def __init__(self, blobs: LocalBlobStore, *, max_bytes: int, max_files: int):
        self.blobs, self.max_bytes, self.max_files = blobs, max_bytes, max_files
        self.parts: list[Part] = []
        self.finished: list[Part] = []
        self._headers: dict[bytes, bytes] = {}
        self._hname = b""
        self._hvalue = b""
        self._current: Part | None = None

    def on_part_begin(self) -> None:
        self._headers, self._current = {}, None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._hname += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._hvalue += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._hname.strip().lower()] = self._hvalue.strip()
        self._hname = self._hvalue = b""

    def on_headers_finished(self) -> None:
        _, opts = parse_options_header(self._headers.get(b"content-disposition", b""))
        if opts.get(b"name") != FIELD.encode() or b"filename" not in opts:
            return  # not a file of the `files` field: ignored
        if len(self.parts) >= self.max_files:
            raise TooManyFiles(f"at most {self.max_files} files per batch")
        ctype, _ = parse_options_header(self._headers.get(b"content-type", b""))
        part = Part(position=len(self.parts), file=safe_name(opts[b"filename"].decode("utf-8", "replace"),
                                                             len(self.parts)),
                    declared_type=ctype.decode("latin-1").lower())
        part._staged = self.blobs.staging_file()
        self.parts.append(part)
        self._current = part

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        p = self._current
        if p is None:
            return
        chunk = data[start:end]
        p.size += len(chunk)
        if len(p._head) < 16:
            p._head += chunk[:16 - len(p._head)]
        if p._too_large:
            return
        if p.size > self.max_bytes:
            p._too_large = True
            self.blobs.discard_staged(p._staged)
            p._staged = None
            return
        p._hash.update(chunk)
        p._staged.write(chunk)

    def on_part_end(self) -> None:
        p = self._current
        if p is None:
            return
        self._current = None
        p.sha256 = p._hash.hexdigest()
        p.error = _check(p, self.max_bytes)
        if p.error is None:
            p.kind = sniff(p._head)
        elif p._staged is not None:
            self.blobs.discard_staged(p._staged)
            p._staged = None
        self.finished.append(p)

    def abandon(self) -> None:
        for p in self.parts:
            if p._staged is not None:
                self.blobs.discard_staged(p._staged)
                p._staged = None


def _check(p: Part, max_bytes: int) -> CleardocketError | None:
    if p._too_large:
        return FileTooLarge(f"the file is larger than the limit of {max_bytes} bytes")
    if p.size == 0:
        return EmptyFile("the file is empty")
    kind = sniff(p._head)
    if kind is None:
        return UnsupportedType("not a PDF, TIFF, PNG or JPEG file (by its content)")
    if p.declared_type not in _GENERIC and p.declared_type not in _DECLARED[kind]:
        return UnsupportedType(f"declared as {p.declared_type[:60]} but the content is {kind}")
    return None


def _commit(blobs: LocalBlobStore, p: Part) -> None:
    key = scan_key(p.sha256, p.kind or "bin")
    if blobs.exists(key):
        blobs.discard_staged(p._staged)
    else:
        blobs.commit_staged(p._staged, key)  # fsync file + folder before the batch is acknowledged
    p._staged = None
    p.blob_key = key


async def receive(stream: AsyncIterator[bytes], content_type: str, blobs: LocalBlobStore, *, max_bytes: int,
                  max_files: int) -> list[Part]:
    """Read a multipart body to staged blobs; returns the parts in upload order (accepted or rejected)."""
    ctype, opts = parse_options_header(content_type or "")
    if ctype != b"multipart/form-data" or not opts.get(b"boundary"):
        raise BadUpload("send the files as multipart/form-data, field 'files'")
    rx = _Receiver(blobs, max_bytes=max_bytes, max_files=max_files)
    parser = MultipartParser(opts[b"boundary"], callbacks={
        "on_part_begin": rx.on_part_begin, "on_part_data": rx.on_part_data, "on_part_end": rx.on_part_end,
        "on_header_field": rx.on_header_field, "on_header_value": rx.on_header_value,
        "on_header_end": rx.on_header_end, "on_headers_finished": rx.on_headers_finished})
    try:
        async for chunk in stream:
            parser.write(chunk)
            for p in rx.finished:
                if p.error is None:
                    await anyio.to_thread.run_sync(_commit, blobs, p)
            rx.finished.clear()
        parser.finalize()
        for p in rx.finished:
            if p.error is None:
                await anyio.to_thread.run_sync(_commit, blobs, p)
        rx.finished.clear()
    except MultipartParseError as e:
        rx.abandon()
        raise BadUpload(f"the multipart body could not be read ({type(e).__name__})") from e
    except BaseException:
        rx.abandon()
        raise
    if rx._current is not None or any(p._staged is not None for p in rx.parts):
        rx.abandon()
        raise BadUpload("the multipart body ended inside a file")
    if not rx.parts:
        raise BadUpload("no files: send one or more parts named 'files'")
    return rx.parts
