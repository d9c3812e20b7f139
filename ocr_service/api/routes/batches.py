"""Batches: upload many files at once, then follow their status."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Query, Request
from sqlalchemy.exc import IntegrityError

from ocr_service.api import schemas
from ocr_service.api.deps import BatchReader, ServicesDep, Uploader
from ocr_service.api.errors import NotFound
from ocr_service.api.uploads import FIELD, Part, receive
from ocr_service.logging import event
from ocr_service.storage import repo
from ocr_service.storage.context import Services

router = APIRouter(prefix="/v1/batches", tags=["batches"])
log = logging.getLogger("cleardocket.api")

_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": [FIELD],
    "properties": {FIELD: {"type": "array", "items": {"type": "string", "format": "binary"},
                           "description": "PDF, TIFF, PNG or JPEG files; one file is one docket."}}}}}}}


def _error(code: str | None, message: str | None) -> schemas.ErrorInfo | None:
    return schemas.ErrorInfo(code=code, message=message or code) if code else None


def _store(services: Services, parts: list[Part], *, who: str,
           policy: str | None) -> tuple[str, list[schemas.DocumentRef], list[str]]:
    """Record the batch and its documents in one transaction; duplicates link the existing document."""
    now = dt.datetime.now(dt.timezone.utc)
    batch_id = str(uuid.uuid4())
    refs: list[schemas.DocumentRef] = []
    new_ids: list[str] = []
    with services.db.write() as s:
        repo.create_batch(s, batch_id=batch_id, created_by=who, now=now)
        for p in parts:
            doc, duplicate = None, False
            if p.error is None:
                doc = repo.find_document_by_sha256(s, sha256=p.sha256)
                duplicate = doc is not None
                if doc is None:
                    try:
                        with s.begin_nested():
                            doc = repo.add_document(s, document_id=str(uuid.uuid4()), file=p.file, sha256=p.sha256,
                                                    size=p.size, kind=p.kind, blob_key=p.blob_key, policy=policy,
                                                    now=now)
                        new_ids.append(doc.id)
                    except IntegrityError:  # the same file arrived in a concurrent batch a moment ago
                        doc, duplicate = repo.find_document_by_sha256(s, sha256=p.sha256), True
            else:
                doc = repo.add_document(s, document_id=str(uuid.uuid4()), file=p.file, sha256=p.sha256 or None,
                                        size=p.size, kind=None, blob_key=None, policy=policy, now=now,
                                        error_code=p.error.code, error_message=p.error.message)
            repo.link_document(s, batch_id=batch_id, position=p.position, document_id=doc.id, file=p.file,
                               duplicate=duplicate)
            refs.append(schemas.DocumentRef(id=doc.id, file=p.file, status=doc.status, duplicate=duplicate,
                                            error=_error(doc.error_code, doc.error_message)
                                            if doc.status == "failed" else None))
    return batch_id, refs, new_ids


@router.post("", status_code=202, response_model=schemas.BatchCreated, openapi_extra=_UPLOAD_BODY,
             responses={400: {"model": schemas.ErrorBody}, 413: {"model": schemas.ErrorBody}})
async def create_batch(request: Request, services: ServicesDep, who: Uploader,
                       policy: Annotated[Literal["la-county", "ca-statute"] | None, Query()] = None
                       ) -> schemas.BatchCreated:
    """Upload one or more files (multipart field `files`); each is stored durably before this answers."""
    st = services.settings
    parts = await receive(request.stream(), request.headers.get("content-type", ""), services.blobs,
                          max_bytes=st.upload_limit, max_files=st.max_batch_files)
    batch_id, refs, new_ids = await anyio.to_thread.run_sync(
        lambda: _store(services, parts, who=who.key_id, policy=policy))
    enqueue = getattr(request.app.state, "enqueue", None)
    if enqueue is not None and new_ids:
        await anyio.to_thread.run_sync(enqueue, new_ids)
    event(log, "batch.created", batch_id=batch_id, key_id=who.key_id, documents=len(refs),
          rejected=sum(r.error is not None for r in refs), duplicates=sum(r.duplicate for r in refs))
    return schemas.BatchCreated(id=batch_id, documents=refs)


@router.get("/{batch_id}", response_model=schemas.BatchStatus, responses={404: {"model": schemas.ErrorBody}})
def get_batch(batch_id: str, services: ServicesDep, who: BatchReader) -> schemas.BatchStatus:
    """Status counts and the documents of a batch."""
    with services.db.read() as s:
        b = repo.get_batch(s, batch_id=batch_id)
    if b is None or (who.role == "uploader" and b.created_by != who.key_id):
        raise NotFound("no such batch")
    docs = [schemas.BatchDocument(id=i.document.id, file=i.file, status=i.document.status, duplicate=i.duplicate,
                                  cases=list(i.document.case_ids),
                                  error=_error(i.document.error_code, i.document.error_message)
                                  if i.document.status == "failed" else None) for i in b.items]
    counts = Counter(d.status for d in docs)
    return schemas.BatchStatus(id=b.id, created_at=b.created_at,
                               counts={st: counts.get(st, 0) for st in ("queued", "processing", "done", "failed")}
                               | {"total": len(docs)}, documents=docs)
