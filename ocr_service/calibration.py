"""Confidence you can act on: reliability of reported confidences and the routing threshold search.

    python -m ocr_service.calibration --truth DIR/truth.jsonl --results results.jsonl [--json OUT]

From the product's results on a generated set and that set's truth:
1. the reliability table: charges binned by their reported confidence, with the share that are right
   (a charge is right when it pairs with a truth charge and its code, section, subdivision,
   disposition and disposition date all agree);
2. a monotone calibration map (isotonic regression, pool-adjacent-violators) from reported
   confidence to the share right, which makes "0.9" mean "9 in 10 right";
3. the threshold search: the lowest review rate whose silent error rate (documents not sent to
   review with a wrong case number, a missing or extra charge, or a charge whose statute or
   disposition is wrong, as the shared scorer counts them; `--strict` adds disposition dates)
   stays at or below the target.

The search is pure and takes any per-document field confidences; from result records it uses the
document confidence (the minimum over its fields), which is what one threshold for every field in
`routing.THRESHOLDS` means.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

DEFAULT_EDGES = (0.0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0)
CONFIDENCE_REASONS = frozenset({"low_ocr_confidence"})


# ----------------------------------------------------------------------------- reliability

@dataclass(frozen=True, slots=True)
class Bin:
    """Charges whose reported confidence is in [lo, hi): how many, how many right, their mean confidence."""

    lo: float
    hi: float
    n: int
    right: int
    mean_confidence: float

    @property
    def share_right(self) -> float | None:
        return self.right / self.n if self.n else None


def reliability_table(scores: Sequence[float], correct: Sequence[bool],
                      edges: Sequence[float] = DEFAULT_EDGES) -> list[Bin]:
    """Bins of reported confidence with the share right; the last bin includes 1.0."""
    if len(scores) != len(correct):
        raise ValueError("scores and correct differ in length")
    bins = []
    for i, (lo, hi) in enumerate(zip(edges, edges[1:])):
        last = i == len(edges) - 2
        idx = [k for k, s in enumerate(scores) if lo <= s < hi or (last and s == hi)]
        n = len(idx)
        bins.append(Bin(lo, hi, n, sum(bool(correct[k]) for k in idx),
                        round(sum(scores[k] for k in idx) / n, 4) if n else 0.0))
    return bins


def share_right_at_or_above(scores: Sequence[float], correct: Sequence[bool], at: float = 0.9) -> tuple[int, float | None]:
    """(how many were reported at `at` or more, the share of them that are right)."""
    idx = [k for k, s in enumerate(scores) if s >= at]
    return len(idx), (sum(bool(correct[k]) for k in idx) / len(idx) if idx else None)


def expected_calibration_error(bins: Sequence[Bin]) -> float:
    total = sum(b.n for b in bins)
    return sum(b.n * abs(b.mean_confidence - b.share_right) for b in bins if b.n) / total if total else 0.0


# ----------------------------------------------------------------------------- calibration map

@dataclass(frozen=True, slots=True)
class Calibrator:
    """A non-decreasing step map from reported confidence to the share right (isotonic regression).

    `xs` are the upper ends of the fitted blocks, `ys` their share right; a score maps to the
    value of the first block whose upper end it does not exceed.
    """

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def __call__(self, score: float) -> float:
        if not self.xs:
            return score
        i = bisect.bisect_left(self.xs, score)
        return self.ys[min(i, len(self.ys) - 1)]

    def to_json(self) -> dict:
        return {"method": "isotonic", "xs": list(self.xs), "ys": list(self.ys)}

    @classmethod
    def from_json(cls, d: Mapping) -> "Calibrator":
        return cls(tuple(d["xs"]), tuple(d["ys"]))


def fit_isotonic(scores: Sequence[float], correct: Sequence[bool], *, prior: float = 1.0) -> Calibrator:
    """Pool-adjacent-violators on (score, right). `prior` adds that many half-right pseudo-charges to
    every block, so a small block of all-right charges maps below 1.0 (Laplace smoothing)."""
    pairs = sorted(zip(scores, (1.0 if c else 0.0 for c in correct)))
    blocks: list[list[float]] = []  # [sum_right, n, max_score]
    for s, y in pairs:
        if blocks and blocks[-1][2] == s:
            blocks[-1][0] += y
            blocks[-1][1] += 1
        else:
            blocks.append([y, 1.0, s])
        while len(blocks) > 1 and _mean(blocks[-2], prior) >= _mean(blocks[-1], prior):
            b = blocks.pop()
            blocks[-1][0] += b[0]
            blocks[-1][1] += b[1]
            blocks[-1][2] = b[2]
    return Calibrator(tuple(b[2] for b in blocks), tuple(round(_mean(b, prior), 4) for b in blocks))


def _mean(block: list[float], prior: float) -> float:
    return (block[0] + 0.5 * prior) / (block[1] + prior)


# ----------------------------------------------------------------------------- threshold search

@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """One document: whether something other than a confidence sends it to review, its field
    confidences (the minimum over its charges, per field) and whether its extraction is right."""

    structural: bool
    fields: Mapping[str, float]
    correct: bool


@dataclass(frozen=True, slots=True)
class ThresholdChoice:
    thresholds: dict[str, float]
    review_rate: float
    silent_error_rate: float
    silent_errors: int
    not_routed: int
    documents: int
    feasible: bool = True
    upper_95: float = 0.0  # one-sided 95% upper bound of the silent error rate (Wilson)
    notes: list[str] = field(default_factory=list)


def routed(case: CaseOutcome, thresholds: Mapping[str, float]) -> bool:
    """Sent to review: a structural reason, or any field below its threshold."""
    return case.structural or any(case.fields.get(k, 1.0) < t for k, t in thresholds.items())


def evaluate(cases: Sequence[CaseOutcome], thresholds: Mapping[str, float]) -> ThresholdChoice:
    r = [routed(c, thresholds) for c in cases]
    n = len(cases)
    not_routed = n - sum(r)
    silent = sum(1 for c, x in zip(cases, r) if not x and not c.correct)
    rate = silent / not_routed if not_routed else 0.0
    return ThresholdChoice(dict(thresholds), round(sum(r) / n, 4) if n else 0.0, round(rate, 4), silent,
                           not_routed, n, upper_95=round(wilson_upper(silent, not_routed), 4))


def wilson_upper(k: int, n: int, z: float = 1.645) -> float:
    """One-sided upper confidence bound of a proportion k/n (Wilson score interval)."""
    if n == 0:
        return 1.0
    p = k / n
    den = 1 + z * z / n
    centre = p + z * z / (2 * n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5)
    return min(1.0, (centre + half) / den)


def search_thresholds(cases: Sequence[CaseOutcome], fields: Sequence[str] | None = None,
                      grid: Sequence[float] = tuple(round(0.5 + 0.025 * i, 3) for i in range(21)),
                      max_silent: float = 0.01) -> ThresholdChoice:
    """The thresholds (one per field, from `grid`) with the lowest review rate whose silent error
    rate is at most `max_silent`; among equals, the lowest thresholds. When no choice meets the
    target, the one with the lowest silent error rate, marked infeasible."""
    if not cases:
        raise ValueError("no cases to calibrate on")
    fields = list(fields or sorted({k for c in cases for k in c.fields}))
    conf = np.array([[c.fields.get(f, 1.0) for f in fields] for c in cases], dtype=float).reshape(len(cases), -1)
    structural = np.array([c.structural for c in cases])
    wrong = np.array([not c.correct for c in cases])
    n = len(cases)
    best_key = fallback_key = None
    best = fallback = None
    for combo in itertools.product(grid, repeat=len(fields)):
        r = structural | (conf < np.array(combo)).any(axis=1)
        kept = n - int(r.sum())
        silent = int((wrong & ~r).sum())
        rate = silent / kept if kept else 0.0
        review = (n - kept) / n
        if rate <= max_silent and (best_key is None or (review, sum(combo)) < best_key):
            best_key, best = (review, sum(combo)), combo
        if fallback_key is None or (rate, review) < fallback_key:
            fallback_key, fallback = (rate, review), combo
    if best is not None:
        return evaluate(cases, dict(zip(fields, best)))
    res = evaluate(cases, dict(zip(fields, fallback)))
    return ThresholdChoice(**{**asdict(res), "feasible": False,
                              "notes": [f"no thresholds reach {max_silent:.1%} silent errors"]})


# ----------------------------------------------------------------------------- from records

def _norm(v) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(v or "").upper())


def _sub(v) -> str | None:
    m = re.match(r"[a-z]+|[0-9]+", re.sub(r"[\s()]", "", str(v or "").lower()))
    return m.group(0) if m else None


def _charge_key(c: Mapping) -> dict:
    count = c.get("count")
    try:
        count = int(count) if count is not None else None
    except (TypeError, ValueError):
        count = None
    return {"count": count, "code": _norm(c.get("code")), "section": str(c.get("section") or "").strip(),
            "sub": _sub(c.get("subdivision")), "disposition": str(c.get("disposition") or "").lower() or None,
            "date": (str(c.get("disposition_date"))[:10] if c.get("disposition_date") else None)}


def pair_charges(truth: Sequence[Mapping], pred: Sequence[Mapping]) -> list[tuple[int, int]]:
    """(truth index, predicted index): by count number where both have one, then by code and section."""
    tv, pv = [_charge_key(t) for t in truth], [_charge_key(p) for p in pred]
    pairs, used_t, used_p = [], set(), set()
    for pi, p in enumerate(pv):
        if p["count"] is None:
            continue
        ti = next((i for i, t in enumerate(tv) if i not in used_t and t["count"] == p["count"]), None)
        if ti is not None:
            pairs.append((ti, pi))
            used_t.add(ti)
            used_p.add(pi)
    for pi, p in enumerate(pv):
        if pi in used_p:
            continue
        cands = [i for i, t in enumerate(tv) if i not in used_t and (t["code"], t["section"]) == (p["code"], p["section"])]
        if cands:
            ti = next((i for i in cands if tv[i]["sub"] == p["sub"]), cands[0])
            pairs.append((ti, pi))
            used_t.add(ti)
            used_p.add(pi)
    return pairs


CHARGE_FIELDS = ("code", "section", "sub", "disposition", "date")  # every field the relief decision reads
SCORER_FIELDS = ("code", "section", "sub", "disposition")  # what the shared scorer's silent errors check


def charge_right(truth: Mapping, pred: Mapping, fields: Sequence[str] = CHARGE_FIELDS) -> bool:
    """Right in `fields`; the disposition date only where the relief decision reads it: a count that
    ended (or was read as ending) in a conviction. Routing checks dates there alone (`routing`)."""
    a, b = _charge_key(truth), _charge_key(pred)
    convicted = "convicted" in (a["disposition"], b["disposition"])
    return all(a[k] == b[k] for k in fields if k != "date" or convicted)


def _matched(truth_docs: Iterable[Mapping], results: Iterable[Mapping]) -> Iterator[tuple[Mapping, Mapping]]:
    """(truth, result) for every truth document that has a case record (errors aside), by base file name."""
    by_file = {Path(str((r.get("source") or {}).get("file", ""))).name: r for r in results if not r.get("error")}
    for t in truth_docs:
        r = by_file.get(t["file"])
        if r is not None:
            yield t, r


def charge_outcomes(truth_docs: Iterable[Mapping], results: Iterable[Mapping]) -> list[tuple[float, bool]]:
    """(reported confidence, right) for every charge the product reported."""
    out = []
    for t, r in _matched(truth_docs, results):
        pred = r.get("charges") or []
        paired = dict((pi, ti) for ti, pi in pair_charges(t["charges"], pred))
        for pi, p in enumerate(pred):
            ok = pi in paired and charge_right(t["charges"][paired[pi]], p)
            out.append((float(p.get("confidence") or 0.0), ok))
    return out


def case_right(truth: Mapping, result: Mapping, fields: Sequence[str] = SCORER_FIELDS) -> bool:
    """Case number right and every charge paired and right in `fields`, none missing, none extra.
    The default fields are the shared scorer's; pass CHARGE_FIELDS to count wrong dates too."""
    if _norm(result.get("case_number")) != _norm(truth.get("case_number")):
        return False
    pred = result.get("charges") or []
    pairs = pair_charges(truth["charges"], pred)
    if len(pairs) != len(truth["charges"]) or len(pairs) != len(pred):
        return False
    return all(charge_right(truth["charges"][ti], pred[pi], fields) for ti, pi in pairs)


