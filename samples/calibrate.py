"""Choose the routing thresholds on generated documents: reliability table and threshold search.

    python -m samples.calibrate [--seed 2028] [--n 400] [--write]      (make calibrate)

1. Reads the product's own OCR of N generated documents from a seed that neither the model's training
   corpus (4242) nor its held-out set (9090) nor `make eval` (2027) uses; the OCR is made once and cached
   in samples/out/ner_eval/ (about 17 CPU-minutes for 400 documents).
2. Runs extraction, the relief decision and routing as shipped on every document, and prints the
   reliability table of charge confidences: of the charges reported at 0.9 or more, the share right.
3. Searches one threshold per field (case number, statute, disposition, disposition date; a grid from
   0.50 to 1.00) for the lowest review rate whose silent error rate (documents not sent to review with
   a wrong case number, a missing or extra charge, or a wrong statute, disposition or disposition date)
   is at most 1%. The shared scorer does not count dates; the relief decision reads them, so the search
   does (`--scorer-errors` counts as the scorer does). The grid starts at 0.50: a field read at less
   than even odds is never trusted without a person, whatever a sample of documents says.
4. With --write, stores the thresholds in ocr_service/routing_thresholds.json with the figures they were
   chosen on. The shared dev set is never used here.

A document is routed when a field is below its threshold or when something other than a confidence sends
it (no charges, an unknown statute, a relief rule that needs a person, ...). That second part is measured
with every threshold at zero, so the search sees exactly what each threshold adds.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import extractors
from extractors.types import CaseFacts
from ocr_service import calibration, routing
from ocr_service.record import case_record
from ocr_service.relief_adapter import decide_case
from samples.ner_eval import generated_corpus
from models.scripts import build_corpus as corpus

THRESHOLDS_FILE = Path(routing.__file__).with_name("routing_thresholds.json")
GRID = tuple(round(0.5 + 0.05 * i, 2) for i in range(11))


def field_confidences(facts: CaseFacts) -> dict[str, float]:
    """The weakest confidence of each routed field in one document (1.0 where the field is absent:
    an absent field routes the document by a reason of its own). Dates as `routing` reads them: those of
    convicted counts."""
    ch = facts.charges
    dated = [c for c in ch if c.disposition.value == "convicted"]
    return {
        "case_number": facts.case_number.confidence if facts.case_number.found else 1.0,
        "statute": min((c.statute.confidence for c in ch), default=1.0),
        "disposition": min((c.disposition.confidence for c in ch if c.disposition.found), default=1.0),
        "disposition_date": min((c.disposition_date.confidence for c in dated if c.disposition_date.found),
                                default=1.0),
    }


def outcomes(records: list[dict], strict: bool = False) -> tuple[list[calibration.CaseOutcome], list[dict], list[dict]]:
    """Per document: routed for a reason other than confidence, field confidences, right or not; and the
    truth and result records (as shipped) for the reliability table."""
    fields = calibration.CHARGE_FIELDS if strict else calibration.SCORER_FIELDS
    cases, truth, results = [], [], []
    for r in records:
        pages = [corpus.page_from_json(p) for p in r["pages"]]
        facts = extractors.extract(pages)
        with routing.thresholds_set({k: 0.0 for k in routing.FIELDS}):
            decision = decide_case(facts, "la-county")
            review, _ = routing.route(facts, decision)
        decision_shipped = decide_case(facts, "la-county")
        review_shipped, confidence = routing.route(facts, decision_shipped)
        res = SimpleNamespace(info=SimpleNamespace(sha256="", pages=len(pages)), facts=facts,
                              decision=decision_shipped, review=review_shipped, confidence=confidence)
        rec = case_record(res, file=r["truth"]["file"])
        cases.append(calibration.CaseOutcome(review.required, field_confidences(facts),
                                             calibration.case_right(r["truth"], rec, fields)))
        truth.append(r["truth"])
        results.append(rec)
    return cases, truth, results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=2028)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--max-silent", type=float, default=0.01)
    ap.add_argument("--scorer-errors", action="store_true",
                    help="count errors as the shared scorer does (disposition dates not included)")
    ap.add_argument("--write", action="store_true", help=f"store the chosen thresholds in {THRESHOLDS_FILE.name}")
    a = ap.parse_args(argv)
    records = generated_corpus(a.seed, a.n, a.jobs)
    cases, truth, results = outcomes(records, strict=not a.scorer_errors)
    rep = calibration.report(truth, results, a.max_silent)
    print(f"===== {len(records)} generated documents (seed {a.seed}), extraction and routing as shipped")
    calibration.print_report(rep)
    print(f"  shipped thresholds {dict((k, routing.THRESHOLDS[k]) for k in routing.FIELDS)}: "
          f"{_line(calibration.evaluate(cases, {k: routing.THRESHOLDS[k] for k in routing.FIELDS}))}")
    choice = calibration.search_thresholds(cases, list(routing.FIELDS), grid=GRID, max_silent=a.max_silent)
    print(f"\nper-field threshold search (grid {GRID[0]}-{GRID[-1]}): {choice.thresholds}\n  {_line(choice)}")
    structural = sum(c.structural for c in cases)
    print(f"  routed whatever the thresholds (a reason other than confidence): {structural} of {len(cases)}"
          f" ({100 * structural / len(cases):.1f}%); documents wrong: {sum(not c.correct for c in cases)}")
    other, _, _ = outcomes(records, strict=a.scorer_errors)
    print(f"  the same thresholds, {'counting' if a.scorer_errors else 'not counting'} a wrong disposition date "
          f"as an error: {_line(calibration.evaluate(other, choice.thresholds))}")
    if a.write:
        if not choice.feasible:
            print(f"\nnot written: no thresholds reach {a.max_silent:.1%} silent errors on these documents")
            return 1
        THRESHOLDS_FILE.write_text(json.dumps({
            "thresholds": choice.thresholds,
            "chosen_by": {"command": f"python -m samples.calibrate --seed {a.seed} --n {a.n}"
                                     f"{' --scorer-errors' if a.scorer_errors else ''} --write",
                          "errors_counted": "scorer" if a.scorer_errors else "every decision field",
                          "date": dt.date.today().isoformat(), "documents": len(cases),
                          "max_silent_error_rate": a.max_silent} | {
                k: v for k, v in asdict(choice).items() if k not in ("thresholds", "notes", "feasible")},
        }, indent=2) + "\n")
        print(f"\nwritten: {THRESHOLDS_FILE}")
    return 0


def _line(c: calibration.ThresholdChoice) -> str:
    return (f"review rate {100 * c.review_rate:.1f}%, silent errors {c.silent_errors} of {c.not_routed} not routed "
            f"({100 * c.silent_error_rate:.2f}%, 95% upper bound {100 * c.upper_95:.1f}%)")


if __name__ == "__main__":
    raise SystemExit(main())
