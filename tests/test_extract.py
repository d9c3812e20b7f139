"""Assembly of cases from words: tables, prose, later entries, priors, registration notes.

Pages here are built from text on a monospace grid (tests/conftest.py); the wording is the
project's own. Real OCR is exercised in tests/test_pipeline.py.
"""
from __future__ import annotations

import datetime as dt

import pytest

import extractors
from extractors.types import Statute
from extractors.tagging import RuleTagger
from tests.conftest import page_from_text

RULES = RuleTagger()  # assembly is tested on rule spans alone; the model's part has its own tests below

TABLE_DOCKET = """\
MUNICIPAL COURT OF EAST VALLEY JUDICIAL DISTRICT
COUNTY OF LOS ANGELES
DOCKET NO. 87M04412                    DATE FILED 02/11/87
DEFENDANT  PRICE, WALTER J             D.O.B. 07/19/59
BOOKING NO. 5512093     CII NO. A44120933     BAIL $2,500
CT  STATUTE        OFFENSE                  LVL    DISPOSITION          DATE
01  11359 H&S      POSS MJ FOR SALE         FEL    CONV                 05/04/87
02  148 P.C.       OBSTRUCT OFFICER         MISD   DISM                 05/04/87
PROCEEDINGS
02/13/87  ARRAIGNMENT. DEFT PLEADS NOT GUILTY ALL COUNTS.
05/04/87  DEFT WITHDRAWS NOT GUILTY PLEA AND PLEADS GUILTY TO CT 1.
"""

MINUTE_ORDER = """\
SUPERIOR COURT OF CALIFORNIA, COUNTY OF LOS ANGELES
DATE: OCT 03 1984                                  DEPT. 112
CASE NO. A551902
PEOPLE OF THE STATE OF CALIFORNIA VS. DEFENDANT 01: HALE, MARCUS T
DOB: JAN 30 1960
THE COMPLAINT FILED MAY 02 1984 CHARGES THE DEFENDANT IN COUNT 1 WITH A VIOLATION OF
SECTION 11360 HEALTH AND SAFETY CODE, A FELONY; IN COUNT 2 WITH A VIOLATION OF SECTION
11357(B) HEALTH AND SAFETY CODE, A MISDEMEANOR; IN COUNT 3 WITH A VIOLATION OF SECTION
459 PENAL CODE, A FELONY.
DEFENDANT ADMITS A PRIOR CONVICTION: 1979 PC 211 (ROBBERY), CASE A330012.
JUL 16 1984 - DEFENDANT PLEADS GUILTY TO COUNT 1. COUNTS 2 AND 3 ARE DISMISSED ON
MOTION OF THE PEOPLE.
OCT 03 1984 - SENTENCE: 16 MONTHS STATE PRISON.
"""

PRINTOUT = """\
CJX220                 CENTRAL DISTRICT MUNICIPAL COURT             PAGE 1
CASE NUMBER: 91M22871   FILED: 06/14/91
DEFENDANT: OKAFOR BENJAMIN L       DOB: 11/02/70   SEX: M
CNT STATUTE          DESCRIPTION            LV   DISPOSITION   DISP DT
001 HSC 11357(C)     POSS MJ OVER 1 OZ      MISD GLTY-CRT      08/20/91
002 VC 23152(A)      DUI                    MISD DISM-1385     08/20/91
DEFT ORDERED TO REGISTER PER 290 PC.
"""

LATER_ENTRIES = """\
MUNICIPAL COURT, COUNTY OF LOS ANGELES
CASE NO. 88M31120   DATE FILED 01/05/88
DEFENDANT GREER, ALMA
CT  CODE SECTION
1   11357(B) HS
2   11358 HS
03/01/88  DEFT PLED NOLO CT 01. COURT FINDS FACTUAL BASIS.
06/01/88  CT 02 DISMISSED 1385 PC
"""


def extract(text: str):
    return extractors.extract([page_from_text(text)], tagger=RULES)


def extract_at(text: str, conf: float):
    return extractors.extract([page_from_text(text, conf=conf)], tagger=RULES)


def summary(facts):
    return [(c.count, c.statute.value.code, c.statute.value.section, c.statute.value.subdivision,
             c.disposition.value, c.disposition_date.value) for c in facts.charges]


def test_table_docket_rows_give_counts_with_their_dispositions():
    f = extract(TABLE_DOCKET)
    assert f.case_number.value == "87M04412"
    assert f.filing_date.value == dt.date(1987, 2, 11)
    assert f.defendant_dob.value == dt.date(1959, 7, 19)
    assert summary(f) == [
        (1, "HS", "11359", None, "convicted", dt.date(1987, 5, 4)),
        (2, "PC", "148", None, "dismissed", dt.date(1987, 5, 4)),
    ]
    assert f.charges[0].level.value == "felony"
    assert f.charges[1].level.value == "misdemeanor"
    assert "PRICE" in (f.defendant_name.value or "")


def test_minute_order_prose_defines_counts_and_later_entries_dispose():
    f = extract(MINUTE_ORDER)
    assert f.case_number.value == "A551902"
    assert f.filing_date.value == dt.date(1984, 5, 2)
    assert summary(f) == [
        (1, "HS", "11360", None, "convicted", dt.date(1984, 7, 16)),
        (2, "HS", "11357", "b", "dismissed", dt.date(1984, 7, 16)),
        (3, "PC", "459", None, "dismissed", dt.date(1984, 7, 16)),
    ]
    assert [c.level.value for c in f.charges] == ["felony", "misdemeanor", "felony"]


def test_a_prior_is_never_a_count_and_is_kept_as_a_prior():
    f = extract(MINUTE_ORDER)
    assert ("PC", "211") not in {(c.statute.value.code, c.statute.value.section) for c in f.charges}
    assert [(p.statute.code, p.statute.section) for p in f.priors] == [("PC", "211")]
    assert f.priors[0].date.year == 1979


def test_printout_rows_and_registration_note():
    f = extract(PRINTOUT)
    assert f.case_number.value == "91M22871"
    assert summary(f) == [
        (1, "HS", "11357", "c", "convicted", dt.date(1991, 8, 20)),
        (2, "VC", "23152", "a", "dismissed", dt.date(1991, 8, 20)),
    ]
    assert f.pc290_registrant.value is True
    assert all(c.statute.value.section != "290" for c in f.charges)


