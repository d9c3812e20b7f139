"""Documents: the status of one uploaded file, its cases, and its stored page images."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from ocr_service.api import schemas
from ocr_service.api.deps import DocumentReader, PageReader, ServicesDep
from ocr_service.api.errors import NotFound
from ocr_service.blobstore import page_key
from ocr_service.storage import repo

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get("/{document_id}", response_model=schemas.DocumentOut, responses={404: {"model": schemas.ErrorBody}})
def get_document(document_id: str, services: ServicesDep, who: DocumentReader) -> schemas.DocumentOut:
    """Status of one document, the ids of its cases and its error if it failed."""
    with services.db.read() as s:
        d = repo.get_document(s, document_id=document_id)
    if d is None:
        raise NotFound("no such document")
    err = schemas.ErrorInfo(code=d.error_code, message=d.error_message or d.error_code) \
        if d.status == "failed" and d.error_code else None
    return schemas.DocumentOut(id=d.id, file=d.file, status=d.status, cases=list(d.case_ids), error=err,
                               pages=d.pages, attempts=d.attempts, sha256=d.sha256, created_at=d.created_at,
                               finished_at=d.finished_at)


@router.get("/{document_id}/pages/{page}", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, 404: {"model": schemas.ErrorBody}})
def get_page_image(document_id: str, page: Annotated[int, Path(ge=1, le=10000)], services: ServicesDep,
                   who: PageReader) -> Response:
    """A page image as the pipeline stored it (the coordinates of evidence boxes), PNG."""
    with services.db.read() as s:
        d = repo.get_document(s, document_id=document_id)
    key = page_key(document_id, page)
    if d is None or not services.blobs.exists(key):
        raise NotFound("no such page")
    return Response(services.blobs.get_bytes(key), media_type="image/png",
                    headers={"Cache-Control": "private, no-store"})
