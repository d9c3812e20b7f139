"""The review queue and the case view: see the scan with its boxes, confirm or correct, save, next case."""
from __future__ import annotations

import datetime as dt
import struct
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ocr_service import audit
from ocr_service.api import schemas
from ocr_service.api.deps import ServicesDep
from ocr_service.api.errors import Conflict, InvalidCorrection, NotFound
from ocr_service.api.routes import cases as case_routes
from ocr_service.auth import Action
from ocr_service.blobstore import page_key
from ocr_service.storage import repo
from ocr_service.storage.context import Services
from ocr_service.web import views
from ocr_service.web.deps import (
    CorrectorUser,
    MaybeUser,
    PageForbidden,
    PageImageUser,
    ReviewerUser,
    WebUser,
    check_csrf,
    render,
)
from ocr_service.web.routes.auth import signin_page
from ocr_service.web.session import CSRF_FIELD

router = APIRouter(include_in_schema=False)

PER_PAGE = 50
REASON = Annotated[str | None, Query(max_length=60, pattern=r"^[a-z0-9_]*$")]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@router.get("/review", response_class=HTMLResponse)
def queue(request: Request, services: ServicesDep, user: MaybeUser, reason: REASON = None,
          page: Annotated[int, Query(ge=1, le=100_000)] = 1, next: str | None = None) -> Response:
    """The review queue, oldest first, filterable by reason; without a session, the sign-in form."""
    if user is None:
        return signin_page(request, next_path=next)
    if not user.may(Action.REVIEW_QUEUE):
        raise PageForbidden(user, "open the review queue")
    reason = reason or None
    with services.db.write() as s:
        items, total = repo.review_queue(s, reason=reason, page=page, per_page=PER_PAGE)
        counts = repo.review_reason_counts(s)
        everything = repo.review_queue_size(s)
        if items:
            audit.record(s, who=user.principal, action=audit.REVIEW_QUEUE, detail={"cases": [c.id for c in items]})
    now = _now()
    rows = [{"id": c.id, "case_number": c.record.get("case_number"), "file": (c.record.get("source") or {}).get("file"),
             "reasons": (c.record.get("review") or {}).get("reasons") or [], "outcome": c.outcome,
             "waiting": views.age(c.created_at, now), "created_at": c.created_at,
             "charges": len(c.record.get("charges") or [])} for c in items]
    return render(request, "review_queue.html", {
        "rows": rows, "total": total, "everything": everything, "reason": reason,
        "counts": sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), "page": page,
        "pages": max(1, (total + PER_PAGE - 1) // PER_PAGE)}, user=user)


def _png_size(services: Services, key: str) -> tuple[int, int] | None:
    """Width and height of a stored PNG, from its header."""
    if not services.blobs.exists(key):
        return None
    with services.blobs.local_path(key) as p, open(p, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    return struct.unpack(">II", head[16:24])


def _page_images(services: Services, document_id: str, pages: int) -> list[dict]:
    out = []
    for n in range(1, max(pages, 1) + 1):
        size = _png_size(services, page_key(document_id, n))
        if size:
            out.append({"number": n, "width": size[0], "height": size[1],
                        "url": f"/review/pages/{document_id}/{n}.png"})
    return out


def _render_case(request: Request, services: Services, user: WebUser, case: repo.CaseView, *,
                 saved: bool = False, error: str | None = None, error_field: str | None = None,
                 form: dict | None = None, accepted: list[str] | None = None, note: str = "",
                 status: int = 200) -> HTMLResponse:
    record = case.record
    view = views.case_view(record)
    with services.db.read() as s:
        doc = repo.get_document(s, document_id=case.document_id)
        entries, _ = repo.list_audit(s, target=case.id, per_page=50)
        position = repo.queue_position(s, case_id=case.id)
        waiting = repo.review_queue_size(s)
    pages = _page_images(services, case.document_id, (doc.pages if doc else None)
                         or (record.get("source") or {}).get("pages") or 1)
    trail = [views.audit_line(e.action, e.at, e.actor_name, e.before, e.after, e.detail) for e in entries]
    last_fix = next((e for e in entries if e.action == audit.CASE_CORRECT), None)
    before_outcome = ((last_fix.before or {}).get("relief") or {}).get("outcome") if last_fix else None
    return render(request, "review_case.html", {
        "case": case, "record": record, "view": view, "pages": pages, "trail": trail, "saved": saved,
        "before_outcome": before_outcome, "position": position, "waiting": waiting, "error": error,
        "error_field": error_field, "form": form or {}, "accepted": set(accepted or ()), "note": note,
        "file": (record.get("source") or {}).get("file") or (doc.file if doc else "")}, user=user, status=status)


def _load(services: Services, case_id: str) -> repo.CaseView | None:
    with services.db.read() as s:
        return repo.get_case(s, case_id=case_id)


def _not_found(request: Request, user: WebUser) -> HTMLResponse:
    return render(request, "message.html", {"title": "No such case",
                                            "message": "That case does not exist (or no longer exists)."},
                  user=user, status=404)


@router.get("/review/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: Annotated[str, Path(max_length=64)], services: ServicesDep,
              user: ReviewerUser, saved: int = 0) -> Response:
    """One case: the page images with evidence boxes beside its fields, decisions and audit trail."""
    with services.db.write() as s:
        case = repo.get_case(s, case_id=case_id)
        if case is None:
            return _not_found(request, user)
        audit.record(s, who=user.principal, action=audit.CASE_READ, target=case_id,
                     detail={"version": case.version, "via": "review desk"})
    return _render_case(request, services, user, case, saved=bool(saved))


@router.post("/review/cases/{case_id}", response_class=HTMLResponse)
async def save_case(request: Request, case_id: Annotated[str, Path(max_length=64)], services: ServicesDep,
                    user: CorrectorUser) -> Response:
    """Save the reviewer's corrections and acceptances; the relief decision is made again."""
    form = await request.form()
    check_csrf(request, user, str(form.get(CSRF_FIELD) or ""))
    case = _load(services, case_id)
    if case is None:
        return _not_found(request, user)
    values = {k: str(v) for k, v in form.items() if k not in (CSRF_FIELD, "accept", "note", "version")}
    accepted = [str(v) for v in form.getlist("accept")]
    note = str(form.get("note") or "").strip()[:2000]
    try:
        version = int(str(form.get("version") or ""))
    except ValueError:
        version = None
    fields = views.corrections_from_form(case.record, values, accepted)
    if not fields:
        return _render_case(request, services, user, case, error="Nothing to save: correct or accept a field first.",
                            form=values, note=note, status=422)
    body = schemas.CorrectionIn(fields=fields, note=note or None, version=version)
    try:
        case_routes.correct_case(case_id, body, services, user.principal)
    except InvalidCorrection as e:
        field = e.message.split(":", 1)[0]
        return _render_case(request, services, user, case, error=e.message, error_field=field, form=values,
                            accepted=accepted, note=note, status=422)
    except Conflict:
        fresh = _load(services, case_id) or case
        return _render_case(request, services, user, fresh, status=409,
                            error="Someone else saved this case while you worked on it. Their version is shown "
                                  "now; please check it and make your change again.")
    except NotFound:
        return _not_found(request, user)
    return RedirectResponse(f"/review/cases/{case_id}?saved=1", status_code=303)


@router.get("/review/next")
def next_case(request: Request, services: ServicesDep, user: ReviewerUser,
              after: Annotated[str | None, Query(max_length=64)] = None, reason: REASON = None) -> Response:
    """The next case in the queue after `after` (or the first); back to the queue when it is empty."""
    with services.db.read() as s:
        nxt = repo.next_in_queue(s, after_case_id=after, reason=reason or None)
    if nxt is None:
        return RedirectResponse("/review?empty=1", status_code=303)
    return RedirectResponse(f"/review/cases/{nxt}", status_code=303)


@router.get("/review/pages/{document_id}/{page}.png")
def page_image(document_id: Annotated[str, Path(max_length=64)], page: Annotated[int, Path(ge=1, le=10000)],
               services: ServicesDep, user: PageImageUser) -> Response:
    """A stored page image (the coordinates of the evidence boxes)."""
    key = page_key(document_id, page)
    with services.db.read() as s:
        doc = repo.get_document(s, document_id=document_id)
    if doc is None or not services.blobs.exists(key):
        return Response("no such page", status_code=404, media_type="text/plain")
    return Response(services.blobs.get_bytes(key), media_type="image/png",
                    headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