def test_later_docket_entries_dispose_of_earlier_counts():
    f = extract(LATER_ENTRIES)
    assert summary(f) == [
        (1, "HS", "11357", "b", "convicted", dt.date(1988, 3, 1)),
        (2, "HS", "11358", None, "dismissed", dt.date(1988, 6, 1)),
    ]
    # "DISMISSED 1385 PC" cites the dismissal's authority; it is not a count.
    assert len(f.charges) == 2


def test_counts_continue_across_pages():
    p1 = page_from_text("CASE NO. BA102233   FILED 04/04/94\nCT  STATUTE  DISPO  DATE\n"
                        "1  11359 HS  FEL  CONV  09/09/94\n", number=1)
    p2 = page_from_text("CT  STATUTE  DISPO  DATE\n2  11360(A) HS  FEL  DISM  09/09/94\n", number=2)
    f = extractors.extract([p1, p2], tagger=RULES)
    assert [(c.count, c.statute.value.section, c.disposition.value) for c in f.charges] == [
        (1, "11359", "convicted"), (2, "11360", "dismissed")]
    assert f.charges[1].evidence.page == 2


def test_every_fact_carries_evidence_on_its_page():
    f = extract(TABLE_DOCKET)
    for c in f.charges:
        assert c.evidence is not None and c.evidence.page == 1
        x0, y0, x1, y1 = c.statute.evidence.bbox
        assert x1 > x0 and y1 > y0
    assert f.case_number.evidence.text == "87M04412"


def test_low_ocr_confidence_lowers_field_confidence():
    # (a section its row's description confirms is the exception: see the test below on that)
    hi = extractors.extract([page_from_text(TABLE_DOCKET, conf=0.95)], tagger=RULES)
    lo = extractors.extract([page_from_text(TABLE_DOCKET, conf=0.40)], tagger=RULES)
    assert lo.case_number.confidence < hi.case_number.confidence and lo.case_number.confidence <= 0.40
    for a, b in zip(lo.charges, hi.charges):
        assert a.disposition.confidence < b.disposition.confidence and a.disposition.confidence <= 0.5
        assert a.disposition_date.confidence < b.disposition_date.confidence
    bare = "CASE NO. A100200\nCT STATUTE DISPO DATE\n1  459 PC  CONV  03/17/82\n"
    assert extract_at(bare, 0.40).charges[0].statute.confidence <= 0.40 < extract_at(bare, 0.95).charges[0].statute.confidence


def test_a_statute_cut_by_a_line_break_is_read_whole():
    text = ("CASE NO. A700112\n"
            "THE INFORMATION CHARGES IN COUNT 1 A VIOLATION OF SECTION 11359 HEALTH AND\n"
            "SAFETY CODE, A FELONY; IN COUNT 2 A VIOLATION OF SECTION 11352 HEALTH AND\n"
            "SAFETY CODE, A FELONY.\n"
            "MAR 02 1990 - DEFENDANT PLEADS GUILTY TO COUNT 2. COUNT 1 IS DISMISSED.\n")
    f = extract(text)
    assert [(c.count, c.statute.value.section, c.level.value, c.disposition.value) for c in f.charges] == [
        (1, "11359", "felony", "dismissed"), (2, "11352", "felony", "convicted")]


def test_a_row_continued_on_indented_lines_keeps_its_disposition():
    text = ("CASE NUMBER: A330917     FILED: 04/02/85\n"
            "CNT 001  HS 11359        POSS FOR SALE\n"
            "         DISPO: PLEA NOLO CONTENDERE      DATE: 07/11/85\n"
            "CNT 002  PEN 459         BURGLARY\n"
            "         DISPO: DISMISSED                 DATE: 07/11/85\n"
            "07/11/85  SENTENCE PRONOUNCED.\n")
    f = extract(text)
    assert [(c.count, c.statute.value.section, c.disposition.value, c.disposition_date.value) for c in f.charges] == [
        (1, "11359", "convicted", dt.date(1985, 7, 11)), (2, "459", "dismissed", dt.date(1985, 7, 11))]


class _StandInModel:
    """A stand-in for the trained model inside a unit test of assembly: it tags given strings."""

    def __init__(self, tags):
        self.tags = tags  # (label, text, score)

    def tag(self, doc):
        from extractors.tagging import Span

        out = []
        for label, text, score in self.tags:
            i = doc.text.find(text)
            assert i >= 0, text
            out.append(Span(label, i, i + len(text), text, None, score))
        return out


ROLES_DOCKET = """\
CASE NO. 77M31008   RPT 04/04/79
CT  STATUTE     DISPO   DATE
1   11357(A) HS  CONV   02/02/77
    PC 187   1969
2   459 PC   DISM   02/02/77
"""


def test_model_roles_mark_priors_and_unconfirmed_spans_lose_confidence():
    from extractors.tagging import CombinedTagger

    plain = extractors.extract([page_from_text(ROLES_DOCKET)], tagger=RULES)
    model = _StandInModel([("PRIOR", "PC 187", 0.97), ("STATUTE", "11357(A) HS", 0.99),
                           ("DISPOSITION", "CONV", 0.98), ("CASE_NUMBER", "77M31008", 0.99)])
    f = extractors.extract([page_from_text(ROLES_DOCKET)], tagger=CombinedTagger(model=model))
    assert ("PC", "187") not in {(c.statute.value.code, c.statute.value.section) for c in f.charges}
    assert [(p.statute.section, p.date.year) for p in f.priors] == [("187", 1969)]
    # the model confirmed count 1's statute but not count 2's
    c1 = next(c for c in f.charges if c.count == 1)
    c2 = next(c for c in f.charges if c.count == 2)
    assert c1.statute.confidence == next(c for c in plain.charges if c.count == 1).statute.confidence
    assert c2.statute.confidence < next(c for c in plain.charges if c.count == 2).statute.confidence


def test_model_finds_a_statute_the_rules_cannot_place():
    from extractors.tagging import CombinedTagger

    text = "CASE NO. A410092\nCT 1  POSS FOR SALE  SECT 11359 HEALTH SAFETY  CONV  05/05/85\n"
    model = _StandInModel([("STATUTE", "11359 HEALTH SAFETY", 0.93)])
    rules_only = extractors.extract([page_from_text(text)], tagger=RULES)
    f = extractors.extract([page_from_text(text)], tagger=CombinedTagger(model=model))
    assert [c.statute.value.section for c in f.charges] == ["11359"]
    assert len(rules_only.charges) <= 1


