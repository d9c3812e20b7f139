"""What the desk shows, computed from a case record: fields, boxes, decisions, audit lines. Pure functions.

A field is one correctable value of the record (`ocr_service.api.corrections` names them by path:
`case_number`, `defendant.dob`, `charges[0].disposition` ...). Each field knows its box on the page
image (the evidence of its charge), its confidence and whether extraction trusted it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ocr_service.api.corrections import CODES, DISPOSITIONS, LEVELS, value_at
from ocr_service.routing import THRESHOLDS

LOW_CONFIDENCE = THRESHOLDS["charge"]

OUTCOME_LABELS = {
    "dismiss_and_seal": "Dismiss and seal",
    "redesignate": "Redesignate",
    "needs_review": "Needs review",
    "not_eligible": "Not eligible",
    "not_applicable": "Not applicable",
}
#: A sign beside each outcome, so that no outcome is told by colour alone.
OUTCOME_SIGNS = {"dismiss_and_seal": "✔", "redesignate": "✔", "needs_review": "?", "not_eligible": "✖",
                 "not_applicable": "–"}
REASON_LABELS = {
    "low_ocr_confidence": "Low OCR confidence",
    "unknown_statute": "Statute not in the table",
    "missing_statute": "No statute read",
    "missing_disposition": "No disposition read",
    "missing_disposition_date": "No disposition date",
    "conflicting_disposition": "Conflicting dispositions",
    "missing_case_number": "No case number",
    "no_charges_found": "No charges found",
    "relief_needs_review": "Relief engine needs a person",
    "missing_count": "A count named but not read",
    "unread_row": "A count row whose section was not read",
    "duplicate_count": "Two count rows with one number",
    "implausible_date": "Dates out of order or a year in doubt",
    "statute_description_mismatch": "Statute re-read from the offense described",
    "needs_review": "Still needs review",
}
DISPOSITION_LABELS = {"convicted": "Convicted", "dismissed": "Dismissed", "acquitted": "Acquitted",
                      "diverted": "Diverted", "pending": "Pending", "unknown": "Unknown"}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One correctable field: its name in the record, its label, how it is entered, its decision fact."""

    name: str
    label: str
    kind: str  # text | date | int | bool | choice
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for choice; "" is "none"
    fact: str | None = None  # the relief fact it feeds ("statute", "disposition", "date")


CASE_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("case_number", "Case number", "text"),
    FieldSpec("court", "Court", "text"),
    FieldSpec("defendant.name", "Defendant", "text"),
    FieldSpec("defendant.dob", "Date of birth", "date"),
    FieldSpec("filing_date", "Filing date", "date"),
    FieldSpec("flags.pc290_registrant", "PC 290 registrant", "bool"),
    FieldSpec("flags.super_strike_prior", "Super-strike prior", "bool"),
)
CHARGE_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("count", "Count number", "int"),
    FieldSpec("code", "Code", "choice", tuple((c, c) for c in CODES), "statute"),
    FieldSpec("section", "Section", "text", fact="statute"),
    FieldSpec("subdivision", "Subdivision", "text", fact="statute"),
    FieldSpec("attempt", "Attempt (PC 664)", "bool", fact="statute"),
    FieldSpec("level", "Level", "choice", (("", "(none)"),) + tuple((v, v.capitalize()) for v in LEVELS)),
    FieldSpec("disposition", "Disposition", "choice", tuple((d, DISPOSITION_LABELS[d]) for d in DISPOSITIONS),
              "disposition"),
    FieldSpec("disposition_date", "Disposition date", "date", fact="date"),
)


@dataclass(frozen=True, slots=True)
class Box:
    """An evidence box on a page image, in that image's pixels."""

    id: str
    page: int
    bbox: tuple[int, int, int, int]
    label: str


@dataclass(frozen=True, slots=True)
class FieldView:
    path: str
    spec: FieldSpec
    value: str  # as the form shows it
    confidence: float | None
    low: bool
    untrusted: bool
    box: str | None  # Box.id

    @property
    def input_id(self) -> str:
        return "f-" + self.path.replace("[", "-").replace("]", "").replace(".", "-")

    @property
    def flagged(self) -> bool:
        return self.low or self.untrusted


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str | None
    rule: str | None
    citation: str | None
    reason: str | None

    @property
    def label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome or "", self.outcome or "no decision")

    @property
    def sign(self) -> str:
        return OUTCOME_SIGNS.get(self.outcome or "", "")


@dataclass(frozen=True, slots=True)
class ChargeView:
    index: int
    title: str
    text: str
    confidence: float | None
    low: bool
    decision: Decision
    fields: tuple[FieldView, ...]
    box: Box | None


@dataclass(frozen=True, slots=True)
class CaseView:
    fields: tuple[FieldView, ...]
    charges: tuple[ChargeView, ...]
    boxes: tuple[Box, ...]
    decision: Decision
    reasons: tuple[str, ...]
    review_required: bool


def form_value(spec: FieldSpec, value: Any) -> str:
    """A record value as the form shows it."""
    if value is None:
        return ""
    if spec.kind == "bool":
        return "true" if value else "false"
    return str(value)


