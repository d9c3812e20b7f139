"""The contract's case record (`shared/contract/case.schema.json`), built from a pipeline result.

This is the one place that knows the output shape; the batch command, the API and the exports use it.
"""
from __future__ import annotations

import datetime as dt

from extractors.types import Charge
from ocr_service.errors import CleardocketError
from ocr_service.relief_adapter import super_strike_prior, untrusted
from ocr_service.routing import charge_confidence

SCHEMA_VERSION = "1"


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def charge_record(ch: Charge, decision) -> dict:
    st = ch.statute.value
    out = {
        "count": ch.count,
        "code": st.code if st else None,
        "section": st.section if st else None,
        "subdivision": st.subdivision if st else None,
        "attempt": bool(st.attempt) if st else False,
        "level": ch.level.value,
        "disposition": ch.disposition.value or "unknown",
        "disposition_date": _iso(ch.disposition_date.value),
        "text": ch.text,
        "confidence": charge_confidence(ch),
        "relief": decision.as_relief(),
        # Additions to the contract: which decision fields extraction did not trust (a correction
        # clears them), so that a recomputed decision knows what it may rest on.
        "untrusted": sorted(untrusted(ch)),
        "confidences": {"statute": round(ch.statute.confidence, 4), "disposition": round(ch.disposition.confidence, 4),
                        "date": round(ch.disposition_date.confidence, 4), "level": round(ch.level.confidence, 4)},
    }
    if ch.evidence is not None:
        out["evidence"] = {"page": ch.evidence.page, "bbox": list(ch.evidence.bbox)}
    return out


def case_record(result, *, file: str) -> dict:
    """One case record for a processed document (`pipeline.DocumentResult`)."""
    f = result.facts
    decision = result.decision
    charges = [charge_record(ch, d) for ch, d in zip(f.charges, decision.charges, strict=True)
               if ch.statute.value is not None]
    return {
        "schema_version": SCHEMA_VERSION,
        "source": {"file": file, "sha256": result.info.sha256, "pages": result.info.pages},
        "case_number": f.case_number.value,
        "court": f.court.value,
        "defendant": {"name": f.defendant_name.value, "dob": _iso(f.defendant_dob.value)},
        "filing_date": _iso(f.filing_date.value),
        "charges": charges,
        "flags": {"pc290_registrant": bool(f.pc290_registrant.value),
                  "super_strike_prior": super_strike_prior(f)},
        "priors": [{"code": p.statute.code, "section": p.statute.section, "subdivision": p.statute.subdivision,
                    "attempt": p.statute.attempt, "date": _iso(p.date)}
                   for p in f.priors if p.statute is not None],
        "relief": {"policy": decision.policy, "outcome": decision.outcome},
        "review": {"required": result.review.required, "reasons": list(result.review.reasons)},
        "confidence": result.confidence,
    }


def error_record(file: str, err: CleardocketError, *, sha256: str | None = None,
                 pages: int | None = None) -> dict:
    """The record for a document that could not be read: `source` and a coded `error`."""
    source: dict = {"file": file}
    if sha256:
        source["sha256"] = sha256
    if pages is not None:
        source["pages"] = pages
    return {"schema_version": SCHEMA_VERSION, "source": source, "error": err.as_record()}