def case_outcomes(truth_docs: Iterable[Mapping], results: Iterable[Mapping],
                  fields: Sequence[str] = SCORER_FIELDS) -> list[CaseOutcome]:
    """One outcome per scored document, with its document confidence as the single field."""
    out = []
    for t, r in _matched(truth_docs, results):
        reasons = set((r.get("review") or {}).get("reasons") or [])
        structural = bool(reasons - CONFIDENCE_REASONS - ({"relief_needs_review"} if reasons & CONFIDENCE_REASONS
                                                          else set()))
        out.append(CaseOutcome(structural, {"confidence": float(r.get("confidence") or 0.0)}, case_right(t, r, fields)))
    return out


# ----------------------------------------------------------------------------- report

def report(truth_docs: list[dict], results: list[dict], max_silent: float = 0.01, strict: bool = False) -> dict:
    """Reliability (charges right in every decision field) and the threshold search (documents right
    as the shared scorer counts them, or in every decision field with `strict`)."""
    co = charge_outcomes(truth_docs, results)
    scores = [s for s, _ in co]
    right = [c for _, c in co]
    cal = fit_isotonic(scores, right) if co else Calibrator((), ())
    cases = case_outcomes(truth_docs, results, CHARGE_FIELDS if strict else SCORER_FIELDS)
    as_is = [c.correct or c.structural for c in cases]
    return {
        "charges": len(co),
        "reliability": [asdict(b) | {"share_right": b.share_right} for b in reliability_table(scores, right)],
        "at_or_above_0.9": dict(zip(("n", "share_right"), share_right_at_or_above(scores, right, 0.9))),
        "ece": round(expected_calibration_error(reliability_table(scores, right)), 4),
        "calibrated_reliability": [asdict(b) | {"share_right": b.share_right}
                                   for b in reliability_table([cal(s) for s in scores], right)],
        "calibrator": cal.to_json(),
        "threshold": asdict(search_thresholds(cases, ["confidence"], max_silent=max_silent)) if cases else None,
        "documents": len(cases),
        "structurally_routed": sum(c.structural for c in cases),
        "wrong_documents": sum(not c.correct for c in cases),
        "wrong_but_structurally_routed": sum(1 for c, ok in zip(cases, as_is) if ok and not c.correct),
    }


