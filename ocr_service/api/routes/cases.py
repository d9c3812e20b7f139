"""Cases: read, list, the review queue and corrections. Every read and correction is audited.

Reads answer with the record's JSON text as the database keeps it, with `id`, `document_id` and
`version` put in front (`case_json`), not through the `CaseOut` model: a record is made by the
pipeline's `record.py` or changed by a validated correction, and parsing, validating and writing
again 75 KB of records was most of a page's CPU (docs/benchmarks.md). The routes still declare
`response_model`, so the OpenAPI schema documents what they return.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable
from typing import Annotated, Any

import orjson
from cachetools import TTLCache
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ocr_service import audit
from ocr_service.api import corrections, schemas
from ocr_service.api.deps import CaseReader, Corrector, Reviewer, ServicesDep
from ocr_service.api.errors import Conflict, InvalidCursor, NotFound
from ocr_service.api.schemas import OutcomeName
from ocr_service.storage import repo
from ocr_service.storage.db import json_loads as db_json_loads

router = APIRouter(tags=["cases"])

Page = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1 (ignored with `cursor`).")]
PerPage = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=200, description=(
    "Start after the last case of a previous page: its answer's `next_cursor`. As fast on any page as on "
    "the first; use it to walk far into a long list."))]


class TtlMemo:
    """Values by key, each kept `ttl_s` seconds (0: never kept); thread-safe. When an entry expires,
    one thread computes it again while the others wait for that result, instead of all of them
    running the same query at once (at 200 requests per second, 40 threads would)."""

    def __init__(self, ttl_s: float, maxsize: int, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self._values: TTLCache | None = TTLCache(maxsize=maxsize, ttl=ttl_s, timer=clock) if ttl_s > 0 else None
        self._lock = threading.Lock()  # guards the cache
        self._building = threading.Lock()  # one computation at a time

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        if self._values is None:
            return compute()
        with self._lock:
            value = self._values.get(key)
        if value is None:
            with self._building:
                with self._lock:
                    value = self._values.get(key)
                if value is None:
                    value = compute()
                    with self._lock:
                        self._values[key] = value
        return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return self._values is not None and key in self._values


class CaseCounts(TtlMemo):
    """The lists' `total` per filter, counted at most `ttl_s` seconds ago (0: counted every time)."""

    def __init__(self, ttl_s: float, maxsize: int = 64, clock: Callable[[], float] = time.monotonic):
        super().__init__(ttl_s, maxsize, clock)

    def count(self, s, *, outcome: str | None, review: bool | None) -> int:
        return self.get((outcome, review), lambda: repo.count_cases(s, outcome=outcome, review=review))


class PageStarts(TtlMemo):
    """Where the deep pages of a list start, so that `page=N` reads by keyset instead of OFFSET.

    Per filter and page size, one walk of the list order's index gives the (created_at, id) that
    ends every page (`repo.page_starts`), kept `ttl_s` seconds: page N is then the cases after the
    end of page N-1. Cases are appended at the end of the order, so the starts stay right; a list
    whose membership changed within those seconds (a correction that takes a case out of the review
    queue) may start a deep page a case or two off, as OFFSET paging over a changing list does.
    Pages up to `EXACT_PAGES` are always read by OFFSET, which is as cheap there and always exact;
    pages past what the walk found (cases added since) too.
    """

    EXACT_PAGES = 10
    MAX_PAGES = 5000  # per walk: 5,000 keys, about 1 MB

    def __init__(self, ttl_s: float, maxsize: int = 16, clock: Callable[[], float] = time.monotonic):
        super().__init__(ttl_s, maxsize, clock)

    def after(self, s, *, outcome: str | None, review: bool | None, per_page: int,
              page: int) -> tuple[dt.datetime, str] | None:
        """The `after` key that reads `page` by keyset, or None: read it by OFFSET."""
        if not self.ttl_s > 0 or page <= self.EXACT_PAGES or page - 1 > self.MAX_PAGES:
            return None
        starts = self.get((outcome, review, per_page), lambda: repo.page_starts(
            s, outcome=outcome, review=review, per_page=per_page, limit=self.MAX_PAGES))
        return starts[page - 2] if page - 2 < len(starts) else None


