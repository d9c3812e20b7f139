"""Between extraction and the relief engine: facts in, the engine's typed case out, and back.

The engine (`relief/`) is pure and knows nothing of OCR; this module says which facts extraction
trusts, so that a decision never rests on a field a person has not been able to trust.
"""
from __future__ import annotations

from extractors.types import CaseFacts, Charge
from ocr_service.routing import THRESHOLDS, charge_reasons
from relief import CaseDecision, CaseIn, ChargeIn, Prior, StatuteRef, decide, is_super_strike

# Which decision field each review reason puts in doubt.
_DOUBTS = {
    "missing_statute": {"statute"}, "unknown_statute": {"statute"},
    "missing_disposition": {"disposition"}, "conflicting_disposition": {"disposition"},
    "missing_disposition_date": {"date"},
}


def untrusted(ch: Charge) -> set[str]:
    """The decision fields of a charge that extraction does not trust."""
    out: set[str] = set()
    for r in charge_reasons(ch):
        out |= _DOUBTS.get(r, set())
    if ch.statute.confidence < THRESHOLDS["statute"]:
        out.add("statute")
    if ch.disposition.confidence < THRESHOLDS["disposition"]:
        out.add("disposition")
    if ch.disposition_date.found and ch.disposition_date.confidence < THRESHOLDS["disposition_date"]:
        out.add("date")
    return out


def charge_in(ch: Charge) -> ChargeIn:
    st = ch.statute.value
    return ChargeIn(
        count=ch.count,
        code=st.code if st else None,
        section=st.section if st else None,
        subdivision=st.subdivision if st else None,
        attempt=bool(st and st.attempt),
        level=ch.level.value,
        disposition=ch.disposition.value or "unknown",
        disposition_date=ch.disposition_date.value,
        trusted=frozenset({"statute", "disposition", "date"} - untrusted(ch)),
        text=ch.text,
    )


def priors_in(facts: CaseFacts) -> tuple[Prior, ...]:
    return tuple(Prior(StatuteRef.of(p.statute.code, p.statute.section, p.statute.subdivision, p.statute.attempt)
                       if p.statute else None, p.date, p.evidence.text if p.evidence else "")
                 for p in facts.priors)


def super_strike_prior(facts: CaseFacts) -> bool:
    return any(p.statute is not None and is_super_strike(p.statute) for p in priors_in(facts))


def case_in(facts: CaseFacts) -> CaseIn:
    return CaseIn(
        charges=tuple(charge_in(c) for c in facts.charges),
        case_number=facts.case_number.value,
        prior_convictions=priors_in(facts),
        pc290_registrant=bool(facts.pc290_registrant.value),
        super_strike_prior=super_strike_prior(facts),
    )


def decide_case(facts: CaseFacts, policy: str) -> CaseDecision:
    """The relief decision for extracted facts under a policy (name or policy file)."""
    return decide(case_in(facts), policy)


def redecide_record(record: dict, policy: str | None = None) -> dict:
    """A case record with its relief recomputed (after a correction), review left to the caller.

    Fields a reviewer corrected are trusted; the record's per-charge `untrusted` lists say the rest.
    """
    policy = policy or (record.get("relief") or {}).get("policy") or "la-county"
    decision = decide(CaseIn.from_record(record), policy)
    out = dict(record)
    charges = [dict(c) for c in record.get("charges") or []]
    for c, d in zip(charges, decision.charges, strict=True):
        c["relief"] = d.as_relief()
    out["charges"] = charges
    out["relief"] = {"policy": decision.policy, "outcome": decision.outcome}
    return out
