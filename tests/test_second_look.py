"""The second look at case numbers, with real tesseract on a rendered docket page."""
from __future__ import annotations

import numpy as np
import pytest

from extractors.types import OcrPage, Word
from ocr_service import second_look
from ocr_service.ocr.base import find_tessdata
from ocr_service.ocr.pytesseract_engine import PytesseractEngine
from ocr_service.ocr.tesserocr_engine import TesserocrEngine
from tests.test_ocr import render_page

DPI = 200


@pytest.fixture(scope="module")
def page():
    return render_page(dpi=DPI)


@pytest.fixture(scope="module", params=["tesserocr", "pytesseract"])
def engine(request):
    cls = TesserocrEngine if request.param == "tesserocr" else PytesseractEngine
    return cls(find_tessdata(None, "eng"), "eng", 6)


class Counting:
    """The real engine, counting the lines it is asked to read."""

    def __init__(self, engine):
        self.engine, self.lines = engine, 0

    def read_line(self, image, **kw):
        self.lines += 1
        return self.engine.read_line(image, **kw)


def _word(page, text, shown=None, conf=0.3):
    return Word(text=shown or text, bbox=page.boxes[text], conf=conf, line=0, block=0)


def test_read_line_reads_a_cut_out_word_and_leaves_page_reading_as_it_was(engine, page):
    before = engine.read(page.image, 1, dpi=DPI)
    crop = second_look._crop(page.image, page.boxes["88M12345"])
    assert engine.read_line(crop, dpi=DPI, charset=second_look.CASE_NUMBER.charset) == "88M12345"
    # the line mode and the character set are the engine's again afterwards
    assert engine.read(page.image, 1, dpi=DPI).text == before.text


def test_a_case_number_read_the_same_three_times_is_trusted(engine, page):
    out = second_look.check_page(engine, page.image, OcrPage(1, 100, 100, (_word(page, "88M12345"),)), DPI)
    (w,) = out.words
    assert w.text == "88M12345" and w.conf >= second_look.AGREED_CONF


def test_a_case_number_read_otherwise_twice_on_its_own_takes_that_reading_and_is_disputed(engine, page):
    # the page said 88M12845; cut out and read twice, the word says 88M12345: two readings against one
    out = second_look.check_page(engine, page.image,
                                 OcrPage(1, 100, 100, (_word(page, "88M12345", "88M12845", conf=0.8),)), DPI)
    (w,) = out.words
    assert w.text == "88M12345" and w.conf <= second_look.DISPUTED_CONF


def test_only_unsure_tokens_are_read_again(engine, page):
    counting = Counting(engine)
    words = (_word(page, "88M12345", conf=0.95), _word(page, "BURGLARY"), _word(page, "03/14/88", conf=0.95))
    out = second_look.check_page(counting, page.image, OcrPage(1, 100, 100, words), DPI)
    assert counting.lines == 0 and out.words == words
    second_look.check_page(counting, page.image, OcrPage(1, 100, 100, (_word(page, "88M12345"),)), DPI)
    assert counting.lines == 2


def test_a_case_number_split_in_two_words_is_looked_at_whole(engine, page):
    x0, y0, x1, y1 = page.boxes["88M12345"]
    cut = x0 + (x1 - x0) // 4  # after "88"
    words = (Word("88", (x0, y0, cut, y1), 0.2, 0, 0), Word("M12345", (cut + 1, y0, x1, y1), 0.3, 0, 0))
    out = second_look.check_page(engine, page.image, OcrPage(1, 100, 100, words), DPI)
    assert [w.text for w in out.words] == ["88", "M12345"]
    assert all(w.conf >= second_look.AGREED_CONF for w in out.words)


@pytest.fixture(scope="module")
def statute_page():
    return render_page(["CNT  STATUTE        DESCRIPTION", "002  H/S-11357(A)   POSS CONC CANNABIS"], dpi=DPI)


def test_a_statute_read_the_same_three_times_is_trusted_and_one_read_otherwise_disputed(engine, statute_page):
    box = statute_page.boxes["H/S-11357(A)"]
    out = second_look.check_page(engine, statute_page.image,
                                 OcrPage(1, 100, 100, (Word("H/S-11357(A)", box, 0.2, 1, 0),)), DPI)
    assert out.words[0].conf >= second_look.AGREED_CONF
    # the page read (C) where the print says (A): the page's reading stays, and a person looks
    out = second_look.check_page(engine, statute_page.image,
                                 OcrPage(1, 100, 100, (Word("H/S-11357(C)", box, 0.8, 1, 0),)), DPI)
    assert out.words[0].text == "H/S-11357(C)" and out.words[0].conf <= second_look.DISPUTED_CONF


def test_a_case_number_read_through_a_look_alike_letter_is_looked_at_however_sure(engine, page):
    # tesseract said 88MI2345 at 0.95: the reader makes the I a 1, and the cut-out readings confirm it
    counting = Counting(engine)
    out = second_look.check_page(counting, page.image,
                                 OcrPage(1, 100, 100, (_word(page, "88M12345", "88MI2345", conf=0.95),)), DPI)
    assert counting.lines == 2 and out.words[0].conf >= 0.95


class Scripted:
    """An engine that gives set readings: the decision rules, apart from what tesseract reads."""

    def __init__(self, *readings):
        self.readings = list(readings)

    def read_line(self, image, **kw):
        return self.readings.pop(0)


def _blank_word(text, conf):
    return Word(text, (10, 10, 200, 40), conf, 0, 0)


def test_a_case_number_read_through_a_look_alike_takes_the_one_reading_that_needed_none():
    image = np.full((60, 220), 255, np.uint8)
    page = OcrPage(1, 220, 60, (_blank_word("YAS47312", 0.4),))
    out = second_look.check_page(Scripted("YAS47312", "YA847312"), image, page, 300)
    assert out.words[0].text == "YA847312" and out.words[0].conf <= second_look.DISPUTED_CONF


def test_readings_that_all_needed_the_same_look_alike_vouch_for_nothing():
    image = np.full((60, 220), 255, np.uint8)
    page = OcrPage(1, 220, 60, (_blank_word("AQ25836", 0.95),))
    out = second_look.check_page(Scripted("AQ25836", "AQ25836"), image, page, 300)
    assert out.words == page.words
    # one clean reading of the same number does vouch for it
    out = second_look.check_page(Scripted("AQ25836", "A025836"), image, page, 300)
    assert out.words[0].text == "AQ25836" and out.words[0].conf == 0.95
