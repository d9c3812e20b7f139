"""The offense typed on a row checks the section read for it (extractors/normalize/offenses.py)."""
from __future__ import annotations

from extractors.normalize.offenses import reread, support
from extractors.types import Statute


def test_a_section_misread_by_one_digit_is_reread_from_the_description_on_its_row():
    # 11358 (cultivation) read as 11353 (inducing a minor): a real section, but not what the row says
    alt = reread(Statute("HS", "11353"), "01 11353 HS CULTIVATE MARIJUANA FELONY CONVICTED 07/09/93")
    assert alt == Statute("HS", "11358")
    # a dot-matrix 9 read as 3: 459 (burglary) read as 453, beside "BURGLARY"
    assert reread(Statute("PC", "453"), "862 PC-453 BURGLARY FEL GUILTY PLEA") == Statute("PC", "459")
    # a decimal section: the whole part's look-alike, the decimal kept (12022.5 with a zero read as 8)
    assert reread(Statute("PC", "12822.5", known=False), "3 PC 12822.5 PERSONAL USE OF FIREARM") == \
        Statute("PC", "12022.5")


def test_a_section_the_row_supports_is_kept():
    assert support(Statute("HS", "11358"), "11358 HS PLANTING/CULTIVATING MARIJ") >= 2
    assert reread(Statute("HS", "11358"), "11358 HS PLANTING/CULTIVATING MARIJ") is None
    assert reread(Statute("PC", "459"), "2 PC-459 BURGLARY FELONY GUILTY PLEA 6/25/86") is None


def test_no_description_changes_nothing():
    row = "IN COUNT 1 WITH A VIOLATION OF SECTION 11353 HEALTH AND SAFETY CODE, A FELONY"
    assert reread(Statute("HS", "11353"), row) is None


def test_a_description_no_look_alike_fits_changes_nothing():
    assert reread(Statute("PC", "647", "f"), "5 647(F) PC DRUNK IN PUBLIC MISD CONVICTED") is None


def test_an_unknown_section_is_read_as_the_one_look_alike_its_description_names():
    # PC 547 is not in the table; of its look-alikes, 347 (poisoning) and 647 (disorderly conduct), the
    # row's "drunk in public" names 647 (offense_names.csv)
    alt = reread(Statute("PC", "547", "f", known=False), "3 547(F) PEN DRUNK IN PUBLIC M GUILTY PLEA 03/05/90")
    assert alt == Statute("PC", "647", "f")


def test_counts_read_with_dot_matrix_zeros_keep_their_numbers():
    from extractors.assemble import row_count_number

    assert [row_count_number(t) for t in ("001", "661", "BB3", "G83", "91", "12", "2")] == [1, 1, 3, 3, 1, 12, 2]
    assert row_count_number("77") is None  # no zero look-alike makes 77 a plausible count


def test_a_garbled_section_is_found_from_the_description_only_when_one_section_fits():
    from extractors.normalize.offenses import from_description

    assert from_description("UC1e851", "TAKING VEHICLE WO CONSENT") == Statute("VC", "10851")
    # 11357 and 11359 both fit "POSS MJ UNDER 1 OZ" near "11250": no single answer
    assert from_description("1:12.50)", "POSS MJ UNDER 1 OZ MSD NOLO CONTENDERE") is None
    assert from_description("L4ee", "pecs RESISTING ARREST MISDEMEANOR") == Statute("PC", "148")  # "148 PC" garbled
    assert from_description("4b", "TAKING VEHICLE WO CONSENT") is None  # too few digits to go on
    # "PC 245(a)" read as "20 245¢4)": the code read as digits, the subdivision's (a) as ¢4)
    assert from_description("20 245¢4)", "=> s ASSAULT W/DEADLY WEAPON") == Statute("PC", "245", "a")


def test_a_description_confirms_a_section_only_when_no_look_alike_fits_it_as_well():
    from extractors.normalize.offenses import confirms

    assert confirms(Statute("VC", "10851"), "TAKING VEHICLE WO CONSENT")
    assert confirms(Statute("HS", "11359"), "POSS MARIJUANA FOR SALE")
    assert not confirms(Statute("HS", "11359"), "BURGLARY")  # describes another offense
    assert not confirms(Statute("HS", "11359"), "MARIJUANA")  # one word is not enough
    # 11550 (under the influence) is 11350 (possession) with a 3 read as 5: the description fits 11350
    # better, so it confirms 11350 and not 11550, though it shares two words with 11550's title
    assert confirms(Statute("HS", "11350"), "POSSESSION CONTROLLED SUBSTANCE")
    assert not confirms(Statute("HS", "11550"), "POSSESSION CONTROLLED SUBSTANCE")