def test_a_letter_glued_to_a_section_the_model_found_is_its_subdivision():
    from extractors.tagging import lenient_statute

    assert lenient_statute("11357A H-\u201cS") == Statute("HS", "11357", "a")
    assert lenient_statute("H-S 11357(B)") == Statute("HS", "11357", "b")
    assert lenient_statute("11357Z H~S").subdivision is None  # no subdivision (z) in 11357


def test_a_section_its_row_describes_is_trusted_despite_faint_digits_but_not_its_look_alike():
    from extractors.assemble import CONFIRMED_SECTION_CONF

    def statute_conf(row: str) -> float:
        page = page_from_text("CASE NO. A410092\nCNT STATUTE DESCRIPTION DISPO DATE\n" + row + "\n", conf=0.3)
        (c,) = extractors.extract([page], tagger=RULES).charges
        return c.statute.confidence

    assert statute_conf("001 HS 11350 POSSESSION CONTROLLED SUBSTANCE CONV 05/05/85") == CONFIRMED_SECTION_CONF
    # 11550 is 11350's look-alike, and the description fits 11350 better: tesseract's doubt stands
    assert statute_conf("001 HS 11550 POSSESSION CONTROLLED SUBSTANCE CONV 05/05/85") <= 0.3
    assert statute_conf("001 HS 11350 BURGLARY CONV 05/05/85") <= 0.3
    # the code's letters garbled, the section's digits as typed: the description still vouches for it
    garbled = statute_conf("001 H$S 11350 POSSESSION CONTROLLED SUBSTANCE CONV 05/05/85")
    assert 0.5 < garbled <= CONFIRMED_SECTION_CONF


def test_a_disposition_year_misread_before_the_filing_is_repaired_and_sent_to_review():
    from extractors.assemble import repair_year

    assert repair_year(dt.date(1962, 3, 17), dt.date(1981, 12, 14)) == dt.date(1982, 3, 17)
    assert repair_year(dt.date(1936, 10, 13), dt.date(1986, 6, 2)) == dt.date(1986, 10, 13)
    assert repair_year(dt.date(1970, 1, 1), dt.date(1990, 1, 1)) is None  # no single look-alike explains it
    text = "CASE NO. A100200   DATE FILED 12/14/81\nCT STATUTE DISPO DATE\n1  459 PC  CONV  03/17/62\n"
    f = extract(text)
    ch = f.charges[0]
    assert ch.disposition_date.value == dt.date(1982, 3, 17)
    assert ch.disposition_date.confidence <= 0.6
    assert "implausible_date" in f.notes


def test_a_disposition_year_before_the_defendant_was_ten_is_repaired_by_the_cases_other_dates():
    from extractors.assemble import repair_year

    dob = dt.date(1950, 7, 19)
    # 1932 (9 read as 3): 1982 and 1992 both fit the defendant's age; a sentence dated 1992 decides
    assert repair_year(dt.date(1932, 1, 10), dob=dob) is None
    assert repair_year(dt.date(1932, 1, 10), dob=dob, context=frozenset({dt.date(1992, 1, 29)})) == \
        dt.date(1992, 1, 10)
    text = ("CASE NUMBER: YA847312\nDEFENDANT: WASHINGTON, MIGUEL  DOB: 19-JUL-50\n"
            "CNT 001 PC-459 BURGLARY FEL GUILTY PLEA 10-JAN-32\n"
            "CNT 001 SENT 29-JAN-92: PROBATION DENIED: STATE PRISON 2 YEARS\n")
    f = extract(text)
    assert f.charges[0].disposition_date.value == dt.date(1992, 1, 10)
    assert f.charges[0].disposition_date.confidence <= 0.6 and "implausible_date" in f.notes


def test_a_disposition_year_long_after_the_case_began_is_repaired_only_when_another_date_agrees():
    # no filing date read: the case began by its first docket entry (1987); a plea entry read 1996 for
    # 1990 (a barred zero read as 6) is seven years on, and another count's row dates the plea 1990
    text = ("CASE NO. A204411\n"
            "CT  CODE SECTION  OFFENSE         CLASS  DISPOSITION  DATE\n"
            "1   11360(A) HS   SALE MARIJUANA  F      PLEA GUILTY\n"
            "2   484(A) PEN    PETTY THEFT     M      PLEA GUILTY  11/21/90\n"
            "06/02/87 DEFT ARRAIGNED, PLEADS NOT GUILTY.\n"
            "11/21/96 DEFT PLEADS GUILTY TO COUNT 1.\n")
    f = extract(text)
    one = next(c for c in f.charges if c.count == 1)
    assert one.disposition_date.value == dt.date(1990, 11, 21)
    assert one.disposition_date.confidence <= 0.6 and "implausible_date" in f.notes
    # with no other date of the case near the repaired year, the date stays as read
    f = extract(text.replace("11/21/90", ""))
    one = next(c for c in f.charges if c.count == 1)
    assert one.disposition_date.value == dt.date(1996, 11, 21)


def test_an_entry_whose_date_lost_its_slashes_still_dates_the_verdict():
    text = ("CASE NO. A512000\n"
            "THE INFORMATION FILED 02/02/83 CHARGES IN COUNT 1 A VIOLATION OF SECTION 11359 HS, A FELONY.\n"
            "85716783 — JURY TRIAL. THE JURY RETURNS WITH THE FOLLOWING VERDICT:\n"  # 05/16/83
            "AS TO COUNT 1, VIOLATION OF SECTION 11359 HS: GUILTY.\n")
    f = extract(text)
    assert [(c.count, c.disposition.value, c.disposition_date.value) for c in f.charges] == [
        (1, "convicted", dt.date(1983, 5, 16))]


def test_a_list_of_counts_followed_by_as_many_sections_pairs_them_in_order():
    text = ("CASE NO. A512000\n"
            "03/01/83 DEFT PLEADS GUILTY TO COUNTS 1 AND 2, 11359 HS AND 148 PC. FACTUAL BASIS FOUND.\n")
    f = extract(text)
    assert sorted((c.count, c.statute.value.section, c.disposition.value) for c in f.charges) == [
        (1, "11359", "convicted"), (2, "148", "convicted")]