def case_dict(c: repo.CaseView) -> dict[str, Any]:
    """The API's case: the stored record plus its id, document id and version."""
    return {**c.record, "id": c.id, "document_id": c.document_id, "version": c.version}


def case_out(c: repo.CaseView) -> schemas.CaseOut:
    return schemas.CaseOut.model_validate(case_dict(c))


_OWN_KEYS = ('"id"', '"document_id"', '"version"')


def case_json(c: repo.CaseJsonView) -> bytes:
    """The API's case as JSON bytes: the stored text with the ids and version put in front, unparsed.

    The same object as `case_dict` would give. A record whose text names one of the added keys (no
    record of the contract does), or holds a non-JSON number (NaN, which SQLite may keep), goes the
    slow way: parsed and written again, the added keys winning as in `case_dict`.
    """
    head = orjson.dumps({"id": c.id, "document_id": c.document_id, "version": c.version})
    text = c.record_json.strip()
    if (not text.startswith("{") or any(k in text for k in _OWN_KEYS) or "NaN" in text
            or "Infinity" in text):
        record = db_json_loads(text)
        return orjson.dumps({**record, "id": c.id, "document_id": c.document_id, "version": c.version})
    rest = text[1:].lstrip()
    return head if rest.startswith("}") else head[:-1] + b"," + rest.encode()


def encode_cursor(c: repo.CaseJsonView) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([c.created_at.isoformat(), c.id])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        at, case_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        when = dt.datetime.fromisoformat(at)
        if when.tzinfo is None or not isinstance(case_id, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise InvalidCursor("cursor: not a cursor this service gave (use a list's next_cursor)") from None
    return when, case_id


def _page(request: Request, services, who, action: str, *, outcome: str | None, review: bool | None, page: int,
          per_page: int, cursor: str | None) -> Response:
    after = decode_cursor(cursor) if cursor else None
    with services.db.write() as s:
        if after is None:
            after = request.app.state.page_starts.after(s, outcome=outcome, review=review, per_page=per_page,
                                                        page=page)
        items = repo.list_case_json(s, outcome=outcome, review=review, page=page, per_page=per_page, after=after)
        total = request.app.state.case_counts.count(s, outcome=outcome, review=review)
        if items:
            audit.record(s, who=who, action=action, detail={"cases": [c.id for c in items]})
    tail = orjson.dumps({"page": None if cursor else page, "per_page": per_page, "total": total,
                         "next_cursor": encode_cursor(items[-1]) if len(items) == per_page else None})
    body = b'{"items":[' + b",".join(case_json(c) for c in items) + b"]," + tail[1:]
    return Response(body, media_type="application/json")


@router.get("/v1/cases/{case_id}", response_model=schemas.CaseOut, responses={404: {"model": schemas.ErrorBody}})
def get_case(case_id: str, services: ServicesDep, who: CaseReader) -> Response:
    """One case record (contract section 2) with its id and document id."""
    with services.db.write() as s:
        c = repo.get_case_json(s, case_id=case_id)
        if c is None:
            raise NotFound("no such case")
        audit.record(s, who=who, action=audit.CASE_READ, target=case_id, detail={"version": c.version})
    return Response(case_json(c), media_type="application/json")


@router.get("/v1/cases", response_model=schemas.CaseList, responses={422: {"model": schemas.ErrorBody}})
def list_cases(request: Request, services: ServicesDep, who: CaseReader, outcome: OutcomeName | None = None,
               review: bool | None = None, page: Page = 1, per_page: PerPage = 50,
               cursor: Cursor = None) -> Response:
    """Cases, oldest first, filtered by relief outcome and by whether they need review; paged."""
    return _page(request, services, who, audit.CASE_LIST, outcome=outcome, review=review, page=page,
                 per_page=per_page, cursor=cursor)


@router.get("/v1/review/queue", response_model=schemas.CaseList, responses={422: {"model": schemas.ErrorBody}})
def review_queue(request: Request, services: ServicesDep, who: Reviewer, page: Page = 1, per_page: PerPage = 50,
                 cursor: Cursor = None) -> Response:
    """Cases whose review is required, oldest first."""
    return _page(request, services, who, audit.REVIEW_QUEUE, outcome=None, review=True, page=page,
                 per_page=per_page, cursor=cursor)


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
        schemas.CaseRecord.model_validate(new)  # stored text is sent as it is on reads: check it once, here
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
