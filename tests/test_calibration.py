"""Calibration maths on synthetic numbers: reliability bins, isotonic map, threshold search, record pairing."""
from __future__ import annotations

import pytest

from ocr_service.calibration import (CHARGE_FIELDS, Calibrator, CaseOutcome, case_outcomes, case_right, charge_outcomes,
                                     evaluate, fit_isotonic, pair_charges, reliability_table, report,
                                     search_thresholds, share_right_at_or_above, wilson_upper)


def test_reliability_bins_count_and_share():
    scores = [0.1, 0.55, 0.6, 0.91, 0.92, 0.97, 1.0, 1.0]
    right = [False, True, False, True, True, False, True, True]
    bins = reliability_table(scores, right, edges=(0.0, 0.5, 0.9, 1.0))
    assert [(b.n, b.right) for b in bins] == [(1, 0), (2, 1), (5, 4)]
    assert bins[2].share_right == pytest.approx(0.8)
    assert bins[1].mean_confidence == pytest.approx(0.575)
    assert share_right_at_or_above(scores, right, 0.9) == (5, pytest.approx(0.8))
    assert share_right_at_or_above([0.1], [True], 0.9) == (0, None)


def test_reliability_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        reliability_table([0.5], [True, False])


def test_isotonic_pools_violators_and_is_monotone():
    cal = fit_isotonic([0.1, 0.2, 0.3, 0.4], [False, True, False, True], prior=0.0)
    # 0.2 (right) and 0.3 (wrong) violate the order and are pooled to 0.5
    assert cal(0.1) == 0.0
    assert cal(0.2) == cal(0.3) == 0.5
    assert cal(0.4) == 1.0
    assert cal(0.05) == 0.0 and cal(0.99) == 1.0
    xs = [i / 100 for i in range(101)]
    assert all(cal(a) <= cal(b) for a, b in zip(xs, xs[1:]))


def test_isotonic_smoothing_keeps_small_perfect_blocks_below_one():
    cal = fit_isotonic([0.95, 0.96, 0.97], [True, True, True], prior=1.0)
    assert cal(0.97) == pytest.approx(3.5 / 4)


def test_calibrator_round_trips_through_json():
    cal = Calibrator((0.5, 0.9, 1.0), (0.4, 0.8, 0.97))
    again = Calibrator.from_json(cal.to_json())
    assert again == cal and again(0.7) == 0.8


def _cases(spec):
    return [CaseOutcome(structural, {"confidence": c}, ok) for structural, c, ok in spec]


def test_threshold_search_finds_the_lowest_review_rate_that_meets_the_target():
    # 100 documents: wrong ones sit at confidence 0.6 and 0.7 (and one is structurally routed)
    spec = [(False, 0.95, True)] * 90 + [(False, 0.6, False), (False, 0.7, False), (True, 0.99, False)] \
        + [(False, 0.65, True)] * 7
    cases = _cases(spec)
    choice = search_thresholds(cases, ["confidence"], grid=[0.5, 0.6, 0.65, 0.7, 0.75, 0.9, 0.99])
    assert choice.feasible
    assert choice.thresholds == {"confidence": 0.75}  # 0.7 lets the 0.7 error through
    assert choice.silent_errors == 0
    assert choice.review_rate == pytest.approx(10 / 100)  # 1 structural + 2 wrong + 7 right at 0.65
    looser = search_thresholds(cases, ["confidence"], grid=[0.5, 0.65, 0.75], max_silent=0.02)
    # at 2%, 0.65 (routing the 0.6 error) leaves one silent error in 98; 0.5 would leave two in 99 (2.02%)
    assert looser.thresholds == {"confidence": 0.65} and looser.silent_errors == 1
    assert looser.review_rate == pytest.approx(0.02)


