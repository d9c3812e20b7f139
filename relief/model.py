"""Typed inputs and outputs of the relief engine (frozen dataclasses, no I/O).

Inputs: `CaseIn` with its `ChargeIn`s and `Prior`s, built directly or from a contract case record
(`CaseIn.from_record`). Outputs: `ChargeDecision` per charge and `CaseDecision` per case, each with
the trace of the rules that were checked.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

Outcome = Literal["dismiss_and_seal", "redesignate", "needs_review", "not_eligible", "not_applicable"]

#: Strength of each outcome; the case outcome is the strongest among its charges (contract section 3).
OUTCOME_RANK: dict[str, int] = {
    "dismiss_and_seal": 4,
    "redesignate": 3,
    "needs_review": 2,
    "not_eligible": 1,
    "not_applicable": 0,
}
OUTCOMES: tuple[str, ...] = tuple(OUTCOME_RANK)
DISPOSITIONS = ("convicted", "dismissed", "acquitted", "diverted", "pending", "unknown")
LEVELS = ("felony", "misdemeanor", "infraction")

#: The facts of a charge whose trust the decision depends on.
TRUSTABLE: frozenset[str] = frozenset({"statute", "disposition", "date"})

# Review reason codes (contract section 2) and the charge facts they put in doubt. A record may carry
# them per charge (non-contract key "review_reasons") so that a recomputed decision still knows.
_REASON_FIELDS: dict[str, frozenset[str]] = {
    "low_ocr_confidence": TRUSTABLE,
    "unknown_statute": frozenset({"statute"}),
    "missing_statute": frozenset({"statute"}),
    "low_statute_confidence": frozenset({"statute"}),
    "conflicting_statute": frozenset({"statute"}),
    "missing_disposition": frozenset({"disposition"}),
    "conflicting_disposition": frozenset({"disposition"}),
    "low_disposition_confidence": frozenset({"disposition"}),
    "missing_disposition_date": frozenset({"date"}),
    "conflicting_disposition_date": frozenset({"date"}),
    "low_date_confidence": frozenset({"date"}),
    "implausible_date": frozenset({"date"}),
    "disposition_before_filing": frozenset({"date"}),
}

_STATUTE_RE = re.compile(
    r"^\s*(?:(?P<attempt>PC\s*664)\s*/\s*)?(?P<code>[A-Z]{2})\s*(?P<section>\d+(?:\.\d+)?[a-z]?)(?![A-Za-z0-9])"
    r"(?P<subs>(?:\s*\(\s*[A-Za-z0-9]+\s*\))*)\s*$",
    re.IGNORECASE,
)
_SECTION_RE = re.compile(r"^\d+(\.\d+)?[a-z]?$")  # "288a" and "476a" are sections, not subdivisions


@dataclass(frozen=True, slots=True)
class StatuteRef:
    """A code section, e.g. HS 11357(b) or PC 261(a)(2). `subdivisions` is the path, outermost first."""

    code: str
    section: str
    subdivisions: tuple[str, ...] = ()
    attempt: bool = False

    @property
    def subdivision(self) -> str | None:
        """The first-level subdivision, as in the contract."""
        return self.subdivisions[0] if self.subdivisions else None

    def without_attempt(self) -> StatuteRef:
        return StatuteRef(self.code, self.section, self.subdivisions)

    def __str__(self) -> str:
        subs = "".join(f"({s})" for s in self.subdivisions)
        return f"{'PC 664/' if self.attempt else ''}{self.code} {self.section}{subs}"

    @classmethod
    def parse(cls, text: str) -> StatuteRef:
        """Read the canonical form written by `str()`: "HS 11357(b)", "PC 664/HS 11359", "PC 261(a)(2)"."""
        m = _STATUTE_RE.match(text or "")
        if not m:
            raise ValueError(f"not a statute in the form 'HS 11359(b)': {text!r}")
        subs = tuple(s.lower() for s in re.findall(r"\(\s*([A-Za-z0-9]+)\s*\)", m.group("subs")))
        return cls(m.group("code").upper(), m.group("section").lower(), subs, bool(m.group("attempt")))

    @classmethod
    def of(cls, code: Any, section: Any, subdivision: Any = None, attempt: bool = False) -> StatuteRef | None:
        """From the contract's separate fields; None when code or section is missing or malformed."""
        code_s = str(code or "").strip().upper()
        section_s = str(section or "").strip().lower()
        if not code_s or not _SECTION_RE.match(section_s):
            return None
        sub = str(subdivision).strip().lower() if subdivision not in (None, "") else None
        return cls(code_s, section_s, (sub,) if sub else (), bool(attempt))