def test_a_felony_the_court_declares_a_misdemeanor_under_17b_is_a_misdemeanor():
    text = ("CASE NO. A960828\n"
            "THE INFORMATION CHARGES THE DEFENDANT IN COUNT ONE WITH A VIOLATION OF 12020(A) PC, A FELONY;\n"
            "IN COUNT TWO WITH A VIOLATION OF 459 PC, A FELONY.\n"
            "03/02/81 DEFENDANT PLEADS GUILTY TO COUNT 1. COUNT 2 IS DISMISSED.\n"
            "THE COURT DECLARES THE OFFENSE IN COUNT 1 TO BE A MISDEMEANOR PURSUANT TO SECTION 17(B) PENAL CODE.\n")
    f = extract(text)
    assert [(c.count, c.level.value) for c in f.charges] == [(1, "misdemeanor"), (2, "felony")]
    assert [c.statute.value.section for c in f.charges] == ["12020", "459"]  # 17(b) is not a count


def test_a_row_whose_count_number_is_unreadable_takes_the_number_its_neighbours_skip():
    table = ("CASE NO. 78M01371\n"
             "CT. CODE SECTION NATURE OF OFFENSE CLASS DISPOSITION DATE\n"
             "{}  11359 HS  POSS MJ F/S  FEL  CONV - NOLO PLEA  5-14-79\n"
             "2  484(A) PEN  PETTY THEFT  MISD  CONV - NOLO PLEA  5-14-79\n"
             "{}  22350 VC  UNSAFE SPEED  INF  DISM PER PLEA BARGAIN  5-14-79\n")
    def counts(text):
        return sorted((c.statute.value.section, c.count) for c in extract(text).charges)

    assert counts(table.format("ak", "03")) == [("11359", 1), ("22350", 3), ("484", 2)]
    # two unreadable numbers: neither is guessed
    assert counts(table.format("ak", "x#")) == [("11359", None), ("22350", None), ("484", 2)]


def test_labelled_printout_counts_keep_their_numbers_and_two_subdivisions_are_two_counts():
    text = ("CASE NO: 98M26222 FILING: 3/24/98\n"
            "COUNT: 61 VIOL: H.S.11357(A) LEVEL: M\n"
            "DISPO: GUILTY-JURY DISPO DT: 8/24/98\n"
            "COUNT: G2 VIOL: H.S,11359 LEVEL: F\n"
            "DISPO; CONV-COURT TRIAL DISPO DT: 8/24/98\n"
            "COUNT: @3 VIOL: H.S,11357(B) LEVEL: M\n"
            "DISPO: GUILTY-JURY DISPO DT: 8/24/98\n")
    f = extract(text)
    assert sorted((c.count, c.statute.value.section, c.statute.value.subdivision) for c in f.charges) == [
        (1, "11357", "a"), (2, "11359", None), (3, "11357", "b")]


def test_a_pending_count_has_no_disposition_date():
    text = ("CASE NO. 94M96755  DATE FILED 10-03-94\n"
            "CT. CODE SECTION NATURE OF OFFENSE CLASS DISPOSITION\n"
            "1  245(A) PC  ASSAULT W/DEADLY WEAPON  MISD  PENDING - BENCH WARRANT\n"
            "10-07-1994 ARRAIGNMENT. NG PLEA ENTERED. BAIL SET AT $25,000.\n"
            "12-24-1994 DEFT FAILED TO APPEAR. BAIL FORFEITED. BENCH WARRANT ISSUED AS TO COUNT 1.\n")
    (c,) = extract(text).charges
    assert c.disposition.value == "pending" and c.disposition_date.value is None


def test_a_last_count_row_with_a_misread_number_is_a_row_and_takes_the_next_number():
    text = ("CASE NUMBER: PA049258 FILED: 22-FEB-90\n"
            "CNT 001 PC459 BURGLARY 2ND DEGREE F\n"
            "        DISPO: DISM-1385 DATE: 13-APR-90\n"
            "CNT 082 HS11357(B) POSS MARIJUANA LESS THAN 1 OZ M\n"
            "        DISPO: DSM 1385 DATE: 13-APR-90\n"
            "CNT 8683 PC488 PETTY THEFT - SHOPLIFTING M\n"
            "        DISPO: CONV PLEA DATE: 15-MAR-90\n")
    f = extract(text)
    assert sorted((c.count, c.statute.value.section, c.disposition.value) for c in f.charges) == [
        (1, "459", "dismissed"), (2, "11357", "dismissed"), (3, "488", "convicted")]
    assert "missing_count" not in f.notes


def test_a_prior_whose_label_the_scan_cut_is_still_a_prior():
    text = ("CASE NUMBER: M323503 FILED: 07/20/90\n"
            "1 PC 488 PETTY THEFT - SHOPLIFTING M PLEAD GUILTY 08/10/90\n"
            "OR CONV: 1979 23102(A) V.C. DUI\n")
    f = extract(text)
    assert [c.statute.value.section for c in f.charges] == ["488"]
    assert [p.statute.section for p in f.priors] == ["23102"]


def test_a_bench_warrant_naming_no_count_leaves_the_undisposed_counts_pending_for_a_person_to_confirm():
    text = ("CASE NO. A855303\n"
            "01 H&S11357(b) POSS MARIJUANA MSD PLED NOLO 02/23/81\n"
            "02 P/C487 GRAND THEFT PROPERTY FEL\n"
            "PROCEEDINGS\n"
            "03/25/81 DEFT FAILS TO APPEAR. BENCH WARRANT ISSUED, BAIL $5,000.\n")
    f = extract(text)
    c1, c2 = sorted(f.charges, key=lambda c: c.count)
    assert c1.disposition.value == "convicted"
    assert c2.disposition.value == "pending" and c2.disposition_date.value is None
    assert c2.disposition.confidence < 0.5  # inferred: below any routing threshold (their grid starts at 0.5)


