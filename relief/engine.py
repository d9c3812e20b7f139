"""The relief engine: rules checked in order for each charge, the first deciding rule wins.

Pure: a `CaseIn` and a `Policy` in, a `CaseDecision` out, with the trace of every rule checked and what
each condition found. `decide_record` and `annotate_record` work on contract case records (dicts).
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from relief.model import (
    OUTCOME_RANK,
    CaseDecision,
    CaseIn,
    ChargeDecision,
    ChargeIn,
    Prior,
    RuleCheck,
    StatuteRef,
    strongest,
)
from relief.policy import Policy, Rule, SuperStrikes, When, load_policy

FALLBACK_RULE = "engine/no-rule-matched"


# --------------------------------------------------------------------------- statute matching

def matches_pattern(ref: StatuteRef, pattern: str) -> bool:
    """Whether a statute falls under a pattern ("HS *", "HS 11357", "HS 11357(b)"); attempts as targets."""
    code, _, rest = pattern.partition(" ")
    if rest.strip() == "*":
        return ref.code == code
    pat = StatuteRef.parse(pattern)
    return (ref.code, ref.section) == (pat.code, pat.section) and \
        ref.subdivisions[:len(pat.subdivisions)] == pat.subdivisions


def _expand(patterns: list[str], policy: Policy) -> list[str]:
    out: list[str] = []
    for p in patterns:
        out.extend(policy.statute_list(p[1:]) if p.startswith("@") else [p])
    return out


def super_strike_match(prior: StatuteRef, table: SuperStrikes) -> tuple[str, str | None]:
    """("yes" | "possible" | "no", the offense's title) for a prior against PC 667(e)(2)(C)(iv)."""
    best: tuple[str, str | None] = ("no", None)
    for off in table.offenses:
        ref = off.ref
        if (prior.code, prior.section) != (ref.code, ref.section):
            continue
        if prior.attempt and not off.attempt_counts:
            continue
        n = len(ref.subdivisions)
        if prior.subdivisions[:n] == ref.subdivisions:
            status = "possible" if off.needs else "yes"
        elif ref.subdivisions[:len(prior.subdivisions)] == prior.subdivisions:
            status = "possible"  # the prior is recorded less precisely than the listed offense
        else:
            continue
        if status == "yes":
            return status, off.title
        best = (status, off.title)
    return best


def is_super_strike(prior: StatuteRef, table: SuperStrikes | None = None) -> bool:
    """Whether a prior conviction is surely a super-strike (PC 667(e)(2)(C)(iv)); "possible" ones are not."""
    from relief.policy import shared_data

    return super_strike_match(prior, table or shared_data().super_strikes)[0] == "yes"


@dataclass(frozen=True, slots=True)
class SuperStrikeFinding:
    """Whether a super-strike prior precedes a conviction, and the words that say so."""

    status: str  # "yes", "possible" or "no"
    prior: str  # description used in reasons
    assumed: bool = False  # the prior's date was not shown and was taken as before the conviction


def _refined(prior: Prior) -> Prior:
    """A prior whose text names more subdivisions than its statute ("261(A)(2) PC") gets the full path."""
    st = prior.statute
    if st is None or not prior.text:
        return prior
    m = re.search(rf"(?<![\d.]){re.escape(st.section)}\s*((?:\(\s*[A-Za-z0-9]{{1,3}}\s*\)\s*)+)", prior.text,
                  re.IGNORECASE)
    if not m:
        return prior
    path = tuple(x.lower() for x in re.findall(r"\(\s*([A-Za-z0-9]+)\s*\)", m.group(1)))
    if len(path) > len(st.subdivisions) and path[:len(st.subdivisions)] == st.subdivisions:
        return Prior(StatuteRef(st.code, st.section, path, st.attempt), prior.date, prior.text)
    return prior


def assess_super_strike(case: CaseIn, convicted: dt.date | None, table: SuperStrikes) -> SuperStrikeFinding:
    """Super-strike priors against one conviction date; an undated prior is taken as earlier, and said so."""
    def before(p: Prior) -> bool:
        return p.date is None or convicted is None or p.date < convicted

    def describe(p: Prior, title: str | None) -> str:
        what = f"{p.statute}{f' ({title})' if title else ''}"
        if p.date is None:
            return f"a prior {what} whose date the record does not show, taken as before this conviction"
        return f"a prior {what} of {p.date.isoformat()}"

    priors = [_refined(p) for p in case.prior_convictions if p.statute]
    graded = [(p, *super_strike_match(p.statute, table)) for p in priors]
    definite = [(p, t) for p, s, t in graded if s == "yes"]
    possible = [(p, t) for p, s, t in graded if s == "possible"]
    for p, t in definite:
        if before(p):
            return SuperStrikeFinding("yes", describe(p, t), p.date is None)
    if definite:
        p, t = definite[0]
        return SuperStrikeFinding("no", f"{describe(p, t)}, after this conviction")
    if case.super_strike_prior:
        dated = [p for p, _ in possible if p.date is not None]
        if possible and dated and not any(before(p) for p in dated):
            p = dated[0]
            return SuperStrikeFinding("no", f"the flagged prior {p.statute} of {p.date}, after this conviction")
        return SuperStrikeFinding("yes", "a super-strike prior flagged on the record whose date it does not show, "
                                  "taken as before this conviction", True)
    for p, t in possible:
        if before(p):
            return SuperStrikeFinding("possible", describe(p, t))
    return SuperStrikeFinding("no", "no super-strike prior on the record")


# --------------------------------------------------------------------------- condition evaluation

@dataclass
class _Ctx:
    charge: ChargeIn
    case: CaseIn
    policy: Policy
    _ss: SuperStrikeFinding | None = field(default=None)

    @property
    def super_strike(self) -> SuperStrikeFinding:
        if self._ss is None:
            self._ss = assess_super_strike(self.case, self.charge.disposition_date, self.policy.super_strikes)
        return self._ss


def _in(ctx: _Ctx, ref: StatuteRef | None, patterns: list[str]) -> bool:
    return ref is not None and any(matches_pattern(ref, p) for p in _expand(patterns, ctx.policy))


def _names(patterns: list[str]) -> str:
    return ", ".join(patterns)


def _yes(ok: bool) -> str:
    return "yes" if ok else "no"


Atom = Callable[[_Ctx, Any], tuple[bool, str]]


def _disposition(ctx: _Ctx, want: list[str]) -> tuple[bool, str]:
    have = ctx.charge.disposition or "unknown"
    return have in want, f"disposition is one of {', '.join(want)} (it is {have})"


def _statute(ctx: _Ctx, want: list[str]) -> tuple[bool, str]:
    t = ctx.charge.target
    if t is None:
        return False, f"statute is in {_names(want)} (statute not read)"
    judged = f"{ctx.charge.statute}, judged as {t.without_attempt()}" if t.attempt else str(t)
    return _in(ctx, t, want), f"statute is in {_names(want)} (it is {judged})"


def _statute_read(ctx: _Ctx, want: bool) -> tuple[bool, str]:
    st = ctx.charge.statute
    label = "statute was read" if want else "statute was not read"
    return (st is not None) == want, f"{label} ({st if st else 'none read'})"


def _attempt(ctx: _Ctx, want: bool) -> tuple[bool, str]:
    t = ctx.charge.target
    have = bool(t and t.attempt)
    return have == want, f"{'an' if want else 'not an'} attempt, PC 664 ({'attempt' if have else 'no attempt'})"


def _conspiracy_object(ctx: _Ctx, want: list[str]) -> tuple[bool, str]:
    st = ctx.charge.statute
    label = f"conspiracy (PC 182) to commit an offense in {_names(want)}"
    if not (st and st.code == "PC" and st.section == "182"):
        return False, f"{label} (not a PC 182 count)"
    obj = ctx.charge.object
    if obj is None:
        return False, f"{label} (the record does not name the object)"
    return _in(ctx, obj, want), f"{label} (object: {obj})"


def _level(ctx: _Ctx, want: list[str]) -> tuple[bool, str]:
    have = ctx.charge.level
    return have in want, f"level is one of {', '.join(want)} (it is {have or 'not shown'})"


def _reduced(ctx: _Ctx, want: bool) -> tuple[bool, str]:
    have = ctx.charge.level_reduced_17b
    label = "level reduced under PC 17(b)" if want else "level not reduced under PC 17(b)"
    return have == want, f"{label} ({'reduced' if have else 'not reduced'})"


def _untrusted(ctx: _Ctx, want: list[str]) -> tuple[bool, str]:
    bad = sorted(set(want) & ctx.charge.untrusted)
    return bool(bad), f"{' or '.join(want)} not trusted ({'not trusted: ' + ', '.join(bad) if bad else 'trusted'})"


def _date_known(ctx: _Ctx, want: bool) -> tuple[bool, str]:
    d = ctx.charge.disposition_date
    label = "conviction date shown" if want else "conviction date not shown"
    return (d is not None) == want, f"{label} ({d.isoformat() if d else 'none'})"


def _before(ctx: _Ctx, when: dt.date) -> tuple[bool, str]:
    d = ctx.charge.disposition_date
    return (d is not None and d < when), f"convicted before {when.isoformat()} ({d.isoformat() if d else 'date not shown'})"


def _on_or_after(ctx: _Ctx, when: dt.date) -> tuple[bool, str]:
    d = ctx.charge.disposition_date
    return (d is not None and d >= when), \
        f"convicted on or after {when.isoformat()} ({d.isoformat() if d else 'date not shown'})"


def _super_strike(ctx: _Ctx, want: bool) -> tuple[bool, str]:
    f = ctx.super_strike
    have = f.status == "yes"
    label = "a super-strike prior before this conviction" if want else "no super-strike prior before this conviction"
    return have == want, f"{label} ({f.prior})"


def _possible_super_strike(ctx: _Ctx, want: bool) -> tuple[bool, str]:
    f = ctx.super_strike
    have = f.status == "possible"
    label = "a possible super-strike prior" if want else "no possible super-strike prior"
    return have == want, f"{label} ({f.prior if have else 'none'})"


def _pc290(ctx: _Ctx, want: bool) -> tuple[bool, str]:
    flag = ctx.case.pc290_registrant
    label = "a PC 290 registration duty" if want else "no PC 290 registration duty"
    shown = "not shown on the record" if flag is None else ("shown" if flag else "none")
    return bool(flag) == want, f"{label} ({shown})"


ATOMS: dict[str, Atom] = {
    "disposition": _disposition,
    "statute": _statute,
    "statute_read": _statute_read,
    "attempt": _attempt,
    "conspiracy_object": _conspiracy_object,
    "level": _level,
    "level_reduced_17b": _reduced,
    "untrusted": _untrusted,
    "date_known": _date_known,
    "convicted_before": _before,
    "convicted_on_or_after": _on_or_after,
    "super_strike_prior": _super_strike,
    "possible_super_strike_prior": _possible_super_strike,
    "pc290_registrant": _pc290,
}
assert set(ATOMS) | {"all_", "any_", "not_"} == set(When.model_fields), "every condition key needs an atom"


def _mark(ok: bool) -> str:
    return "[yes]" if ok else "[no]"


def evaluate(when: When, ctx: _Ctx) -> tuple[bool, list[str]]:
    """Whether a condition holds, and one finding per key: "[yes] condition (what the record shows)".

    Every key is checked (no short cut), so the trace is complete.
    """
    ok = True
    findings: list[str] = []
    for key in When.model_fields:
        value = getattr(when, key)
        if value is None:
            continue
        if key in ("all_", "any_"):
            parts = [evaluate(w, ctx) for w in value]
            hit = all(p[0] for p in parts) if key == "all_" else any(p[0] for p in parts)
            inner = " | ".join("; ".join(p[1]) for p in parts)
            findings.append(f"{_mark(hit)} {'all' if key == 'all_' else 'any'} of: {{{inner}}}")
        elif key == "not_":
            inner_ok, inner_f = evaluate(value, ctx)
            hit = not inner_ok
            findings.append(f"{_mark(hit)} not: {{{'; '.join(inner_f)}}}")
        else:
            hit, text = ATOMS[key](ctx, value)
            findings.append(f"{_mark(hit)} {text}")
        ok = ok and hit
    return ok, findings


# --------------------------------------------------------------------------- reasons

class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _context(rule: Rule, ctx: _Ctx) -> dict[str, str]:
    ch = ctx.charge
    st, t = ch.statute, ch.target
    return _Blank(
        count=str(ch.count) if ch.count is not None else "?",
        statute=str(st) if st else "an unread statute",
        target=str(t.without_attempt()) if t else "an unread statute",
        code=ch.code or "?",
        section=ch.section or "?",
        disposition=ch.disposition or "unknown",
        date=ch.disposition_date.isoformat() if ch.disposition_date else "an unknown date",
        level=ch.level or "unknown level",
        object=str(ch.object) if ch.object else "an offense not named",
        policy=ctx.policy.policy,
        before=rule.when.convicted_before.isoformat() if rule.when.convicted_before else "?",
        on_or_after=rule.when.convicted_on_or_after.isoformat() if rule.when.convicted_on_or_after else "?",
        prior=ctx.super_strike.prior,
        untrusted=", ".join(sorted(ch.untrusted)) or "nothing",
    )


def _uses_super_strike(when: When) -> bool:
    if when.super_strike_prior is not None or when.possible_super_strike_prior is not None:
        return True
    subs = (when.all_ or []) + (when.any_ or []) + ([when.not_] if when.not_ else [])
    return any(_uses_super_strike(w) for w in subs)


# --------------------------------------------------------------------------- deciding

def decide_charge(charge: ChargeIn, case: CaseIn, policy: Policy, as_of: dt.date) -> ChargeDecision:
    """Check the policy's rules in order for one charge; the first deciding rule that holds decides."""
    ctx = _Ctx(charge, case, policy)
    trace: list[RuleCheck] = []
    notes: list[str] = []
    statute = str(charge.statute) if charge.statute else None
    for rule in policy.rules:
        if not rule.in_effect(as_of):
            trace.append(RuleCheck(rule.id, False, False, (f"not in effect on {as_of.isoformat()}",)))
            continue
        ok, findings = evaluate(rule.when, ctx)
        if ok and rule.note is not None:
            note = rule.note.format_map(_context(rule, ctx))
            notes.append(note)
            trace.append(RuleCheck(rule.id, True, True, tuple(findings), note))
            continue
        trace.append(RuleCheck(rule.id, True, ok, tuple(findings)))
        if ok:
            reason = (rule.reason or "").format_map(_context(rule, ctx))
            if ctx._ss is not None and ctx._ss.assumed and _uses_super_strike(rule.when) \
                    and "{prior}" not in (rule.reason or ""):
                notes.append(f"the super-strike prior is {ctx._ss.prior}")
            reason = "; ".join([reason, *notes])
            return ChargeDecision(charge.count, statute, rule.outcome, rule.id, rule.citation,  # type: ignore[arg-type]
                                  reason, tuple(trace), rule.review_reason)
    reason = "; ".join(["no rule of the policy decides this count, so a person must", *notes])
    return ChargeDecision(charge.count, statute, "needs_review", FALLBACK_RULE, None, reason, tuple(trace),
                          "no_rule_matched")


def _case_trace(case: CaseIn, decisions: tuple[ChargeDecision, ...], outcome: str) -> tuple[str, ...]:
    lines = [
        "flags: PC 290 registration duty "
        f"{'not shown' if case.pc290_registrant is None else _yes(bool(case.pc290_registrant))}, "
        f"super-strike prior {'not shown' if case.super_strike_prior is None else _yes(bool(case.super_strike_prior))}",
    ]
    for p in case.prior_convictions:
        lines.append(f"prior: {p.statute or p.text or 'unread'} "
                     f"{p.date.isoformat() if p.date else '(date not shown)'}")
    if not decisions:
        lines.append("no charges were read: a person must look at the document")
    else:
        counts = ", ".join(f"{d.count if d.count is not None else '?'}={d.outcome}" for d in decisions)
        lines.append(f"case outcome {outcome}: the strongest of the counts ({counts}) in the order "
                     + " > ".join(sorted(OUTCOME_RANK, key=OUTCOME_RANK.__getitem__, reverse=True)))
    return tuple(lines)


def decide(case: CaseIn, policy: Policy | str = "la-county", *, as_of: dt.date | None = None) -> CaseDecision:
    """Decide every charge of a case under a policy (name, path or Policy), as of a date (default today)."""
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    day = as_of or dt.date.today()
    decisions = tuple(decide_charge(c, case, pol, day) for c in case.charges)
    outcome = strongest(d.outcome for d in decisions) or "needs_review"
    return CaseDecision(pol.policy, outcome, decisions, _case_trace(case, decisions, outcome), day,
                        case.case_number)


def decide_record(record: Mapping[str, Any], policy: Policy | str = "la-county", *,
                  as_of: dt.date | None = None, min_confidence: float | None = None) -> CaseDecision:
    """Decide a contract case record (dict); see `CaseIn.from_record` for the keys read."""
    return decide(CaseIn.from_record(record, min_confidence=min_confidence), policy, as_of=as_of)


def annotate_record(record: Mapping[str, Any], policy: Policy | str = "la-county", *,
                    as_of: dt.date | None = None, min_confidence: float | None = None) -> dict[str, Any]:
    """A copy of a case record with every charge's `relief`, the case `relief` and `review` recomputed.

    Review reasons already on the record stay; a charge that needs review adds its reason code. Error
    records (with `error`) come back unchanged.
    """
    out = copy.deepcopy(dict(record))
    if out.get("error"):
        return out
    decision = decide_record(out, policy, as_of=as_of, min_confidence=min_confidence)
    charges = [c for c in out.get("charges") or [] if isinstance(c, Mapping)]
    for c, d in zip(charges, decision.charges, strict=True):
        c["relief"] = d.as_relief()
    out["charges"] = charges
    out["relief"] = {"policy": decision.policy, "outcome": decision.outcome}
    review = dict(out.get("review") or {})
    reasons = [r for r in review.get("reasons") or [] if r != "relief_needs_review"]
    reasons += [r for r in decision.review_reasons if r not in reasons]
    if not charges and "no_charges_found" not in reasons:
        reasons.append("no_charges_found")
    out["review"] = {"required": bool(reasons) or decision.outcome == "needs_review", "reasons": reasons}
    return out
