"""Cases: read, list, the review queue and corrections. Every read and correction is audited."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from ocr_service import audit
from ocr_service.api import corrections, schemas
from ocr_service.api.deps import CaseReader, Corrector, Reviewer, ServicesDep
from ocr_service.api.errors import Conflict, NotFound
from ocr_service.api.schemas import OutcomeName
from ocr_service.storage import repo

router = APIRouter(tags=["cases"])

Page = Annotated[int, Query(ge=1, le=1_000_000)]
PerPage = Annotated[int, Query(ge=1, le=200)]


def case_out(c: repo.CaseView) -> schemas.CaseOut:
    return schemas.CaseOut.model_validate({**c.record, "id": c.id, "document_id": c.document_id,
                                           "version": c.version})


@router.get("/v1/cases/{case_id}", response_model=schemas.CaseOut, responses={404: {"model": schemas.ErrorBody}})
def get_case(case_id: str, services: ServicesDep, who: CaseReader) -> schemas.CaseOut:
    """One case record (contract section 2) with its id and document id."""
    with services.db.write() as s:
        c = repo.get_case(s, case_id=case_id)
        if c is None:
            raise NotFound("no such case")
        audit.record(s, who=who, action=audit.CASE_READ, target=case_id, detail={"version": c.version})
    return case_out(c)


@router.get("/v1/cases", response_model=schemas.CaseList)
def list_cases(services: ServicesDep, who: CaseReader, outcome: OutcomeName | None = None,
               review: bool | None = None, page: Page = 1, per_page: PerPage = 50) -> schemas.CaseList:
    """Cases, oldest first, filtered by relief outcome and by whether they need review; paged."""
    with services.db.write() as s:
        items, total = repo.list_cases(s, outcome=outcome, review=review, page=page, per_page=per_page)
        if items:
            audit.record(s, who=who, action=audit.CASE_LIST, detail={"cases": [c.id for c in items]})
    return schemas.CaseList(items=[case_out(c) for c in items], page=page, per_page=per_page, total=total)


@router.get("/v1/review/queue", response_model=schemas.CaseList)
def review_queue(services: ServicesDep, who: Reviewer, page: Page = 1, per_page: PerPage = 50) -> schemas.CaseList:
    """Cases whose review is required, oldest first."""
    with services.db.write() as s:
        items, total = repo.list_cases(s, review=True, page=page, per_page=per_page)
        if items:
            audit.record(s, who=who, action=audit.REVIEW_QUEUE, detail={"cases": [c.id for c in items]})
    return schemas.CaseList(items=[case_out(c) for c in items], page=page, per_page=per_page, total=total)


@router.post("/v1/cases/{case_id}/corrections", response_model=schemas.CorrectionOut,
             responses={404: {"model": schemas.ErrorBody}, 409: {"model": schemas.ErrorBody},
                        422: {"model": schemas.ErrorBody}})
def correct_case(case_id: str, body: schemas.CorrectionIn, services: ServicesDep,
                 who: Corrector) -> schemas.CorrectionOut:
    """Correct fields of a case; its relief decision is made again and the change is audited."""
    with services.db.write() as s:
        c = repo.get_case(s, case_id=case_id)
        if c is None:
            raise NotFound("no such case")
        if body.version is not None and body.version != c.version:
            raise Conflict(f"the case is at version {c.version}, not {body.version}")
        fixed, before, trusted = corrections.apply(c.record, body.fields)
        new = corrections.redecide(fixed, trusted, corrections.default_redecide, corrections.default_trust_of)
        updated = repo.update_case(s, case_id=case_id, record=new, expected_version=c.version,
                                   now=dt.datetime.now(dt.timezone.utc))
        if updated is None:
            raise Conflict("the case changed while it was being corrected; read it again")
        after = {k: corrections.value_at(new, k) for k in before}
        audit.record(s, who=who, action=audit.CASE_CORRECT, target=case_id,
                     before={"fields": before, "relief": c.record.get("relief"), "review": c.record.get("review")},
                     after={"fields": after, "relief": new.get("relief"), "review": new.get("review")},
                     detail={"note": body.note, "version": updated.version})
    return schemas.CorrectionOut(case=case_out(updated), changed=sorted(before), version=updated.version)
