"""Review routing: which documents a person must look at, and why.

A document goes to review when a field that its output depends on is not trusted, or when the
relief decision itself is `needs_review`. Reasons are short stable codes (contract section 2).
The thresholds are data: `routing_thresholds.json`, written by `make calibrate` (samples/calibrate.py)
from the threshold search on generated documents, with the figures it was chosen on.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

from extractors.types import CaseFacts, Charge
from relief import CaseDecision

FIELDS = ("case_number", "statute", "disposition", "disposition_date")


def load_thresholds() -> dict[str, float]:
    """The routing thresholds shipped with the package (per field; `charge` is the lowest of the charge
    fields, used by the desk to mark weak charges)."""
    data = json.loads(resources.files("ocr_service").joinpath("routing_thresholds.json").read_text())
    th = {k: float(data["thresholds"][k]) for k in FIELDS}
    th["charge"] = min(th["statute"], th["disposition"], th["disposition_date"])
    return th


# A field below its threshold is not trusted. See docs/architecture.md, "Confidence and routing".
THRESHOLDS = load_thresholds()


@contextmanager
def thresholds_set(values: Mapping[str, float]) -> Iterator[None]:
    """Route with other thresholds for a while (calibration only: changes them for the whole process)."""
    saved = dict(THRESHOLDS)
    THRESHOLDS.update(values)
    try:
        yield
    finally:
        THRESHOLDS.clear()
        THRESHOLDS.update(saved)


@dataclass(frozen=True, slots=True)
class Review:
    required: bool
    reasons: tuple[str, ...]


def charge_confidence(ch: Charge) -> float:
    """A charge is as trustworthy as its weakest decision field."""
    parts = [ch.statute.confidence, ch.disposition.confidence]
    if ch.disposition_date.found or ch.disposition.value == "convicted":
        parts.append(ch.disposition_date.confidence)
    return round(min(parts), 4)


def charge_reasons(ch: Charge) -> list[str]:
    reasons: list[str] = []
    st = ch.statute.value
    if st is None:
        reasons.append("missing_statute")
    elif not st.known:
        reasons.append("unknown_statute")
    elif ch.statute.confidence < THRESHOLDS["statute"]:
        reasons.append("low_ocr_confidence")
    if not ch.disposition.found or ch.disposition.value == "unknown":
        reasons.append("missing_disposition")
    elif ch.disposition.confidence < THRESHOLDS["disposition"]:
        reasons.append("low_ocr_confidence")
    if ch.conflicts:
        reasons.extend(ch.conflicts)
    if ch.disposition.value == "convicted":
        if not ch.disposition_date.found:
            reasons.append("missing_disposition_date")
        elif ch.disposition_date.confidence < THRESHOLDS["disposition_date"]:
            reasons.append("low_ocr_confidence")
    return reasons


def route(facts: CaseFacts, decision: CaseDecision) -> tuple[Review, float]:
    """Review flag, reasons and the document's confidence."""
    reasons: list[str] = list(facts.notes)
    if not facts.case_number.found:
        reasons.append("missing_case_number")
    elif facts.case_number.confidence < THRESHOLDS["case_number"]:
        reasons.append("low_ocr_confidence")
    if not facts.charges:
        reasons.append("no_charges_found")
    for ch in facts.charges:
        reasons.extend(charge_reasons(ch))
    if any(c.outcome == "needs_review" for c in decision.charges):
        reasons.append("relief_needs_review")
    confs = [charge_confidence(c) for c in facts.charges] + [facts.case_number.confidence]
    confidence = round(min(confs), 4) if facts.charges else 0.0
    unique = tuple(dict.fromkeys(reasons))
    return Review(required=bool(unique), reasons=unique), confidence
