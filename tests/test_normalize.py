"""Tables of (input, expected) for the normalizers of `extractors.normalize`, with negatives."""
from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

import pytest

from extractors.normalize import (SET_ASIDE, disposition_spans, find_case_numbers, find_dates, find_dispositions,
                                  find_levels, find_statutes, is_known, normalize_case_number, normalize_name,
                                  parse_date, parse_disposition, parse_level, parse_statute, plausible, section_info)
from extractors.normalize.sections import all_sections, canonical_code
from extractors.types import CODES, Statute

# --------------------------------------------------------------------------- statutes

S = Statute
STATUTES = [
    ("11359 H&S", S("HS", "11359")),
    ("HS 11359", S("HS", "11359")),
    ("H.S. 11359", S("HS", "11359")),
    ("H&S-11359", S("HS", "11359")),
    ("11357(B) HS", S("HS", "11357", "b")),
    ("HS11360(A)", S("HS", "11360", "a")),
    ("11358 H/S", S("HS", "11358")),
    ("11357A HS", S("HS", "11357", "a")),
    ("11357B2 HS", S("HS", "11357", "b")),
    ("664/11359 HS", S("HS", "11359", attempt=True)),
    ("664-11359 HS", S("HS", "11359", attempt=True)),
    ("PC 664/187", S("PC", "187", attempt=True)),
    ("ATTEMPTED 211 PC", S("PC", "211", attempt=True)),
    ("SEC. 11359 OF THE HEALTH AND SAFETY CODE", S("HS", "11359")),
    ("SECTION 11350 HEALTH AND SAFETY CODE", S("HS", "11350")),
    ("A VIOLATION OF SECTION 488 PENAL CODE", S("PC", "488")),
    ("VIOLATION OF PENAL CODE SECTION 459", S("PC", "459")),
    ("Health & Safety Code section 11357(c)", S("HS", "11357", "c")),
    ("H&S CODE 11360", S("HS", "11360")),
    ("4000(A) VEH", S("VC", "4000", "a")),
    ("459 P.C.", S("PC", "459")),
    ("PC 459", S("PC", "459")),
    ("PEN 459", S("PC", "459")),
    ("PC§459", S("PC", "459")),
    ("HSC 11357(B)", S("HS", "11357", "b")),
    ("VC 23152(A)", S("VC", "23152", "a")),
    ("23152(a) V.C.", S("VC", "23152", "a")),
    ("BP 4140", S("BP", "4140")),
    ("B&P 25662", S("BP", "25662")),
    ("WI 10980", S("WI", "10980")),
    ("W&I 10980(c)", S("WI", "10980", "c")),
    ("245(A)(1) PC", S("PC", "245", "a")),
    ("182(a)(1) PC", S("PC", "182", "a")),
    ("12022.5 PC", S("PC", "12022.5")),
    ("VC 14601.1(A)", S("VC", "14601.1", "a")),
    ("PC 12022.53(d)", S("PC", "12022.53", "d")),
    ("11357(b) HS", S("HS", "11357", "b")),
    ("11357 (b) HS", S("HS", "11357", "b")),
    ("11359HS", S("HS", "11359")),
    ("288A PC", S("PC", "288a")),
    ("PC 476a", S("PC", "476a")),
    ("PC 647F", S("PC", "647", "f")),
    ("647(F) PEN", S("PC", "647", "f")),
    ("314.1 PC", S("PC", "314", "1")),
    ("11359 OF THE H&S", S("HS", "11359")),
]
OCR_STATUTES = [
    ("1l359 HS", S("HS", "11359")),
    ("113S9 H&S", S("HS", "11359")),
    ("11357/B) HS", S("HS", "11357", "b")),
    ("11357(8) HS", S("HS", "11357", "b")),
    ("HS 1I360", S("HS", "11360")),
    ("H8S 11359", S("HS", "11359")),
    ("11359 HSS", S("HS", "11359")),
    ("11377 HeS", S("HS", "11377")),
    ("8&P 4140", S("BP", "4140")),
    ("W&1 10980", S("WI", "10980")),
    ("PC 415(l)", S("PC", "415", "1")),
    ("H“S 11357¢B> POSS", S("HS", "11357", "b")),  # dot-matrix brackets and ampersand
    ("HS 11357 ¢B2 POSS", S("HS", "11357", "b")),
    ("PC 245¢A2 ADW", S("PC", "245", "a")),
    ("HS 11357¢6> POSS", S("HS", "11357", "b")),
    ("14601 UC DRIVE", S("VC", "14601")),
    ("HS 11556 UNDER THE INFLUENCE", S("HS", "11550")),  # one typeface digit swap, a single known fit
    ("VEH 16851 VEHICLE THEFT", S("VC", "10851")),
    ("1359 H&S POSS MJ", S("HS", "11359")),  # a thin leading 1 lost
    ("pl 1357(A) HS", S("HS", "11357", "a")),
    ("HS 11O50", S("HS", "11050", known=False)),  # corrected reading is not in the table: kept as printed
]


