"""The digit check: a slashed or plain zero that OCR read as 8, 6, 9 ... is put back; real digits stay.

Glyphs are drawn with OpenCV at docket size (38 px tall, as 10-12 pt type at 300 dpi), so each test
knows exactly which shape stands where; the word's text is what OCR would have said.
"""
from __future__ import annotations

import cv2
import numpy as np

from extractors.types import OcrPage, Word
from ocr_service import glyphs

W, H, GAP, T = 26, 38, 9, 3  # cell width, height, gap between cells, stroke


def _ring(c):
    cv2.ellipse(c, (W // 2, H // 2), (W // 2 - 2, H // 2 - 2), 0, 0, 360, 0, T)


def _slashed(c):
    _ring(c)
    cv2.line(c, (4, H - 6), (W - 4, 5), 0, T)


def _thick_slashed(c):
    _ring(c)
    cv2.line(c, (4, H - 6), (W - 4, 5), 0, 10)  # a slash as wide as a small face's: the holes do not overlap


def _barred(c):
    _ring(c)
    cv2.line(c, (3, H // 2), (W - 3, H // 2), 0, T)


def _eight(c):
    cv2.ellipse(c, (W // 2, H // 4 + 1), (W // 2 - 4, H // 4 - 1), 0, 0, 360, 0, T)
    cv2.ellipse(c, (W // 2, 3 * H // 4 - 1), (W // 2 - 2, H // 4 - 1), 0, 0, 360, 0, T)


def _six(c):
    cv2.ellipse(c, (W // 2, 2 * H // 3), (W // 2 - 2, H // 3 - 2), 0, 0, 360, 0, T)
    cv2.ellipse(c, (W - 3, 2 * H // 3), (W - 5, 2 * H // 3 - 2), 0, 180, 270, 0, T)


def _nine(c):
    _six(c)
    c[:] = c[::-1, ::-1]


def _one(c):
    cv2.line(c, (W // 2, 2), (W // 2, H - 3), 0, T)
    cv2.line(c, (W // 2, 2), (W // 2 - 7, 9), 0, T)


def _dash(c):
    cv2.line(c, (5, H // 2), (W - 5, H // 2), 0, T)


def _letter(ch):
    def draw(c):
        cv2.putText(c, ch, (1, H - 4), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, T)
    return draw


def _two(c):
    cv2.putText(c, "2", (1, H - 4), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, T)


SHAPES = {"0": _ring, "Ø": _slashed, "ø": _thick_slashed, "θ": _barred, "8": _eight, "6": _six, "9": _nine, "1": _one, "2": _two,
          "-": _dash, **{ch: _letter(ch) for ch in "NOVPAGB4"}}


def _word(shapes: str, scale: float = 1.0) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A page strip with the shapes side by side, and the box OCR would give the word."""
    n = len(shapes)
    img = np.full((H + 20, 20 + n * (W + GAP)), 255, np.uint8)
    for i, s in enumerate(shapes):
        cell = img[10:10 + H, 10 + i * (W + GAP):10 + i * (W + GAP) + W]
        SHAPES[s](cell)
    if scale != 1.0:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(img < 128)
    return img, (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def _check(shapes: str, read_as: str, scale: float = 1.0) -> str:
    img, box = _word(shapes, scale)
    return glyphs.check_word(img, Word(read_as, box, 0.9, 0))


def test_slashed_zero_read_as_8_is_put_back_and_a_real_8_beside_it_stays():
    assert _check("198Ø", "1988") == "1980"
    assert _check("198ø", "1988") == "1980"
    assert _check("1Ø88", "1888") == "1088"


def test_plain_zero_read_as_6_or_9_is_put_back():
    assert _check("10", "16") == "10"
    assert _check("0910", "9916") == "0910"


def test_a_zero_in_a_printout_date_with_the_month_named_is_put_back():
    assert _check("28-NOV-8Ø", "28-NOV-88") == "28-NOV-80"
    assert _check("28-NOV-88", "28-NOV-88") == "28-NOV-88"


def test_a_slashed_zero_read_as_a_letter_is_put_back_but_real_letters_stay():
    assert _check("PAØ41", "PAG41") == "PA041"  # a case number's zero read as G
    assert _check("PAG41", "PAG41") == "PAG41"
    assert _check("BA141", "BA141") == "BA141"  # a B's two holes sit one above the other


def test_real_eights_sixes_and_nines_are_left_as_read():
    assert _check("1988", "1988") == "1988"
    assert _check("1696", "1696") == "1696"
    assert _check("8698", "8698") == "8698"


def test_a_ring_left_open_by_faint_dots_is_joined_and_read_but_an_8_still_is_not_a_zero():
    img, box = _word("198Ø")
    x0 = 10 + 3 * (W + GAP)
    img[10 + H // 2 - 2:10 + H // 2 + 2, x0:x0 + W] = 255  # the ring cut across its middle, 4 px
    assert glyphs.check_word(img, Word("1988", box, 0.9, 0)) == "1980"
    img, box = _word("1988")
    img[10 + H // 4 - 2:10 + H // 4 + 2, x0:x0 + W] = 255  # the 8's upper loop cut the same way
    assert glyphs.check_word(img, Word("1988", box, 0.9, 0)) == "1988"


def test_a_character_whose_ink_runs_into_its_neighbour_is_not_measured():
    # two 9s joined by a stroke: cut on the grid, the cell holding the joined ink would hold part of
    # the other character too (on a real form, a 9 with the counter of the A beside it: two holes)
    img, box = _word("1199")
    x9 = 10 + 2 * (W + GAP)
    img[10 + H - 8:10 + H - 4, x9 + W // 2:x9 + W + GAP + W // 2] = 0
    x0, y0, x1, y1 = box
    cells = glyphs.cells_of(glyphs.ink_of(img[y0:y1, x0:x1]), 4)
    assert cells is not None and cells[0] is not None and cells[1] is not None
    assert cells[2] is None or cells[3] is None
    assert glyphs.check_word(img, Word("1199", box, 0.9, 0)) == "1199"


def test_a_barred_zero_is_left_as_read_it_cannot_be_told_from_an_8():
    assert _check("19θ1", "1981") == "1981"


def test_small_print_is_left_as_read():
    # 12 px tall: too few pixels to tell an 8's holes from a slashed zero's
    assert _check("198Ø", "1988", scale=12 / H) == "1988"


def test_words_that_are_not_numbers_or_do_not_split_into_their_characters_are_left_as_read():
    img, box = _word("198Ø")
    assert glyphs.check_word(img, Word("PC198", box, 0.9, 0)) == "PC198"  # letters first: not a number
    assert glyphs.check_word(img, Word("19880", box, 0.9, 0)) == "19880"  # five characters read from four


def test_check_page_caps_the_confidence_of_a_corrected_word_and_keeps_the_rest():
    img, box = _word("198Ø")
    other = Word("COUNT", (0, 0, 5, 5), 0.97, 0)
    page = OcrPage(number=1, width=img.shape[1], height=img.shape[0], words=(Word("1988", box, 0.95, 0), other))
    out = glyphs.check_page(img, page)
    assert out.words[0].text == "1980" and out.words[0].conf == glyphs.CORRECTED_CONF
    assert out.words[1] == other


def test_a_page_with_nothing_to_correct_comes_back_as_it_was():
    img, box = _word("1988")
    page = OcrPage(number=1, width=img.shape[1], height=img.shape[0], words=(Word("1988", box, 0.95, 0),))
    assert glyphs.check_page(img, page) is page
