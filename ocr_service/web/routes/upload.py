"""The records unit's page: drop many files, watch each document move through the pipeline."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ocr_service.api.deps import ServicesDep
from ocr_service.api.routes import batches as batch_routes
from ocr_service.auth import Action
from ocr_service.web.deps import BatchUser, UploaderUser, check_csrf, render

router = APIRouter(include_in_schema=False)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, services: ServicesDep, user: UploaderUser) -> Response:
    """Drag and drop (or choose) files; each becomes a document whose progress is shown."""
    st = services.settings
    return render(request, "upload.html", {"max_mb": st.upload_limit // (1024 * 1024),
                                           "max_files": st.max_batch_files}, user=user)


@router.post("/upload/batches", status_code=202)
async def upload(request: Request, services: ServicesDep, user: UploaderUser,
                 policy: Annotated[Literal["la-county", "ca-statute"] | None, Query()] = None) -> Response:
    """The same upload as `POST /v1/batches`, for a signed-in browser (CSRF token in X-CSRF-Token)."""
    check_csrf(request, user)
    created = await batch_routes.create_batch(request, services, user.principal, policy)
    return JSONResponse(created.model_dump(mode="json"), status_code=202, headers={"Cache-Control": "no-store"})


@router.get("/upload/batches/{batch_id}")
def batch_status(batch_id: Annotated[str, Path(max_length=64)], services: ServicesDep, user: BatchUser) -> Response:
    """Status of one of the user's batches, with a link to each finished document's case for reviewers."""
    status = batch_routes.get_batch(batch_id, services, user.principal)
    body = status.model_dump(mode="json")
    may_review = user.may(Action.REVIEW_QUEUE)
    for d in body["documents"]:
        d["case_url"] = f"/review/cases/{d['cases'][0]}" if may_review and d.get("cases") else None
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