@pytest.mark.parametrize("text,expected", STATUTES)
def test_reads_statute_spellings(text, expected):
    found = find_statutes(text)
    assert [m.statute for m in found] == [expected]
    assert found[0].corrected is False
    assert parse_statute(text) == expected


@pytest.mark.parametrize("text,expected", OCR_STATUTES)
def test_reads_ocr_damaged_statutes_only_into_known_sections(text, expected):
    found = find_statutes(text)
    if expected.known:
        assert [m.statute for m in found] == [expected]
        assert found[0].corrected is True
    else:
        assert len(found) == 1 and not found[0].statute.known and not found[0].corrected
        assert found[0].statute.section == "11o50"  # as printed, never a guess


@pytest.mark.parametrize("text", [
    "11359",  # a bare number is for the extractor to judge from context
    "POSS MJ FOR SALE 11359",
    "BAIL $11359 HS",
    "FINE 11,359.00 HS",
    "$459.00 PC",
    "BKG 1234567 HS",
    "93M86453 HS",
    "BA012345 PC",
    "DOB 12/03/65",
    "03/14/88 HS",
    "TIME 23:30:02 PC",
    "PG 2 OF 3",
    "CT 01 PC",
    "DR NO 86-54-96567 HS",
])
def test_refuses_non_statutes(text):
    assert find_statutes(text) == []


def test_spans_and_several_statutes_on_one_line():
    text = "(11358 H&S; 11377 HeS; 647(F) PEN) CT 2: HS 11357(B)"
    found = find_statutes(text)
    assert [str(m.statute) for m in found] == ["HS 11358", "HS 11377", "PC 647(f)", "HS 11357(b)"]
    assert [text[m.start:m.end] for m in found] == ["11358 H&S", "11377 HeS", "647(F) PEN", "HS 11357(B)"]
    assert all(m.raw == text[m.start:m.end] for m in found)


@pytest.mark.parametrize("text,expected", [
    ("PC 459 HS 11359", ["PC 459", "HS 11359"]),  # code before: pairs so that both are read
    ("459 PC 11359 HS", ["PC 459", "HS 11359"]),
    ("PRIOR CONV: 1974 PC 261 - CASE A810198", ["PC 261"]),  # the year is not a section
    ("12 PC 459", ["PC 459"]),
    ("11350/11351 HS", ["HS 11350", "HS 11351"]),
    ("HS 11359, 11360", ["HS 11359", "HS 11360"]),
])
def test_pairs_codes_with_the_right_numbers(text, expected):
    assert [str(m.statute) for m in find_statutes(text)] == expected


def test_unknown_section_is_returned_as_unknown():
    (m,) = find_statutes("PC 99999")
    assert m.statute == S("PC", "99999", known=False)


@pytest.mark.parametrize("text,section", [
    ("VEH 23162(A)", "23162"),  # 23102 and 23152 both fit one swap: no guess
    ("PC 273 X", "273"),  # three digits: too short to correct
    ("HS 11356", "11356"),  # 11350, 11358 ... several fit
    ("HS 11330", "11330"),  # 11350 and 11380 both fit
    ("11373 HS", "11373"),  # 11375 and 11378 both fit
])
def test_digit_swaps_are_not_guessed_when_ambiguous(text, section):
    (m,) = find_statutes(text)
    assert (m.statute.section, m.statute.known, m.corrected) == (section, False, False)


def test_known_readings_are_never_corrected():
    for text in ("HS 11351", "HS 11357", "HS 11358", "HS 11359", "HS 11360", "PC 245"):
        (m,) = find_statutes(text)
        assert m.statute.section == text.split()[1] and not m.corrected