@dataclass(frozen=True, slots=True)
class ChargeIn:
    """One count as the engine sees it.

    `code`/`section`/`subdivision` are the statute as recorded; for an attempt (`attempt=True`) they are
    the attempted (target) statute, as in the contract. `object` is the offense that a PC 182 conspiracy
    (or an unresolved PC 664 attempt) aimed at, when the record names it. `trusted` lists which of
    statute, disposition and date the reader trusts; anything left out goes to review when it matters.
    """

    count: int | None
    code: str | None
    section: str | None
    subdivision: str | None = None
    attempt: bool = False
    level: str | None = None
    disposition: str | None = None
    disposition_date: dt.date | None = None
    trusted: frozenset[str] = TRUSTABLE
    level_reduced_17b: bool = False
    object: StatuteRef | None = None
    text: str = ""

    @property
    def statute(self) -> StatuteRef | None:
        """The statute as charged (attempt flag included)."""
        return StatuteRef.of(self.code, self.section, self.subdivision, self.attempt)

    @property
    def target(self) -> StatuteRef | None:
        """The statute the count is judged as: the attempted offense for an attempt, else the statute."""
        st = self.statute
        if st is None:
            return None
        if st.code == "PC" and st.section == "664" and self.object is not None:
            return StatuteRef(self.object.code, self.object.section, self.object.subdivisions, True)
        return st

    @property
    def untrusted(self) -> frozenset[str]:
        return TRUSTABLE - self.trusted