def test_an_entry_heading_with_a_date_dates_the_entry_below_it():
    text = ("CASE NO. A512000\n"
            "THE INFORMATION FILED 02/02/83 CHARGES IN COUNT 1 A VIOLATION OF SECTION 11359 HS, A FELONY.\n"
            "Proceedings of 05/16/83:\n"
            "Defendant pleads guilty to count 1 as charged.\n"
            "Proceedings of 07/01/83:\n"
            "Sentence: 90 days county jail.\n")
    f = extract(text)
    assert [(c.count, c.disposition.value, c.disposition_date.value) for c in f.charges] == [
        (1, "convicted", dt.date(1983, 5, 16))]


def test_a_count_named_but_not_found_makes_the_case_incomplete():
    text = ("CASE NO. A700300\n"
            "THE INFORMATION CHARGES IN COUNT 1 A VIOLATION OF SECTION 211 PENAL CODE, A FELONY;\n"
            "IN COUNT 2 A VIOLATION OF SECTION 11350 HXQZTH AND SAFETY CODE, A FELONY.\n"
            "MAR 02 1990 - COUNTS 1 AND 2 ARE DISMISSED.\n")
    f = extract(text)
    assert [c.count for c in f.charges] == [1]
    assert "missing_count" in f.notes
    assert "missing_count" not in extract(TABLE_DOCKET).notes


HEADER_VARIANTS = """\
MUNICIPAL COURT OF NORTH HILLS JUDICIAL DISTRICT
CASE NUMBER: 85M11210   FILED: 02719785
perenpant  LINDQVIST,  HARALD P.   pop, 04/11/52
Counsel for Defendant: R. OYELARAN, DEPUTY PUBLIC DEFENDER
CT  STATUTE        OFFENSE                  LVL    DISPOSITION          DATE
01  11357(B) H&S   POSS MJ                  MISD   CONV                 05/04/85
05/04/85  DEFT RELEASED O.R.
"""


def test_header_fields_survive_a_damaged_label_column_gaps_and_lost_slashes():
    f = extract(HEADER_VARIANTS)
    assert f.defendant_name.value == "LINDQVIST, HARALD P"  # not the counsel, not "RELEASED O"
    assert f.defendant_dob.value == dt.date(1952, 4, 11)  # "pop," is a damaged D.O.B. label
    assert f.filing_date.value == dt.date(1985, 2, 19)  # "02719785": the slashes read as 7
    assert f.filing_date.confidence < f.defendant_dob.confidence  # a repaired reading is less sure


def test_the_defendant_is_read_from_the_caption_when_no_label_names_it():
    f = extract("SUPERIOR COURT - COUNTY OF LOS ANGELES\nACTION NO. LA003559 DATE FILED 04/10/18\n"
                "PEOPLE VS. ARTURO E KIMURA DATE OF BIRTH 05/10/1980\n")
    assert f.defendant_name.value == "KIMURA, ARTURO E"


def test_a_docket_entry_about_the_defendant_is_not_the_defendant():
    f = extract("CASE NO. LA003559\nDEFT BOOKED, BAIL SET AT $10,000\nNAME: CHANG, CLIFFORD V  BD: 06-29-69\n")
    assert f.defendant_name.value == "CHANG, CLIFFORD V"


def test_the_counsel_for_the_defendant_is_not_the_defendant():
    f = extract("SUPERIOR COURT\nCASE NO. A551902\nCounsel for Defendant: F. ROMERO, DEPUTY PUBLIC DEFENDER\n")
    assert f.defendant_name.value is None


def test_a_printout_name_between_column_gaps_is_read_up_to_the_next_label():
    f = extract("CJX220  CENTRAL DISTRICT MUNICIPAL COURT\nDEFENDANT:      OKAFOR BENJAMIN L       DOB: 11/02/70\n")
    assert f.defendant_name.value == "OKAFOR, BENJAMIN L"  # a printout writes LAST FIRST M


def test_the_name_ends_at_the_column_break_before_a_label_the_scan_damaged():
    f = extract("CASE NO. A551902\nDEFNAME TORRENCE, KWAME D      Bp 010534\n")
    assert f.defendant_name.value == "TORRENCE, KWAME D"  # not "TORRENCE, KWAME D BP"
    # a wide gap before the second word is wide typing inside the name, not the next field
    assert extract("CASE NO. A551902\nDEFENDANT: DOE,    JOHN M\n").defendant_name.value == "DOE, JOHN M"


def test_the_date_beside_the_name_is_the_birth_date_unless_its_label_names_another():
    f = extract("CASE NO. A551902\nDEFENDANT BOUDREAUX, DARNELL B  :  BIRFHDATE 01/24/1945\n")
    assert f.defendant_dob.value == dt.date(1945, 1, 24)
    f = extract("CASE NO. A551902\nDEFT ALDANA, ANGELA P      pp 012225\n")
    assert f.defendant_dob.value == dt.date(1925, 1, 22)  # slashes lost too: the place says a date
    f = extract("CASE NO. A551902\nDEFT ALDANA, ANGELA P      FILED 01/22/85\n")
    assert f.defendant_dob.value is None and f.filing_date.value == dt.date(1985, 1, 22)


def test_a_date_past_another_fields_label_is_not_the_labelled_date():
    f = extract("CASE NO. A551902\nFILED 2418;02-26  DOB 1959-12-21\n")
    assert f.filing_date.value is None and f.defendant_dob.value == dt.date(1959, 12, 21)
    # "008" (a bail of $25,000 misread) looks like a damaged D.O.B.; the arrest date has its own label
    f = extract("DEFENDANT: ARTURO S LEDESMA\nAGCY: INGLEWOOD PD  BAIL: $25.008  ARREST: SEP 24 2012\n")
    assert f.defendant_dob.value is None


@pytest.mark.parametrize("line", ["DKT: A978496  FILING:  30-NOV-79  DEPT: 40",
                                  "CASE NO: BA867866  FILE OT:  30-NOV-79 DEPT: 2",
                                  "ACTIONNO. BA655921  DATEFILED 11/30/79"])
def test_the_filing_date_behind_its_label_as_printouts_and_scans_write_it(line):
    assert extract(line + "\n").filing_date.value == dt.date(1979, 11, 30)


def test_a_labelled_date_is_not_taken_from_the_next_column_when_its_own_field_is_unreadable():
    f = extract("CASE NUMBER GA708161  DATEFILED OCT 13 200  JUN 30 2008\n")
    assert f.filing_date.value is None  # the microfilm stamp's date is not the filing
    assert extract("CASE NO. A551902  FILE NO: 30-NOV-79\n").filing_date.value is None  # FILE NO is no date


