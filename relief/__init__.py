"""Prop 64 relief decisions from case facts, under policies written as dated rules with citations.

Pure: no I/O except reading its own packaged data (policies/*.yaml, lists.yaml); no import of
ocr_service. Rules, their vocabulary and the scenario tests are described in docs/relief.md.

    from relief import CaseIn, decide
    decision = decide(CaseIn.from_record(record), "la-county")
"""
from __future__ import annotations

from relief.engine import (
    FALLBACK_RULE,
    annotate_record,
    assess_super_strike,
    decide,
    decide_charge,
    decide_record,
    is_super_strike,
    matches_pattern,
    super_strike_match,
)
from relief.model import (
    OUTCOME_RANK,
    OUTCOMES,
    TRUSTABLE,
    CaseDecision,
    CaseIn,
    ChargeDecision,
    ChargeIn,
    Outcome,
    Prior,
    RuleCheck,
    StatuteRef,
    strongest,
)
from relief.policy import Policy, PolicyError, Rule, list_policies, load_policy, parse_policy

DEFAULT_POLICY = "la-county"

__all__ = [
    "DEFAULT_POLICY", "FALLBACK_RULE", "OUTCOMES", "OUTCOME_RANK", "TRUSTABLE",
    "CaseDecision", "CaseIn", "ChargeDecision", "ChargeIn", "Outcome", "Policy", "PolicyError", "Prior",
    "Rule", "RuleCheck", "StatuteRef",
    "annotate_record", "assess_super_strike", "decide", "decide_charge", "decide_record", "is_super_strike",
    "list_policies", "load_policy", "matches_pattern", "parse_policy", "strongest", "super_strike_match",
]
