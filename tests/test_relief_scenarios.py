"""Run every scenario of tests/scenarios/*.yaml through the relief engine (see tests/scenarios/README.md)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from relief import CaseIn, StatuteRef, decide, list_policies, load_policy

HERE = Path(__file__).parent
SCENARIO_DIR = HERE / "scenarios"


def _load_scenarios() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for sc in doc["scenarios"]:
            out.append((f"{path.stem}: {sc['name']}", sc))
    return out


SCENARIOS = _load_scenarios()


def _charge_record(c: dict[str, Any]) -> dict[str, Any]:
    """A scenario's count written as a contract charge (plus the engine's optional keys)."""
    rec: dict[str, Any] = {"count": c.get("count"), "code": None, "section": None, "subdivision": None,
                           "attempt": False, "level": c.get("level"), "disposition": c.get("disposition"),
                           "disposition_date": str(c["date"]) if c.get("date") else None,
                           "text": c.get("text", ""), "confidence": 0.95}
    if c.get("statute"):
        st = StatuteRef.parse(c["statute"])
        rec.update(code=st.code, section=st.section, subdivision=st.subdivision, attempt=st.attempt)
    for key, rkey in (("untrusted", "untrusted"), ("reduced_17b", "level_reduced_17b"), ("object", "object")):
        if key in c:
            rec[rkey] = c[key]
    return rec


def _prior_record(p: dict[str, Any]) -> dict[str, Any]:
    st = StatuteRef.parse(p["statute"])
    return {"code": st.code, "section": st.section, "attempt": st.attempt,
            "subdivision": "".join(f"({s})" for s in st.subdivisions) or None,
            "date": str(p["date"]) if p.get("date") else None}


def scenario_record(sc: dict[str, Any]) -> dict[str, Any]:
    """A contract case record built from a scenario's facts."""
    case = sc["case"]
    flags = case.get("flags") or {}
    return {
        "schema_version": "1",
        "source": {"file": "scenario.pdf"},
        "case_number": case.get("case_number", "SCN0001"),
        "charges": [_charge_record(c) for c in case.get("charges") or []],
        "flags": {"pc290_registrant": bool(flags.get("pc290_registrant")),
                  "super_strike_prior": bool(flags.get("super_strike_prior"))},
        "priors": [_prior_record(p) for p in case.get("priors") or []],
    }


def _policy_arg(name: str) -> str:
    return str(HERE / name) if name.endswith(".yaml") else name


def _as_of(sc: dict[str, Any]) -> dt.date:
    return sc.get("as_of") or dt.date(2024, 1, 1)


@pytest.mark.parametrize("label,sc", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario(label: str, sc: dict[str, Any]) -> None:
    decision = decide(CaseIn.from_record(scenario_record(sc)), _policy_arg(sc["policy"]), as_of=_as_of(sc))
    by_count = {d.count: d for d in decision.charges}
    expect = sc["expect"]
    assert decision.outcome == expect["case"], decision.trace
    assert set(by_count) == {int(k) for k in expect["counts"]}
    for count, want in expect["counts"].items():
        got = by_count[int(count)]
        assert (got.outcome, got.rule) == (want["outcome"], want["rule"]), got.reason
        assert got.reason and got.citation
        if "reason_has" in want:
            assert want["reason_has"] in got.reason
        if "review_reason" in want:
            assert got.review_reason == want["review_reason"]


def test_there_are_at_least_forty_scenarios() -> None:
    assert len(SCENARIOS) >= 40


@pytest.mark.parametrize("policy", list_policies())
def test_every_rule_of_every_packaged_policy_is_exercised(policy: str) -> None:
    """Each rule decides at least one scenario, or (for note rules) adds its note in one."""
    used: set[str] = set()
    for _, sc in SCENARIOS:
        if sc["policy"] != policy:
            continue
        d = decide(CaseIn.from_record(scenario_record(sc)), policy, as_of=_as_of(sc))
        for c in d.charges:
            used.add(c.rule)
            used.update(t.rule for t in c.trace if t.noted)
    assert {r.id for r in load_policy(policy).rules} - used == set()