def test_a_filing_before_the_defendant_was_ten_loses_to_the_cases_other_dates():
    text = ("CASENO. 94M96755  DATE FILED 10-03-46\nDEFENDANT WILSON, MANUEL S  HOB. 04-23-1974\n"
            "10/03/94  ARRAIGNED. PLEA NOT GUILTY.\n01/12/95  CT 01 DISMISSED 1385 PC\n")
    f = extract(text)
    assert f.defendant_dob.value == dt.date(1974, 4, 23)  # ten years before the case's entries: it fits
    assert f.filing_date.value is None  # 1946: a misread year; dropped, not kept beside the birth date
    # with nothing else to judge by, the labelled filing date stands and the unlabelled birth date goes
    f = extract("CASENO. 94M96755  DATE FILED 10-03-46\nDEFENDANT WILSON, MANUEL S  HOB. 04-23-1974\n")
    assert f.filing_date.value == dt.date(1946, 10, 3) and f.defendant_dob.value is None


def test_a_level_word_the_scan_damaged_still_gives_the_counts_level():
    f = extract("CASE NO. A551902\nCT  SECTION   OFFENSE     LEVEL        PLEA\n"
                "1   PEN 459   BURGLARY    MISDSMEANOR  PLED GUILTY 03-17-1982\n")
    (c,) = f.charges
    assert c.level.value == "misdemeanor"


def test_counsel_for_the_defendant_run_together_is_not_the_defendant():
    f = extract("CASE NO. A551902\nATTYFOR DEFT W. OLIVARES      DEP.DA. G. TRAN\nDEFT ARELLANO, GREGORY G\n")
    assert f.defendant_name.value == "ARELLANO, GREGORY G"


def test_a_row_whose_description_contradicts_its_section_is_reread_and_sent_to_review():
    f = extract("""\
CASE NO. 93M11872          DATE FILED 01/14/93
CT  CODE SECTION   NATURE OF OFFENSE        CLASS    DISPOSITION    DATE
1   11353 HS       CULTIVATE MARIJUANA      FELONY   CONVICTED      07/09/93
""")
    (c,) = f.charges
    assert (c.statute.value.code, c.statute.value.section) == ("HS", "11358")
    assert "statute_description_mismatch" in c.conflicts and c.statute.confidence <= 0.6


def test_a_case_number_split_in_two_after_its_label_is_read_whole():
    f = extract("MUNICIPAL COURT OF COMPTON JUDICIAL DISTRICT\nCASENO. 8 6F50094    DATE FILED 3/31/86\n")
    assert f.case_number.value == "86F50094"
    assert f.case_number.confidence < 1.0
    # two pieces that do not make a case number's shape together are left alone
    assert extract("CASE NO. 12 3456\n").case_number.value is None


def test_dated_entries_shaped_like_rows_dispose_of_the_counts_defined_above():
    f = extract("""\
CASE NO. 90F54304   DATE FILED 11/2/90
COUNT  CHARGE      NATURE OF OFFENSE
1      11357B HS   POSS MJ UNDER 1 OZ
2      211 PEN     ROBBERY
DATE     PROCEEDINGS
11/2/90  ARRAIGNMENT. NG PLEA ENTERED.
5/13/91  CT 01 11357B HS DIVERSION
5/13/91  CT 02 211 PEN DISM PER PLEA
""")
    assert summary(f) == [(1, "HS", "11357", "b", "diverted", dt.date(1991, 5, 13)),
                          (2, "PC", "211", None, "dismissed", dt.date(1991, 5, 13))]


def test_a_count_number_carried_to_the_next_line_still_names_the_count():
    f = extract("""\
CASE NO. A399152
COUNT 01: 459 P.C. (COMMERCIAL BURGLARY), A FELONY.
COUNT 02: 11359 HSC (POSS MARIJUANA FOR SALE), A FELONY.
FEBRUARY 21, 1977:
DEFENDANT WITHDRAWS PLEA OF NOT GUILTY AND PLEADS NOLO CONTENDERE TO COUNT
1, A VIOLATION OF 459 P.C., A FELONY. THE COURT FINDS THE DEFENDANT GUILTY.
COUNT 2 DISMISSED ON MOTION OF THE PEOPLE.
""")
    assert [(c.count, c.disposition.value) for c in f.charges] == [(1, "convicted"), (2, "dismissed")]


def test_a_date_on_the_line_after_a_count_word_is_not_a_count():
    from extractors.tagging import RuleTagger
    from extractors.document import DocText

    spans = RuleTagger().tag(DocText([page_from_text("DEFT PLEADS GUILTY TO COUNT\n12/25/95 SENTENCED\n")]))
    assert [s.value for s in spans if s.label == "COUNT_REF"] == []


def test_a_case_number_with_a_slash_for_a_7_after_a_damaged_label_is_read():
    f = extract("CRIMINAL DOCKET SHEET\npocketno. /6M03837  riepate 07/13/76\n")
    assert f.case_number.value == "76M03837" and f.case_number.confidence < 0.9
    # two readings of the same field ("A7763819" or "A763819"?) are one too many: a person decides
    assert extract("DKT: A/763819  FILE DT:  10-11-77\n").case_number.value is None


def test_a_superior_court_prefix_takes_a_look_alike_letter_as_a_digit():
    from extractors.normalize.case_numbers import find_case_numbers

    (m,) = find_case_numbers("CASE NUMBER: PAL94152 FILED")
    assert (m.value, m.corrected) == ("PA194152", True)
    (m,) = find_case_numbers("CASE NO. LAC12345")  # not a branch prefix: three letters as read
    assert (m.value, m.corrected) == ("LAC12345", False)


