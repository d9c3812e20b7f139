"""The API's request and response models (apart from the database tables, which never leave storage)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["queued", "processing", "done", "failed"]
Role = Literal["uploader", "reviewer", "reader", "admin"]
OutcomeName = Literal["dismiss_and_seal", "redesignate", "not_eligible", "not_applicable", "needs_review"]


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. empty_file, unsupported_type.")
    message: str


class ErrorBody(BaseModel):
    error: ErrorInfo


class DocumentRef(BaseModel):
    id: str
    file: str
    status: Status
    duplicate: bool = Field(False, description="The same bytes were uploaded before: this is that document.")
    error: ErrorInfo | None = None


class BatchCreated(BaseModel):
    id: str
    documents: list[DocumentRef]


class BatchDocument(DocumentRef):
    cases: list[str] = []


class BatchStatus(BaseModel):
    id: str
    created_at: dt.datetime
    counts: dict[str, int] = Field(description="Documents by status, and `total`.")
    documents: list[BatchDocument]


class DocumentOut(BaseModel):
    id: str
    file: str
    status: Status
    cases: list[str]
    error: ErrorInfo | None = None
    pages: int | None = None
    attempts: int
    sha256: str | None = None
    created_at: dt.datetime
    finished_at: dt.datetime | None = None


class Evidence(BaseModel):
    model_config = ConfigDict(extra="allow")
    page: int
    bbox: list[int]


class ChargeRelief(BaseModel):
    model_config = ConfigDict(extra="allow")
    outcome: OutcomeName
    rule: str | None = None
    citation: str | None = None
    reason: str | None = None


class ChargeOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    count: int | None = None
    code: str | None = None
    section: str | None = None
    subdivision: str | None = None
    attempt: bool = False
    level: str | None = None
    disposition: str
    disposition_date: str | None = None
    text: str | None = None
    confidence: float
    evidence: Evidence | None = None
    relief: ChargeRelief


class CaseRelief(BaseModel):
    policy: str
    outcome: OutcomeName


class Review(BaseModel):
    model_config = ConfigDict(extra="allow")
    required: bool
    reasons: list[str]


class CaseRecord(BaseModel):
    """The contract's case record (section 2), as stored: checked when it is written (by a worker, by a
    correction), so reads can send the stored text as it is."""

    model_config = ConfigDict(extra="allow")
    schema_version: str
    source: dict[str, Any]
    case_number: str | None = None
    court: str | None = None
    defendant: dict[str, Any] = {}
    filing_date: str | None = None
    charges: list[ChargeOut] = []
    flags: dict[str, Any] = {}
    relief: CaseRelief
    review: Review
    confidence: float


class CaseOut(CaseRecord):
    """The contract's case record (section 2) plus its `id` and `document_id`."""

    id: str
    document_id: str
    version: int = Field(1, description="Increases with each correction; send it back with a correction.")


class CaseList(BaseModel):
    items: list[CaseOut]
    page: int | None = Field(description="The page asked for; null when the page was asked for by `cursor`.")
    per_page: int
    total: int = Field(description="Cases that match the filters, counted at most CLEARDOCKET_COUNT_CACHE_SECONDS "
                                   "(10 s) ago.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the page after this one; null on "
                                                      "a page that is not full (the last).")


class CorrectionIn(BaseModel):
    """Field corrections: dotted paths into the case record, e.g. `charges[0].disposition`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"fields": {"charges[0].disposition": "dismissed", "case_number": "A123456"}, "note": "checked the scan"}]})
    fields: dict[str, Any] = Field(min_length=1, max_length=100)
    note: str | None = Field(None, max_length=2000)
    version: int | None = Field(None, description="The case version you corrected (409 if it changed since).")


class CorrectionOut(BaseModel):
    case: CaseOut
    changed: list[str]
    version: int


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str | None
    actor_name: str | None
    action: str
    target: str | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    detail: dict[str, Any] | None = None


class AuditList(BaseModel):
    items: list[AuditOut]
    page: int
    per_page: int
    total: int


class KeyCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")


class KeyOut(BaseModel):
    id: str
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class KeyCreated(BaseModel):
    key: KeyOut
    token: str = Field(description="The key itself. Shown this once; only a salted hash is kept.")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: bool