def test_threshold_search_over_two_fields_and_infeasible_target():
    cases = [CaseOutcome(False, {"a": 0.9, "b": 0.6}, False), CaseOutcome(False, {"a": 0.6, "b": 0.9}, True)] \
        + [CaseOutcome(False, {"a": 0.95, "b": 0.95}, True)] * 8
    choice = search_thresholds(cases, ["a", "b"], grid=[0.5, 0.7])
    assert choice.thresholds == {"a": 0.5, "b": 0.7} and choice.review_rate == pytest.approx(0.1)
    bad = search_thresholds([CaseOutcome(False, {"a": 1.0}, False)] * 3, ["a"], grid=[0.5, 0.9])
    assert not bad.feasible and bad.notes


def test_evaluate_counts_silent_errors_among_documents_not_routed():
    res = evaluate(_cases([(False, 0.9, False), (False, 0.9, True), (False, 0.5, False)]), {"confidence": 0.8})
    assert (res.not_routed, res.silent_errors, res.silent_error_rate) == (2, 1, 0.5)


def test_wilson_upper_bound():
    assert wilson_upper(0, 0) == 1.0
    assert 0.0 < wilson_upper(0, 100) < 0.03
    assert wilson_upper(5, 100) > 0.05


TRUTH = [{"file": "a.png", "case_number": "A123456", "charges": [
    {"count": 1, "code": "HS", "section": "11359", "subdivision": None, "disposition": "convicted",
     "disposition_date": "1988-06-01"},
    {"count": 2, "code": "PC", "section": "148", "subdivision": "a", "disposition": "dismissed",
     "disposition_date": "1988-06-01"}]},
    {"file": "b.png", "case_number": "B1", "charges": [
        {"count": 1, "code": "HS", "section": "11357", "subdivision": "b", "disposition": "convicted",
         "disposition_date": "1990-01-02"}]}]


def _result(file, case, charges, conf, reasons=()):
    return {"source": {"file": f"/x/{file}"}, "case_number": case, "charges": charges, "confidence": conf,
            "review": {"required": bool(reasons), "reasons": list(reasons)}}


def test_pairing_and_rightness_from_records():
    pred = [{"count": None, "code": "PC", "section": "148", "subdivision": "a", "disposition": "dismissed",
             "disposition_date": "1988-06-01", "confidence": 0.9},
            {"count": 1, "code": "HS", "section": "11359", "subdivision": None, "disposition": "convicted",
             "disposition_date": "1988-06-02", "confidence": 0.8}]
    assert sorted(pair_charges(TRUTH[0]["charges"], pred)) == [(0, 1), (1, 0)]
    res = [_result("a.png", "A-123456", pred, 0.8), _result("b.png", "B1", [
        {"count": 1, "code": "HS", "section": "11357", "subdivision": "b", "disposition": "convicted",
         "disposition_date": "1990-01-02", "confidence": 0.97}], 0.97, ["low_ocr_confidence"])]
    assert charge_outcomes(TRUTH, res) == [(0.9, True), (0.8, False), (0.97, True)]  # the date is off by a day
    # the shared scorer does not count dates; the strict view does
    assert case_right(TRUTH[0], res[0]) and not case_right(TRUTH[0], res[0], CHARGE_FIELDS)
    assert case_right(TRUTH[1], res[1])
    assert not case_right(TRUTH[1], dict(res[1], case_number="B7"))
    cases = case_outcomes(TRUTH, res, CHARGE_FIELDS)
    assert [(c.structural, c.correct) for c in cases] == [(False, False), (False, True)]


def test_a_wrong_date_counts_only_on_a_count_the_relief_decision_reads_it_for():
    from ocr_service.calibration import charge_right

    truth = {"count": 2, "code": "PC", "section": "148", "subdivision": None, "disposition": "dismissed",
             "disposition_date": "1988-06-01"}
    assert charge_right(truth, dict(truth, disposition_date="1925-09-01"))  # a dismissed count's date
    convicted = dict(truth, disposition="convicted")
    assert not charge_right(convicted, dict(convicted, disposition_date="1925-09-01"))
    # read as convicted when it was dismissed: wrong anyway, by its disposition
    assert not charge_right(truth, dict(convicted, disposition_date="1988-06-01"))