def test_count_lists_with_asides_and_a_misread_zero_name_every_count():
    from extractors.tagging import COUNT_REF, parse_count_list

    m = COUNT_REF.search("DEFENDANT PLEADS GUILTY TO COUNTS 3 (H/S 11359) AND 4 (BPC 4140).")
    assert parse_count_list(m.group("nums")) == (3, 4)
    m = COUNT_REF.search("7/31/2006 CT ©2 CONVICTED")
    assert parse_count_list(m.group("nums")) == (2,)
    m = COUNT_REF.search("CHARGES THE DEFENDANT IN COUNT ONE WITH A VIOLATION OF 11350 H.S.")
    assert parse_count_list(m.group("nums")) == (1,)  # not the look-alike "O" of "ONE"
    m = COUNT_REF.search("COUNTS ONE AND THREE ARE DISMISSED")
    assert parse_count_list(m.group("nums")) == (1, 3)


def test_a_section_cited_for_a_motion_is_not_a_count():
    f = extract("""\
CASE NO. A551902
CT 01 11357(B) H&S M POSS MJ UNDER 1 OZ
12/23/02  DEFT MOTION 995 PC DENIED.
01/10/03  MOTION TO SUPPRESS 1538.5 PC DENIED.
02/14/03  CT 01 CONVICTED
""")
    assert [(c.count, c.statute.value.section) for c in f.charges] == [(1, "11357")]


def test_an_entry_heading_after_a_line_without_a_full_stop_still_dates_its_entry():
    f = extract("""\
CASE NO. A205002
DEFENDANT IS CHARGED IN COUNT 1 WITH A VIOLATION OF SECTION 245 (A) PENAL CODE, A FELONY.
MINUTES OF 10/18/76:
ON MOTION OF PEOPLE, MATTER IS CONTINUED TO 11/09/76,
MINUTES OF 02/22/77:
DEFENDANT WITHDRAWS PLEA OF NOT GUILTY TO COUNT 1 AND PLEADS GUILTY.
""")
    assert summary(f) == [(1, "PC", "245", "a", "convicted", dt.date(1977, 2, 22))]


def test_a_row_date_whose_year_a_docket_entry_reads_otherwise_is_in_doubt():
    f = extract("""\
CASE NO. M835226
CT. CODE SECTION NATURE OF OFFENSE CLASS DISPOSITION DATE
1   PEN 459   BURGLARY     MISDEMEANOR   PLED GUILTY   03-17-1962
12-24-1981 DEFT ARRAIGNED, PLEADS NOT GUILTY ALL COUNTS.
03=17=1982 DEFT WITHDRAWS NG PLEA, PLEADS GUILTY TO CT. 1 (PEN 459).
""")
    (c,) = f.charges
    assert c.disposition_date.confidence <= 0.4 and "implausible_date" in f.notes


def test_a_count_row_with_an_unreadable_section_is_found_from_its_description_and_not_trusted():
    f = extract("""\
CASE NUMBER: A455698   FILED: 06/15/83
CNT @@1 UC1e851 TAKING VEHICLE WO CONSENT   F
DISPO: CONV NC   DATE: 11/10/83
""")
    (c,) = f.charges
    assert (c.count, c.statute.value.code, c.statute.value.section) == (1, "VC", "10851")
    assert c.statute.confidence < 0.5  # a person confirms it
    # no description, no guess
    assert extract("CASE NUMBER: A455698\nCNT 001 UC1e851 F CONV 11/10/83\n").charges == ()


UNREAD_ROW_DOCKET = """\
CASE NO. 95M50540    DATE FILED 09/29/95
CT.  CODE SECTION   NATURE OF OFFENSE    CLASS        DISPOSITION         DATE
01   11358 HS       CULTIVATE MARIJUANA  FELONY       CONVICTED - PLEA    12/25/95
2    L4ee pecs      {}     MISDEMEANOR  PLEA GUILTY         12/25/95
"""


def test_a_row_with_a_level_and_a_disposition_but_no_readable_section_sends_the_case_to_review():
    f = extract(UNREAD_ROW_DOCKET.format("SEE ATTACHMENT  "))
    assert len(f.charges) == 1 and "unread_row" in f.notes


def test_a_garbled_section_is_found_from_the_offense_its_row_describes_and_left_untrusted():
    f = extract(UNREAD_ROW_DOCKET.format("RESISTING ARREST"))
    c2 = next(c for c in f.charges if c.count == 2)
    assert (c2.statute.value.code, c2.statute.value.section) == ("PC", "148")
    assert c2.statute.confidence < 0.5  # below any routing threshold: a person checks it


def test_a_subdivision_that_cannot_be_read_leaves_the_statute_untrusted():
    row = "CASE NO. 88M45145\n2   PC647 ({})   DRUNK IN PUBLIC   MISDEMEANOR   DISM PER PLEA   08/19/88\n"
    unread = extract(row.format("~")).charges[0]
    read = extract(row.format("f")).charges[0]
    assert unread.statute.value.subdivision is None and read.statute.value.subdivision == "f"
    assert unread.statute.confidence < 0.5 <= read.statute.confidence


def _reconf(page, conf_of):
    """The page with some words' OCR confidence changed: conf_of(row, text) -> new confidence or None."""
    from dataclasses import replace
    return replace(page, words=tuple(replace(w, conf=c) if (c := conf_of(w.line, w.text)) is not None else w
                                     for w in page.words))


DATED_ROWS = """\
MUNICIPAL COURT, COUNTY OF LOS ANGELES
CASE NO. 88M31120   DATE FILED {filed}
DEFENDANT GREER, ALMA
CT  STATUTE        OFFENSE              LVL   DISPOSITION   DATE
01  11359 H&S      POSS MJ FOR SALE     FEL   CONV          03/18/88
02  148 P.C.       OBSTRUCT OFFICER     MISD  DISM          03/18/88
PROCEEDINGS
{entry}
"""


def _dated(filed: str, entry: str):
    page = page_from_text(DATED_ROWS.format(filed=filed, entry=entry))
    # the rows' dates read in doubt; everything else read cleanly
    return extractors.extract([_reconf(page, lambda row, text: 0.5 if row in (4, 5) and text == "03/18/88" else None)],
                              tagger=RULES)


def test_a_doubtful_disposition_date_read_cleanly_elsewhere_in_the_record_is_vouched_for():
    from extractors.assemble import CORROBORATED_DATE_CONF

    vouched = _dated("01/05/88", "03/18/88  SENTENCED: 36 MONTHS PROBATION.")
    assert [c.disposition_date.value for c in vouched.charges] == [dt.date(1988, 3, 18)] * 2
    assert [c.disposition_date.confidence for c in vouched.charges] == [CORROBORATED_DATE_CONF] * 2
    # the same date only as the filing date vouches for nothing: a misread digit can make a disposition
    # date into the filing date
    alone = _dated("03/18/88", "04/02/88  PROBATION REPORT FILED.")
    assert [c.disposition_date.confidence for c in alone.charges] == [0.5, 0.5]