def test_description_words_are_not_codes():
    assert [str(m.statute) for m in find_statutes("CNT 662 VEH 10851 VEHICLE THEFT F")] == ["VC 10851"]
    assert find_statutes("CNT @63 PC4ee PETTY THEFT") == []  # '@63' is a zero-padded count


def test_table_rules_and_counts_are_not_read_as_sections():
    assert [str(m.statute) for m in find_statutes("5 |647(F) PEN DRUNK IN |MISDEMEANOR")] == ["PC 647(f)"]
    assert find_statutes("| 681 HS 113593 POSS MARIJUANA") == []  # 681 is the count; HS has its own number


def test_statutes_across_a_line_break():
    text = "IN COUNT TWO WITH A VIOLATION OF SECTION 11350 HEALTH\nAND SAFETY CODE, A FELONY"
    assert [str(m.statute) for m in find_statutes(text)] == ["HS 11350"]


def test_lookup_helpers():
    assert is_known("H&S", "11359") and is_known("HS", "11357") and is_known("PC", "288A")
    assert not is_known("HS", "11050") and not is_known("XX", "459")
    info = section_info("Penal Code", "12022.5")
    assert info is not None and info.code == "PC" and "a" in info.subdivisions
    assert section_info("HS", "11359").level == "felony"
    assert section_info("HS", "11357").subdivisions == ("a", "b", "c", "d", "e")


# --------------------------------------------------------------------------- the table