def test_report_puts_it_together():
    res = [_result("a.png", "A123456", [dict(c, confidence=0.95) for c in TRUTH[0]["charges"]], 0.95),
           _result("b.png", "B1", [dict(TRUTH[1]["charges"][0], code="PC", confidence=0.6)], 0.6)]
    rep = report(TRUTH, res)
    assert rep["charges"] == 3 and rep["at_or_above_0.9"] == {"n": 2, "share_right": 1.0}
    assert rep["threshold"]["silent_errors"] == 0 and rep["threshold"]["review_rate"] == 0.5


# ----------------------------------------------------------------------------- thresholds as data

CLEAN = """\
MUNICIPAL COURT OF EAST VALLEY JUDICIAL DISTRICT
DOCKET NO. 87M04412                    DATE FILED 02/11/87
DEFENDANT  PRICE, WALTER J             D.O.B. 07/19/59
CT  STATUTE        OFFENSE                  LVL    DISPOSITION          DATE
01  11359 H&S      POSSESSION               FEL    CONV                 05/04/87
"""
CLEAN_TRUTH = {"file": "t1.png", "case_number": "87M04412", "charges": [
    {"count": 1, "code": "HS", "section": "11359", "subdivision": None, "disposition": "convicted",
     "disposition_date": "1987-05-04"}]}


def test_shipped_thresholds_are_read_from_the_data_file():
    import json
    from importlib import resources

    from ocr_service import routing

    data = json.loads(resources.files("ocr_service").joinpath("routing_thresholds.json").read_text())
    assert {k: routing.THRESHOLDS[k] for k in routing.FIELDS} == {k: float(v) for k, v in data["thresholds"].items()}
    assert routing.THRESHOLDS["charge"] == min(routing.THRESHOLDS[k] for k in ("statute", "disposition",
                                                                               "disposition_date"))


def test_a_field_just_under_its_threshold_routes_the_case_and_just_over_does_not():
    import extractors
    from extractors.tagging import RuleTagger
    from ocr_service import routing
    from ocr_service.relief_adapter import decide_case
    from tests.conftest import page_from_text

    facts = extractors.extract([page_from_text(CLEAN, conf=0.9)], tagger=RuleTagger())
    st = facts.charges[0].statute.confidence
    for at, routed_ in ((st + 0.01, True), (st - 0.01, False)):
        with routing.thresholds_set({"statute": at, "case_number": 0.0, "disposition": 0.0, "disposition_date": 0.0}):
            review, _ = routing.route(facts, decide_case(facts, "la-county"))
        assert review.required is routed_, (at, review.reasons)
    assert routing.THRESHOLDS == routing.load_thresholds()  # restored afterwards


def test_calibration_outcomes_separate_structural_routing_from_confidence():
    from models.scripts.build_corpus import page_to_json
    from samples.calibrate import outcomes
    from tests.conftest import page_from_text

    no_charges = {"file": "t2.png", "case_number": "87M04413", "charges": []}
    recs = [{"pages": [page_to_json(page_from_text(CLEAN, conf=0.4))], "truth": CLEAN_TRUTH},
            {"pages": [page_to_json(page_from_text(CLEAN.replace("87M04412", "87M04413").split("CT ")[0]))],
             "truth": no_charges}]
    cases, truth, results = outcomes(recs)
    low, empty = cases
    assert not low.structural and low.correct  # right, and routed today only for its low confidence
    # (the description names no offense fully, so it does not vouch for the section: offenses.confirms)
    assert 0.0 < low.fields["statute"] < 0.5 and results[0]["review"]["required"]  # under the grid's floor
    assert empty.structural  # no charges found: routed whatever the thresholds