def format_table(bins: Sequence[Mapping], title: str) -> str:
    lines = [title, f"  {'confidence':<14}{'charges':>8}{'right':>8}{'share':>8}{'mean conf':>11}"]
    for b in bins:
        share = "    n/a" if b["share_right"] is None else f"{100 * b['share_right']:6.1f}%"
        lines.append(f"  [{b['lo']:.2f}, {b['hi']:.2f}{']' if b['hi'] >= 1 else ')'}  {b['n']:>8}{b['right']:>8}"
                     f"{share:>8}{b['mean_confidence']:>11.3f}")
    return "\n".join(lines)


def print_report(rep: dict, file=sys.stdout) -> None:
    print(format_table(rep["reliability"], f"reliability of reported charge confidence ({rep['charges']} charges)"),
          file=file)
    a = rep["at_or_above_0.9"]
    share = "n/a" if a["share_right"] is None else f"{100 * a['share_right']:.1f}%"
    print(f"  of the charges reported at 0.9 or more ({a['n']}), right: {share};  ECE {rep['ece']:.3f}", file=file)
    print(format_table(rep["calibrated_reliability"], "after the isotonic calibration map"), file=file)
    th = rep["threshold"]
    if th:
        flag = "" if th["feasible"] else "  (TARGET NOT MET)"
        print(f"threshold search over {th['documents']} documents: route below {th['thresholds']} -> review rate "
              f"{100 * th['review_rate']:.1f}%, silent errors {th['silent_errors']} of {th['not_routed']} "
              f"({100 * th['silent_error_rate']:.2f}%, 95% upper bound {100 * th['upper_95']:.1f}%){flag}", file=file)
        print(f"  documents wrong: {rep['wrong_documents']}, of them caught by structural reasons: "
              f"{rep['wrong_but_structurally_routed']}; structurally routed: {rep['structurally_routed']}", file=file)


def _load(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument("--results", type=Path, required=True)
    ap.add_argument("--max-silent", type=float, default=0.01)
    ap.add_argument("--strict", action="store_true", help="a document with a wrong disposition date is wrong too")
    ap.add_argument("--json", type=Path, help="also write the report (with the calibration map) here")
    a = ap.parse_args(argv)
    rep = report(_load(a.truth), _load(a.results), a.max_silent, a.strict)
    print_report(rep)
    if a.json:
        a.json.write_text(json.dumps(rep, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