def test_table_shape_and_required_rows():
    raw = resources.files("extractors.data").joinpath("ca_sections.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(raw.splitlines()))
    assert len(rows) >= 250
    keys = [(r["code"], r["section"].lower()) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate rows"
    for r in rows:
        assert r["code"] in CODES
        assert r["level"] in ("felony", "misdemeanor", "wobbler", "infraction", "procedure", "")
        assert r["title"].strip()
        assert all(s.isalnum() and s == s.lower() for s in r["subdivisions"].split("|") if s)
    required = {
        "HS": "11350 11351 11351.5 11352 11357 11358 11359 11360 11364 11365 11377 11378 11379 11379.6 11550",
        "PC": "32 69 148 148.9 166 182 187 191.5 192 207 211 215 236 240 242 243 245 261 264.1 266h 269 273.5 286 "
              "288 288a 288.5 289 290 311.11 314 415 417 422 451 459 470 476a 484 487 488 496 503 530.5 594 602 647 "
              "653f 664 666 1203.2 11418 12020 12021 12022 12022.5 12025 12031 17500 25400 29800",
        "VC": "10851 12500 14601 14601.1 20001 20002 23103 23152 23153 4000 2800 5200 22350",
        "BP": "4140 4060 25658 25662 25620",
        "WI": "10980 871 11483",
    }
    for code, sections in required.items():
        for section in sections.split():
            assert (code, section) in keys, (code, section)
    assert section_info("HS", "11360").subdivisions[:2] == ("a", "b")
    assert {s.code for s in all_sections()} == set(CODES)


@pytest.mark.parametrize("alias,code", [("H&S", "HS"), ("hsc", "HS"), ("Health and Safety Code", "HS"),
                                        ("P.C.", "PC"), ("PEN", "PC"), ("Veh. Code", "VC"), ("B&P", "BP"),
                                        ("Bus. & Prof. Code", "BP"), ("W&I", "WI"), ("WIC", "WI"), ("XYZ", None)])
def test_canonical_code(alias, code):
    assert canonical_code(alias) == code


# --------------------------------------------------------------------------- dates

D = dt.date
DATES = [
    ("03/14/88", D(1988, 3, 14)), ("3-14-88", D(1988, 3, 14)), ("MAR 14 1988", D(1988, 3, 14)),
    ("14-MAR-88", D(1988, 3, 14)), ("14MAR88", D(1988, 3, 14)), ("MARCH 14, 1988", D(1988, 3, 14)),
    ("031488", D(1988, 3, 14)), ("03141988", D(1988, 3, 14)), ("03.14.88", D(1988, 3, 14)),
    ("1988-03-14", D(1988, 3, 14)), ("3/14/1988", D(1988, 3, 14)), ("Sept. 3, 1986", D(1986, 9, 3)),
    ("5 DEC 1988", D(1988, 12, 5)), ("DOB: 12/03/65", D(1965, 12, 3)), ("FILED 4/8/86", D(1986, 4, 8)),
    ("03/14/2001", D(2001, 3, 14)),
]
OCR_DATES = [("O3/l4/88", D(1988, 3, 14)), ("03/14/B8", D(1988, 3, 14)), ("@2-JUN-86", D(1986, 6, 2)),
             ("12-DEc-86", D(1986, 12, 12)),
             # a dot-matrix zero read as 8, 6 or 9 where the date would be impossible
             ("82-10-84", D(1984, 2, 10)), ("85-83-64", D(1964, 5, 3)), ("86-29-1955", D(1955, 6, 29)),
             ("89-38-96", D(1996, 9, 30)), ("38-MAR-81", D(1981, 3, 30)),
             # a dot-matrix slash read as 7 or 1
             ("08/1771989", D(1989, 8, 17)), ("1070971989", D(1989, 10, 9))]


@pytest.mark.parametrize("text,expected", [("07\u2014DEC\u201448", D(1948, 12, 7)), ("12\u201303\u201387", D(1987, 12, 3))])
def test_a_hyphen_read_as_a_long_dash_still_separates_a_date(text, expected):
    line = f"DATE OF BIRTH {text}  SEX M"
    (m,) = find_dates(line)
    assert m.value == expected and line[m.start:m.end] == m.raw == text  # the text as read, not as repaired


@pytest.mark.parametrize("text,expected", DATES + OCR_DATES)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,expected", [(t, e) for t, e in DATES if not t[:8].isdigit()] + OCR_DATES)
def test_find_dates_in_running_text(text, expected):
    line = f"ON {text} DEFT ARRAIGNED"
    (m,) = find_dates(line)
    assert m.value == expected and line[m.start:m.end] == m.raw
    assert m.corrected == ((text, expected) in OCR_DATES and text != "12-DEc-86")


@pytest.mark.parametrize("text", [
    "13/01/88", "02/30/88", "00/10/88", "23:30:02", "$12.50", "664/11359", "93-33-2386", "86-54-96567",
    "MAY 12 DAYS", "1/2", "11357(B) HS", "3/14/2388", "IS/OS/SB", "BA012345", "1,234.56", "2135551212",
])
def test_refuses_non_dates(text):
    assert find_dates(text, allow_compact=True) == []
    assert parse_date(text) is None


def test_compact_dates_only_when_allowed():
    assert find_dates("CASE 031488 FILED") == []
    (m,) = find_dates("CASE 031488 FILED", allow_compact=True)
    assert m.value == D(1988, 3, 14)
    assert find_dates("BOOKING 2689454", allow_compact=True) == []


def test_several_dates_in_order():
    found = find_dates("02-15-1989 COURT TRIAL; CONTINUED TO 03/01/89 AND MAR 3 1989")
    assert [m.value for m in found] == [D(1989, 2, 15), D(1989, 3, 1), D(1989, 3, 3)]


def test_plausible():
    today = D(2024, 1, 1)
    assert plausible(D(1988, 3, 1), D(1988, 6, 1), D(1961, 4, 2), today=today) == []
    assert plausible(None, None, None, today=today) == []
    assert "disposition_before_filing" in plausible(D(1988, 3, 1), D(1988, 1, 1), None, today=today)
    assert "dob_after_filing" in plausible(D(1988, 3, 1), None, D(1990, 1, 1), today=today)
    assert "dob_after_disposition" in plausible(None, D(1988, 3, 1), D(1990, 1, 1), today=today)
    assert "defendant_too_young" in plausible(D(1988, 3, 1), None, D(1984, 1, 1), today=today)
    assert "disposition_in_future" in plausible(D(1988, 3, 1), D(2030, 1, 1), None, today=today)


# --------------------------------------------------------------------------- dispositions

DISPOSITIONS = [
    ("CONV", "convicted"), ("CONVICTED", "convicted"), ("PG", "convicted"), ("P/G", "convicted"),
    ("PLED GUILTY", "convicted"), ("PLEA GUILTY", "convicted"), ("PLEADS GUILTY", "convicted"),
    ("PLEA OF GUILTY", "convicted"), ("GUILTY PLEA", "convicted"), ("NOLO", "convicted"),
    ("NOLO CONTENDERE", "convicted"), ("PLEA NOLO CONTENDERE", "convicted"), ("FOUND GUILTY", "convicted"),
    ("GLTY", "convicted"), ("GUILTY-COURT", "convicted"), ("GLTY-CRT", "convicted"), ("GLTY-JURY", "convicted"),
    ("CONVICTED - PLEA", "convicted"), ("COURT FINDS DEFT GUILTY", "convicted"),
    ("DISM", "dismissed"), ("DISMISSED", "dismissed"), ("DISMISSED 1385 PC", "dismissed"),
    ("DISM-1385", "dismissed"), ("DISM/FURTHERANCE", "dismissed"), ("DISM FURTHERANCE JUSTICE", "dismissed"),
    ("CASE DISMISSED IN FURTHERANCE OF JUSTICE PER 1385 PC", "dismissed"), ("1385 PC", "dismissed"),
    ("DIV-1000PC", "diverted"), ("DIVERSION", "diverted"), ("DIVERSION GRANTED", "diverted"), ("DEJ", "diverted"),
    ("1000 PC", "diverted"), ("PC 1000", "diverted"), ("DEFERRED ENTRY OF JUDGMENT", "diverted"),
    ("ACQ", "acquitted"), ("ACQUITTED", "acquitted"), ("NOT GUILTY", "acquitted"), ("NG", "acquitted"),
    ("NOT GUILTY - COURT TRIAL", "acquitted"), ("JURY VERDICT: NOT GUILTY", "acquitted"),
    ("PENDING", "pending"), ("OPEN", "pending"), ("WARRANT", "pending"), ("BENCH WARRANT", "pending"),
    ("BENCH WARRANT ISSUED", "pending"), ("UNK", "unknown"), ("NO DISPOSITION", "unknown"),
    # OCR damage inside the word
    ("C0NVICTED", "convicted"), ("DISMlSSED", "dismissed"), ("ACQUITTEO", "acquitted"), ("GU1LTY PLEA", "convicted"),
    ("CONU-PG", "convicted"), ("DSM 1385", "dismissed"), ("PLEA GUILT’", "convicted"), ("GUILT PLEA", "convicted"),
    # a later entry supersedes an earlier one
    ("DIVERSION GRANTED. 06/01/89 DIVERSION COMPLETED, DISMISSED", "dismissed"),
]


@pytest.mark.parametrize("text,expected", DISPOSITIONS)
def test_parse_disposition(text, expected):
    assert parse_disposition(text) == expected


@pytest.mark.parametrize("text", [
    "PLEADS NOT GUILTY", "NOT GUILTY PLEA", "PLEA OF NOT GUILTY", "PLED NOT GUILTY", "NG PLEA",
    "DEFT ARRAIGNED, PLEADS NOT GUILTY ALL COUNTS. BAIL SET AT $5,000.", "ENTERS PLEA OF NOT GUILTY",
    "DIVERSION DENIED", "DIVERSION TERMINATED", "PRIOR CONVICTION ALLEGED", "IN OPEN COURT", "OPEN CONTAINER",
    "SEARCH WARRANT", "WARRANT RECALLED", "DIV 12", "DIVISION 40", "PG 1 OF 2", "SENDING", "POSS MJ FOR SALE",
    "DISMISSED PER 1203.4 PC", "1203.4 PC GRANTED", "", "PLEADS NOT GUILT", "NOT GUILT PLEA", "GUILT",
    "WAIVES READING AND PLEADS. NOT GUILTY TO ALL COUNTS", "PLEADS, NOT GUILTY",  # a speck read as punctuation
])
def test_refuses_non_dispositions(text):
    assert parse_disposition(text) is None


def test_set_aside_is_a_distinct_marker_not_a_dismissal():
    (m,) = find_dispositions("06/01/95 DISMISSED PER 1203.4 PC")
    assert m.value == SET_ASIDE
    assert parse_disposition("PLEA GUILTY 03/14/88; 06/01/95 1203.4 PC GRANTED") == "convicted"


def test_withdrawn_not_guilty_plea_then_nolo():
    text = "DEFT WITHDRAWS NG PLEA, PLEADS NOLO CONTENDERE TO CTS 1, 4 & 5"
    assert [(m.raw, m.value) for m in find_dispositions(text)] == [("PLEADS NOLO CONTENDERE", "convicted")]


@pytest.mark.parametrize("text,masked", [
    ("CT 2 DISMISSED 1385 PC 07/09/93", "DISMISSED 1385 PC"),
    ("DIV-1000PC GRANTED", "DIV-1000PC"),
    ("06/01/95 DISM PER 1203.4 PC", "DISM PER 1203.4 PC"),
])
def test_disposition_spans_cover_their_statute_numbers(text, masked):
    spans = disposition_spans(text)
    assert [text[a:b] for a, b in spans] == [masked]
    blanked = "".join(" " if any(a <= i < b for a, b in spans) else ch for i, ch in enumerate(text))
    assert find_statutes(blanked) == []
    assert find_statutes(text) != []  # without masking the statute reader would take it


# --------------------------------------------------------------------------- levels

@pytest.mark.parametrize("text,expected", [
    ("F", "felony"), ("FEL", "felony"), ("FELONY", "felony"), ("fel.", "felony"), ("LEVEL: FEL", "felony"),
    ("M", "misdemeanor"), ("MISD", "misdemeanor"), ("MISDEMEANOR", "misdemeanor"), ("M.", "misdemeanor"),
    ("I", "infraction"), ("INF", "infraction"), ("INFRACTION", "infraction"),
    ("FELONV", "felony"), ("MISDEMEANDR", "misdemeanor"), ("MISDEMEAN0R", "misdemeanor"), ("1NFRACTION", "infraction"),
    ("FELO", "felony"), ("MISO", "misdemeanor"),  # a printout's abbreviation; MISD with its D read as O
    ("F/M", None), ("WOBBLER", None), ("FELONY MISD", None), ("FELLOW", None), ("MISSED", None), ("INFANT", None),
    ("FELON", None), ("INFORMATION", None), ("INFLUENCE", None),
    ("POSS MJ", None), ("", None), ("X", None),
])
def test_parse_level(text, expected):
    assert parse_level(text) == expected


def test_find_levels_in_running_text():
    line = "11357(B) H&s POSS MJ MISDEMEANOR |DISM FURTHERANCE"
    (m,) = find_levels(line)
    assert (m.raw, m.value) == ("MISDEMEANOR", "misdemeanor") and line[m.start:m.end] == m.raw
    assert find_levels("IN OPEN COURT, DEFT M") == []
    assert [m.value for m in find_levels("CT 1 F 11359", allow_letters=True)] == ["felony"]


# --------------------------------------------------------------------------- names

@pytest.mark.parametrize("text,expected", [
    ("DOE, JOHN M", "DOE, JOHN M"), ("Doe,John M.", "DOE, JOHN M"), ("DOE , JOHN", "DOE, JOHN"),
    ("DEFENDANT: DOE, JOHN M  DOB 04/02/61", "DOE, JOHN M"), ("DEFT NAME: ROE, JANE Q SEX: F", "ROE, JANE Q"),
    ("JOHN M DOE", "DOE, JOHN M"), ("PEOPLE VS. JOHN DOE", "DOE, JOHN"), ("MARTIN KEVIN F", "MARTIN, KEVIN F"),
    ("DEFENDANT: EVANS KEVIN", "EVANS, KEVIN"), ("JAMES THOMAS", "JAMES THOMAS"),  # both given names: as written
    ("DEFENDANT: QUUX ZORP", "QUUX ZORP"), ("JOHN DOE JR", "JOHN DOE JR"),
    ("THE PEOPLE OF THE STATE OF CALIFORNIA VS. DOE, JOHN", "DOE, JOHN"),
    ("perenpant DOE, JOHN pop, 12/03/65", "DOE, JOHN"), ("D0E, J0HN", "DOE, JOHN"),
    ("O'ROE, MARY-ANN", "O'ROE, MARY-ANN"), ("DOE JR, JOHN", "DOE JR, JOHN"),
    ("DEFENDANT: ROE JANE DOB: 12-SEP-34", "ROE, JANE"), ("NAME: HOLLOWAY, DEBRA BIRTHDATE 1/2/60", "HOLLOWAY, DEBRA"),
    ("NAME: PADILLA, MAURICE T BD: 06-29-69", "PADILLA, MAURICE T"),
    ("perennant ROE, ANTHONY H. non. LO/8/45", "ROE, ANTHONY H"),
    ("DEFENDANT ROE, JANE T. p.0B. 01-14-1945", "ROE, JANE T"),
    ("VS. DEFENDANT 01: ROE, JANE", "ROE, JANE"), ("DOE, J. MICHAEL", "DOE, J MICHAEL"),
    ("DOE, JOHN M. JR", "DOE, JOHN M JR"),
    ("", None), ("12345", None), ("DEFENDANT:", None),
])
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


# --------------------------------------------------------------------------- case numbers

@pytest.mark.parametrize("text,expected,corrected", [
    ("A123456", "A123456", False), ("BA012345", "BA012345", False), ("88M12345", "88M12345", False),
    ("93F04567", "93F04567", False), ("M835226", "M835226", False), ("LAC12345", "LAC12345", False),
    ("1CJ01234", "1CJ01234", False), ("BA-012345", "BA012345", False), ("BA 012345", "BA012345", False),
    ("8A012345", "BA012345", True), ("A12O456", "A120456", True), ("88MI2345", "88M12345", True),
    ("93F0456S", "93F04565", True), ("ALH75M3978", "ALH75M3978", False), ("M- 835226", "M835226", False),
])
def test_case_numbers(text, expected, corrected):
    line = f"CASE NO. {text} FILED 3/14/88"
    (m,) = find_case_numbers(line)
    assert (m.value, m.corrected) == (expected, corrected) and line[m.start:m.end] == m.raw
    assert normalize_case_number(text) == expected
    assert normalize_case_number(f"Case No.: {text}") == expected


@pytest.mark.parametrize("text", [
    "BOOKING NO: 2689454", "BOOKING NO. A123456", "1234567", "CII NO: A683441196", "DR NO: 86-85-89597",
    "HS11359", "PC 459", "11357B2 HS", "NO 123456", "12/03/65", "$5,000.00", "A12345", "BA0123456789",
    "HSvi1358)", "AUG22706", "PER 11598 H&S", "CRMG@414",
])
def test_refuses_non_case_numbers(text):
    assert find_case_numbers(text) == []


# --------------------------------------------------------------------------- robustness

def test_noise_never_breaks_the_readers():
    """Random OCR-like noise: no exception, every span is the text it claims, 'known' agrees with the table."""
    import random

    rng = random.Random(7)
    alphabet = "0123456789 ()/-.,:$#@|lIOSB&HSPCVWIabcdefgMFN¢<>\"'"
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(1500)]
    lines += [", , ,", "DOE, , ,", "(((", "664/", "664/664/664 PC", "HS HS HS 11359 11359"]
    for ln in lines:
        for m in find_statutes(ln):
            assert m.raw == ln[m.start:m.end]
            assert m.statute.known == is_known(m.statute.code, m.statute.section)
        for finder in (find_dispositions, find_case_numbers, find_levels):
            assert all(m.raw == ln[m.start:m.end] for m in finder(ln))
        assert all(1900 <= m.value.year <= 2099 for m in find_dates(ln, allow_compact=True))
        normalize_name(ln), parse_level(ln), parse_disposition(ln), parse_date(ln), normalize_case_number(ln)


def test_an_eight_digit_field_with_its_slashes_read_as_7_is_a_date_only_where_a_label_says_so():
    assert find_dates("BOOKING 87726784 AGENCY") == []
    (m,) = find_dates("87726784", allow_compact=True)
    assert m.value == D(1984, 7, 26) and m.corrected  # 0 read as 8, slashes read as 7
    assert find_dates("12345678", allow_compact=True) == []


def test_a_ten_character_date_that_lost_one_slash_is_read():
    (m,) = find_dates("GUILTY PLEA 126471989")  # 12/04/1989: first slash lost, zero read as 6, second as 7
    assert m.value == D(1989, 12, 4) and m.corrected
    (m,) = find_dates("DISM 188971989")  # 10/09/1989 with both zeros read as 8
    assert m.value == D(1989, 10, 9)
    assert find_dates("BOOKING 123456789") == [] and find_dates("NO 121719851") == []


def test_a_docket_entry_dated_with_its_slashes_read_as_7_is_read_at_the_start_of_its_line():
    from extractors.normalize.dates import entry_date

    m = entry_date("87723793 — JURY TRIAL RESUMES.")
    assert m is not None and m.value == D(1993, 7, 23) and m.corrected and (m.start, m.end) == (0, 8)
    assert entry_date("  81720793 - DEFENDANT IS ARRAIGNED").value == D(1993, 1, 20)
    assert entry_date("87723793 JURY TRIAL") is None  # no dash: an eight-digit number, not an entry's date
    assert entry_date("BOOKING 87723793 - PASADENA") is None  # not at the start of the line
    assert entry_date("12345678 - X") is None  # no slash look-alikes where the slashes go
    assert entry_date("03/05/90 - CHANGE OF PLEA") is None  # a date as typed is find_dates' to read


@pytest.mark.parametrize("text,expected", [("JUN 24 2065", D(2005, 6, 24)), ("12/01/2088", D(2008, 12, 1)),
                                           ("10/28/1393", D(1993, 10, 28))])
def test_a_year_that_cannot_be_is_read_with_one_look_alike_digit(text, expected):
    (m,) = find_dates(text)
    assert m.value == expected and m.corrected


def test_a_future_year_with_no_single_past_reading_is_refused():
    assert find_dates("3/14/2388") == [] and find_dates("07/04/2077") == []


def test_a_subdivision_letter_read_as_a_currency_sign_is_read_as_the_letter():
    (m,) = find_statutes("2 PC647 (£) DRUNK IN PUBLIC MISDEMEANOR")
    assert (str(m.statute), m.corrected) == ("PC 647(f)", True)


def test_a_subdivision_whose_brackets_were_both_read_as_letters_is_read_only_if_the_table_has_it():
    (m,) = find_statutes("CNT 005 VEH 23102 CAD DRUNK DRIVING M")  # 23102(a): '(' read as C, ')' as D
    assert m.statute.subdivision == "a" and m.corrected
    (m,) = find_statutes("35 PC 484¢AD THEFT OF PROPERTY")
    assert m.statute.subdivision == "a"
    (m,) = find_statutes("HS 11350 COD")  # 11350 has no (o): a word, not a subdivision
    assert m.statute.subdivision is None


@pytest.mark.parametrize("code,section,sub,text,fit", [
    ("HS", "11357", "b", "POSS MARIHUANA UNDER 1 02", True),  # OZ read 02
    ("HS", "11357", "b", "POSS MJ OVER 28.5 GRAMS", False),  # the row names (c)
    ("HS", "11357", "a", "POSS HASHISH", True),
    ("HS", "11357", "e", "POSS MJ SCHOOL (UNDER 18)", True),
    ("HS", "11357", "d", "POSS MJ SCHOOL (UNDER 18)", False),
    ("HS", "11360", "b", "TRANSP MJ UNDER 28.5 G", True),
    ("HS", "11360", "a", "TRANSP MJ UNDER 28.5 G", False),
    ("PC", "647", "f", "DISORDERLY CONDUCT: INTOX", True),
    ("HS", "11357", "b", "POSS OF MARIJ", None),  # nothing that tells the subdivisions apart
    ("HS", "11357", "b", "POSS MJ UNDER 1 OZ ON SCHOOL GROUNDS", None),  # (b) and (d) both named
    ("PC", "459", None, "BURGLARY", None),
    ("PC", "211", "a", "ROBBERY", None),  # no such table entry
])
def test_the_offense_typed_on_a_row_names_one_subdivision(code, section, sub, text, fit):
    from extractors.normalize.offenses import subdivision_fit

    assert subdivision_fit(Statute(code, section, sub, False, True), text) is fit


def test_a_date_read_only_through_a_correction_gives_way_to_one_read_as_printed():
    # the table rule before the date read as a day ("|NOV 04" = 1 NOV 1904) must not hide NOV 04 1980
    found = find_dates("| CONV-PG |Nov 04 1980 |")
    assert [(f.value, f.corrected) for f in found] == [(dt.date(1980, 11, 4), False)]
    # a correction alone still reads: a bar for the 1 of "l NOV 80"
    assert [f.value for f in find_dates("l NOV 80")] == [dt.date(1980, 11, 1)]