@dataclass(frozen=True, slots=True)
class Prior:
    """A prior conviction on the record (never a count of this case). `date` None: not shown."""

    statute: StatuteRef | None
    date: dt.date | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class CaseIn:
    """A case as the engine sees it.

    `super_strike_prior` and `pc290_registrant` are the record's flags (None: the record does not say).
    `prior_convictions` are priors with statute and date when the reader found them; they let the engine
    check that a super-strike prior precedes the conviction.
    """

    charges: tuple[ChargeIn, ...]
    case_number: str | None = None
    prior_convictions: tuple[Prior, ...] = ()
    pc290_registrant: bool | None = None
    super_strike_prior: bool | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, min_confidence: float | None = None) -> CaseIn:
        """Read a contract case record (`case.schema.json`).

        Optional keys beyond the contract are read when present: per charge `trusted` or `untrusted`
        (lists of statute/disposition/date), `review_reasons` (reason codes), `level_reduced_17b`,
        `object` ("HS 11359" for a PC 182 count); per case `priors` (list of {code, section,
        subdivision, attempt, date, text} or "PC 187" strings). A charge whose `confidence` is below
        `min_confidence` (when given) is trusted in nothing.
        """
        charges = tuple(_charge_from_record(c, min_confidence) for c in record.get("charges") or ()
                        if isinstance(c, Mapping))
        flags = record.get("flags") or {}
        return cls(
            charges=charges,
            case_number=record.get("case_number"),
            prior_convictions=tuple(p for p in (_prior_from_record(x) for x in record.get("priors") or ())
                                    if p is not None),
            pc290_registrant=_opt_bool(flags.get("pc290_registrant")),
            super_strike_prior=_opt_bool(flags.get("super_strike_prior")),
        )


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule as the engine checked it for one charge: in effect?, matched?, what each condition found."""

    rule: str
    in_effect: bool
    matched: bool
    findings: tuple[str, ...] = ()
    noted: str | None = None  # the note a matching note rule added to the reason


@dataclass(frozen=True, slots=True)
class ChargeDecision:
    """The outcome of one charge: the deciding rule, its citation, a reason a person can read, the trace."""

    count: int | None
    statute: str | None
    outcome: Outcome
    rule: str
    citation: str | None
    reason: str
    trace: tuple[RuleCheck, ...] = ()
    review_reason: str | None = None  # a stable code when the outcome is needs_review

    def as_relief(self) -> dict[str, Any]:
        """The contract's charge `relief` object."""
        return {"outcome": self.outcome, "rule": self.rule, "citation": self.citation, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class CaseDecision:
    """The outcome of a case: the strongest charge outcome, per-charge decisions, and case-level notes."""

    policy: str
    outcome: Outcome
    charges: tuple[ChargeDecision, ...]
    trace: tuple[str, ...] = ()
    as_of: dt.date | None = None
    case_number: str | None = None

    @property
    def review_reasons(self) -> tuple[str, ...]:
        """Codes of the charges that need a person, without repeats."""
        codes = (c.review_reason or "relief_needs_review" for c in self.charges if c.outcome == "needs_review")
        return tuple(dict.fromkeys(codes))

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data with the full trace (for `explain --json` and the API)."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        return data

    @property
    def relieved(self) -> tuple[ChargeDecision, ...]:
        """Charges that get relief (dismiss_and_seal or redesignate)."""
        return tuple(c for c in self.charges if c.outcome in ("dismiss_and_seal", "redesignate"))


def strongest(outcomes: Iterable[str]) -> Outcome | None:
    """The strongest outcome by the contract's order, None for no outcomes."""
    best = max(outcomes, key=lambda o: OUTCOME_RANK[o], default=None)
    return best  # type: ignore[return-value]


# --------------------------------------------------------------------------- record reading helpers

def parse_date(value: Any) -> dt.date | None:
    """An ISO date (or a date object); None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _opt_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _opt_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _trusted_from_record(c: Mapping[str, Any], min_confidence: float | None) -> frozenset[str]:
    trusted = set(TRUSTABLE)
    if isinstance(c.get("trusted"), (list, tuple, set, frozenset)):
        trusted &= {str(x) for x in c["trusted"]}
    if isinstance(c.get("untrusted"), (list, tuple, set, frozenset)):
        trusted -= {str(x) for x in c["untrusted"]}
    reasons = c.get("review_reasons")
    if isinstance(c.get("review"), Mapping):
        reasons = c["review"].get("reasons", reasons)
    for code in reasons or ():
        trusted -= _REASON_FIELDS.get(str(code), frozenset())
    conf = c.get("confidence")
    if min_confidence is not None and isinstance(conf, (int, float)) and conf < min_confidence:
        trusted.clear()
    if StatuteRef.of(c.get("code"), c.get("section")) is None:
        trusted.discard("statute")
    if c.get("disposition_date") and parse_date(c.get("disposition_date")) is None:
        trusted.discard("date")
    return frozenset(trusted)


def _charge_from_record(c: Mapping[str, Any], min_confidence: float | None) -> ChargeIn:
    obj = c.get("object")
    obj_ref: StatuteRef | None = None
    if isinstance(obj, str):
        try:
            obj_ref = StatuteRef.parse(obj)
        except ValueError:
            obj_ref = None
    elif isinstance(obj, Mapping):
        obj_ref = StatuteRef.of(obj.get("code"), obj.get("section"), obj.get("subdivision"))
    if obj_ref is None and str(c.get("code") or "").upper() == "PC" and str(c.get("section")) in ("182", "664"):
        obj_ref = object_from_text(str(c.get("text") or ""))
    disposition = c.get("disposition")
    return ChargeIn(
        count=_opt_int(c.get("count")),
        code=str(c["code"]).upper() if c.get("code") else None,
        section=str(c["section"]).strip() if c.get("section") else None,
        subdivision=str(c["subdivision"]).lower() if c.get("subdivision") else None,
        attempt=bool(c.get("attempt")),
        level=c.get("level") if c.get("level") in LEVELS else None,
        disposition=disposition if disposition in DISPOSITIONS else "unknown",
        disposition_date=parse_date(c.get("disposition_date")),
        trusted=_trusted_from_record(c, min_confidence),
        level_reduced_17b=bool(c.get("level_reduced_17b")),
        object=obj_ref,
        text=str(c.get("text") or ""),
    )


def _prior_from_record(p: Any) -> Prior | None:
    if isinstance(p, str):
        try:
            return Prior(StatuteRef.parse(p), None, p)
        except ValueError:
            return Prior(None, None, p)
    if not isinstance(p, Mapping):
        return None
    st = StatuteRef.of(p.get("code"), p.get("section"), None, bool(p.get("attempt")))
    if st is not None and p.get("subdivision"):
        subs = tuple(s.lower() for s in re.findall(r"[A-Za-z0-9]+", str(p["subdivision"])))
        st = StatuteRef(st.code, st.section, subs, st.attempt)
    return Prior(st, parse_date(p.get("date")), str(p.get("text") or ""))


# A Health and Safety Code drug section (11000-11999) named in a count's text, e.g. the object in
# "182(A)(1) PC CONSP TO 11359 HS"; used only for PC 182 and PC 664 counts whose object the reader did
# not resolve. The policy's lists, not this pattern, decide whether the object is a cannabis offense.
_OBJECT_RE = re.compile(r"(?<![\d.])(11\d{3}(?:\.\d+)?)(?![\d.])")


def object_from_text(text: str) -> StatuteRef | None:
    """The first HS section (11000-11999) named in a count's text, as the offense conspired or attempted."""
    m = _OBJECT_RE.search(text or "")
    return StatuteRef("HS", m.group(1)) if m else None


__all__ = [
    "CaseDecision", "CaseIn", "ChargeDecision", "ChargeIn", "DISPOSITIONS", "LEVELS", "OUTCOMES",
    "OUTCOME_RANK", "Outcome", "Prior", "RuleCheck", "StatuteRef", "TRUSTABLE", "object_from_text",
    "parse_date", "strongest",
]