def parse_value(spec: FieldSpec, raw: str | None) -> Any:
    """A submitted form string as the record's value; the corrections module validates it."""
    text = (raw or "").strip()
    if spec.kind == "bool":
        return {"true": True, "false": False}.get(text, text or None)
    if spec.kind == "int":
        return int(text) if text.isdigit() else (text or None)
    return text or None


def decision_of(relief: Mapping[str, Any] | None) -> Decision:
    r = relief or {}
    return Decision(r.get("outcome"), r.get("rule"), r.get("citation"), r.get("reason"))


def _untrusted_facts(charge: Mapping[str, Any]) -> set[str]:
    if "trusted" in charge:
        return {"statute", "disposition", "date"} - set(charge.get("trusted") or ())
    return set(charge.get("untrusted") or ())


def charge_title(index: int, charge: Mapping[str, Any]) -> str:
    count = charge.get("count")
    statute = " ".join(str(x) for x in (charge.get("code"), charge.get("section")) if x)
    if charge.get("subdivision"):
        statute += f"({charge['subdivision']})"
    head = f"Count {count}" if count is not None else f"Charge {index + 1}"
    return f"{head} — {statute}" if statute else head


def _charge_field(i: int, spec: FieldSpec, ch: Mapping[str, Any], untrusted: set[str], box: Box | None) -> FieldView:
    """A charge's field. The record keeps one confidence per charge (its weakest decision fact), so a
    field shows its own figure only when the record has one per fact (`confidences`); otherwise it
    shows whether extraction trusted its fact."""
    per_fact = ch.get("confidences") or {}
    conf = per_fact.get(spec.fact) if spec.fact else None
    return FieldView(f"charges[{i}].{spec.name}", spec, form_value(spec, ch.get(spec.name)), conf,
                     conf is not None and conf < LOW_CONFIDENCE, spec.fact in untrusted if spec.fact else False,
                     box.id if box else None)


def case_view(record: Mapping[str, Any]) -> CaseView:
    """The fields, boxes and decisions of a record, in the order the desk shows them."""
    fields = tuple(FieldView(s.name, s, form_value(s, value_at(record, s.name)), None,
                             s.name == "case_number" and not record.get("case_number"), False, None)
                   for s in CASE_SPECS)
    charges, boxes = [], []
    for i, ch in enumerate(record.get("charges") or []):
        ev = ch.get("evidence") or {}
        box = None
        if ev.get("bbox") and ev.get("page"):
            box = Box(f"box-c{i}", int(ev["page"]), tuple(int(v) for v in ev["bbox"]), charge_title(i, ch))
            boxes.append(box)
        conf = ch.get("confidence")
        untrusted = _untrusted_facts(ch)
        views = tuple(_charge_field(i, s, ch, untrusted, box) for s in CHARGE_SPECS)
        charges.append(ChargeView(i, charge_title(i, ch), ch.get("text") or "", conf,
                                  conf is not None and conf < LOW_CONFIDENCE, decision_of(ch.get("relief")),
                                  views, box))
    review = record.get("review") or {}
    return CaseView(fields, tuple(charges), tuple(boxes), decision_of(record.get("relief")),
                    tuple(review.get("reasons") or ()), bool(review.get("required")))


def specs_by_path(record: Mapping[str, Any]) -> dict[str, FieldSpec]:
    out = {s.name: s for s in CASE_SPECS}
    for i, _ in enumerate(record.get("charges") or []):
        out.update({f"charges[{i}].{s.name}": s for s in CHARGE_SPECS})
    return out


def corrections_from_form(record: Mapping[str, Any], form: Mapping[str, str],
                          accepted: Sequence[str]) -> dict[str, Any]:
    """The corrections a submitted desk form asks for: every changed field, and every accepted one."""
    out: dict[str, Any] = {}
    specs = specs_by_path(record)
    for path, spec in specs.items():
        if path not in form:
            continue
        value = parse_value(spec, form[path])
        if value != value_at(record, path) or path in accepted:
            out[path] = value
    return out


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code.replace("_", " ").capitalize())


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: dt.datetime
    who: str
    what: str
    details: tuple[str, ...]


def _short(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def audit_line(action: str, at: dt.datetime, who: str | None, before: Mapping | None, after: Mapping | None,
               detail: Mapping | None) -> AuditLine:
    """One line of a case's audit trail, in words."""
    who = who or "someone"
    if action == "case.correct":
        b, a = before or {}, after or {}
        fb, fa = b.get("fields") or {}, a.get("fields") or {}
        details = [f"{k}: {_short(fb.get(k))} → {_short(fa.get(k))}" for k in sorted(fa)]
        ob, oa = (b.get("relief") or {}).get("outcome"), (a.get("relief") or {}).get("outcome")
        details.append(f"relief: {OUTCOME_LABELS.get(ob or '', _short(ob))} → "
                       f"{OUTCOME_LABELS.get(oa or '', _short(oa))}")
        note = (detail or {}).get("note")
        if note:
            details.append(f"note: {note}")
        return AuditLine(at, who, "corrected the case", tuple(details))
    if action == "case.read":
        return AuditLine(at, who, "opened the case", ())
    return AuditLine(at, who, action, ())


def age(since: dt.datetime, now: dt.datetime) -> str:
    """How long ago, in words a person reads at a glance ("3 h", "2 d")."""
    s = max(0, int((now - since).total_seconds()))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} d"