def test_no_disposition_at_a_pretrial_hearing_does_not_contradict_the_later_conviction():
    text = """\
CASE NO. 88M31120   DATE FILED 01/05/88
CT  STATUTE        OFFENSE              LVL
01  11359 H&S      POSS MJ FOR SALE     FEL
PROCEEDINGS
02/10/88  PRETRIAL CONFERENCE. NO DISPO. CONT TO 03/18/88.
03/18/88  CT 01 FOUND GUILTY.
"""
    f = extract(text)
    (c,) = f.charges
    assert c.disposition.value == "convicted" and c.disposition_date.value == dt.date(1988, 3, 18)
    assert not c.conflicts and c.disposition.confidence >= 0.9
    # with nothing else said, the count is unknown
    (u,) = extract(text.replace("03/18/88  CT 01 FOUND GUILTY.\n", "")).charges
    assert u.disposition.value == "unknown"


def test_a_doubtful_case_number_read_the_same_on_another_page_is_vouched_for():
    from extractors.assemble import CORROBORATED_CASE_CONF

    first = page_from_text(PRINTOUT)
    second = page_from_text("CJX220   CENTRAL DISTRICT MUNICIPAL COURT   PAGE 2\nCASE NUMBER: 91M22871\n"
                            "NO FURTHER PROCEEDINGS.\n", number=2)
    doubt = lambda row, text: 0.3 if text == "91M22871" else None  # noqa: E731
    one = extractors.extract([_reconf(first, doubt)], tagger=RULES)
    two = extractors.extract([_reconf(first, doubt), _reconf(second, doubt)], tagger=RULES)
    assert one.case_number.value == two.case_number.value == "91M22871"
    assert one.case_number.confidence == 0.3
    assert two.case_number.confidence == CORROBORATED_CASE_CONF
    # another case's number on the second page vouches for nothing
    other = page_from_text("CASE NUMBER: 91M22817\n", number=2)
    assert extractors.extract([_reconf(first, doubt), other], tagger=RULES).case_number.confidence == 0.3


def test_a_count_row_whose_number_repeats_another_with_a_different_section_is_kept_and_sent_to_review():
    text = """\
CASE NUMBER: KA468990   FILED: 02/27/18
CNT STATUTE        DESCRIPTION                  LV    DISPO          DATE
1   12022.5 PC     USE OF FIREARM               FELO  DISMISSED      07/05/18
2   10980 W&I      WELFARE FRAUD                FELO  CONVICTED      07/05/18
{n}   11358 H&S      CULTIVATION OF MARIJUANA     MISD  DISM PER PLEA  07/05/18
"""
    read = extract(text.format(n="3"))
    misread = extract(text.format(n="2"))  # the 3 read as a 2
    assert [c.statute.value.section for c in read.charges] == ["12022.5", "10980", "11358"]
    assert sorted(c.statute.value.section for c in misread.charges) == ["10980", "11358", "12022.5"]
    assert "duplicate_count" in misread.notes and "duplicate_count" not in read.notes
    assert next(c for c in misread.charges if c.statute.value.section == "10980").count == 2


def test_a_subdivision_read_through_damage_is_vouched_for_by_the_offense_only_it_describes():
    from extractors.assemble import CONFIRMED_SECTION_CONF, SUBDIVISION_CONTRADICTED_CONF

    row = "CASE NO. 84M31120\n002 HS 11357¢B> POSS MARIJUANA {} MISD PLED GUILTY 11/26/84\n"
    page = lambda desc: _reconf(page_from_text(row.format(desc)),  # noqa: E731
                                lambda line, text: 0.3 if "11357" in text else None)
    under, over, silent = (extractors.extract([page(d)], tagger=RULES).charges[0].statute
                           for d in ("UNDER 1 OZ", "OVER 1 OZ", "IN VEHICLE"))
    assert under.value.subdivision == over.value.subdivision == silent.value.subdivision == "b"
    assert under.confidence >= 0.9 * CONFIRMED_SECTION_CONF  # (b) is the ounce or less: read right
    assert over.confidence <= SUBDIVISION_CONTRADICTED_CONF  # the row names (c)
    assert silent.confidence <= 0.3  # nothing on the row tells: tesseract's doubt stands


def test_a_subdivision_a_stray_mark_kept_from_the_reader_leaves_the_statute_untrusted():
    # the rules alone do not read "11357{(a) H&S" as a statute; the trained model's span does (tagging)
    row = "CASE NO. SA363874\n@2 11357{}(a) H&S FEL POSS HASHISH DISM-1385 02/25/2013\n"
    stranded, read = (extractors.extract([page_from_text(row.format(mark))]).charges[0].statute for mark in "{ ")
    assert read.value.subdivision == "a" and read.confidence >= 0.5
    assert stranded.value.section == "11357" and stranded.value.subdivision is None
    assert stranded.confidence < 0.5  # the (a) is on the page, unread: a person checks it


def test_an_entry_whose_date_is_unreadable_does_not_take_the_date_of_the_entry_before():
    text = """\
REGISTER OF ACTIONS     COMPTON MUNICIPAL COURT
CASE 79R89545  PEOPLE VS SOLORZANO FRANCINE N
COMPLAINT FILED 05-28-79
CT 01  H & S 11357(b)  MISDEMEANOR
CT 02  P/C 647(f)  MISDEMEANOR
06-18-79  CT 02 P/C 647(f) DISMISSED
{lead}  CT 01 H & S 11357(b) CONV
"""
    read = {c.count: c for c in extract(text.format(lead="11-13-79")).charges}
    assert read[1].disposition_date.value == dt.date(1979, 11, 13)
    garbled = {c.count: c for c in extract(text.format(lead="dal=al6}= 7/8)")).charges}
    assert garbled[1].disposition.value == "convicted"
    assert garbled[1].disposition_date.value != dt.date(1979, 6, 18)  # not the entry before's date
    assert garbled[2].disposition_date.value == dt.date(1979, 6, 18)
