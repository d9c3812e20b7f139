"""Exports of all decided cases, streamed (CSV one row per charge, or JSON lines one case per line)."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from ocr_service import audit
from ocr_service.api.deps import Exporter, ServicesDep
from ocr_service.storage import repo
from ocr_service.storage.context import Services

router = APIRouter(prefix="/v1/exports", tags=["exports"])

CSV_COLUMNS = ("case_id", "document_id", "file", "sha256", "case_number", "court", "defendant_name",
               "defendant_dob", "filing_date", "case_outcome", "policy", "review_required", "review_reasons",
               "case_confidence", "count", "code", "section", "subdivision", "attempt", "level", "disposition",
               "disposition_date", "charge_outcome", "rule", "citation", "charge_confidence")


def _cell(v: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def csv_rows(c: repo.CaseView) -> Iterator[list[str]]:
    r = c.record
    src, dfd = r.get("source") or {}, r.get("defendant") or {}
    relief, review = r.get("relief") or {}, r.get("review") or {}
    head = [c.id, c.document_id, src.get("file"), src.get("sha256"), r.get("case_number"), r.get("court"),
            dfd.get("name"), dfd.get("dob"), r.get("filing_date"), relief.get("outcome"), relief.get("policy"),
            review.get("required"), " ".join(review.get("reasons") or []), r.get("confidence")]
    charges = r.get("charges") or [{}]
    for ch in charges:
        cr = ch.get("relief") or {}
        tail = [ch.get("count"), ch.get("code"), ch.get("section"), ch.get("subdivision"), ch.get("attempt"),
                ch.get("level"), ch.get("disposition"), ch.get("disposition_date"), cr.get("outcome"),
                cr.get("rule"), cr.get("citation"), ch.get("confidence")]
        yield [_cell(v) for v in head + tail]


def _stream_csv(services: Services) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    with services.db.read() as s:
        for c in repo.iter_cases(s):
            for row in csv_rows(c):
                w.writerow(row)
            if buf.tell() > 64 * 1024:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
    yield buf.getvalue()


def _stream_jsonl(services: Services) -> Iterator[str]:
    with services.db.read() as s:
        for c in repo.iter_cases(s):
            yield json.dumps({**c.record, "id": c.id, "document_id": c.document_id}, ensure_ascii=False) + "\n"


def _audit_export(services: Services, who, fmt: str) -> None:
    with services.db.write() as s:
        total = repo.count_cases(s)
        audit.record(s, who=who, action=audit.EXPORT, target=f"cases.{fmt}", detail={"cases": total})


@router.get("/cases.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def export_csv(services: ServicesDep, who: Exporter) -> StreamingResponse:
    """All decided cases as CSV, one row per charge."""
    _audit_export(services, who, "csv")
    return StreamingResponse(_stream_csv(services), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="cases.csv"',
                                      "Cache-Control": "no-store"})


@router.get("/cases.jsonl", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}})
def export_jsonl(services: ServicesDep, who: Exporter) -> StreamingResponse:
    """All decided cases as JSON lines, one case record per line."""
    _audit_export(services, who, "jsonl")
    return StreamingResponse(_stream_jsonl(services), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="cases.jsonl"',
                                      "Cache-Control": "no-store"})
