"""OCR engines with real tesseract: words, boxes, lines, confidences, scale, orientation, failures."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_service.errors import ConfigError, OcrFailed
from ocr_service.ocr import get_engine
from ocr_service.ocr.base import OcrEngine, find_tessdata
from ocr_service.ocr.pytesseract_engine import PytesseractEngine
from ocr_service.ocr.tesserocr_engine import TesserocrEngine
from ocr_service.settings import Settings

MONO = "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf"

DOCKET = [
    "MUNICIPAL COURT OF SAMPLE JUDICIAL DISTRICT",
    "CASE NO 88M12345            FILED 03/14/88",
    "DEFENDANT DOE, JANE Q        DOB 04/02/61",
    "CT   STATUTE       DESCRIPTION          DISPOSITION",
    "01   11359 HS      POSS FOR SALE        CONV 06/01/88",
    "02   11357(B) HS   POSS LESS 1 OUNCE    DISM 06/01/88",
    "03   459 PC        BURGLARY             PLED GUILTY",
    "06/01/88 DEFENDANT PLEADS GUILTY TO COUNT 1, REMAINING COUNTS DISMISSED.",
    "PROBATION GRANTED 36 MONTHS. FINE 500 DOLLARS AND PENALTY ASSESSMENT.",
]


@dataclass(frozen=True)
class Rendered:
    image: np.ndarray  # uint8 gray
    lines: list[str]
    boxes: dict[str, tuple[int, int, int, int]]  # a box per word that occurs once on the page


def render_page(lines: list[str] = DOCKET, dpi: int = 200, pt: float = 12, size_in=(8.5, 6.0)) -> Rendered:
    """A page of known monospace text, with the pixel box of every word drawn."""
    width, height = int(size_in[0] * dpi), int(size_in[1] * dpi)
    im = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(MONO, round(pt * dpi / 72))
    advance = font.getlength("M")
    boxes: dict[str, tuple[int, int, int, int]] = {}
    seen: Counter[str] = Counter()
    x0, y = int(0.6 * dpi), int(0.5 * dpi)
    for line in lines:
        draw.text((x0, y), line, font=font, fill=0)
        col = 0
        for word in line.split(" "):
            if word:
                box = draw.textbbox((x0 + col * advance, y), word, font=font)
                boxes[word] = tuple(int(v) for v in box)
                seen[word] += 1
            col += len(word) + 1
        y += round(pt * dpi / 72 * 1.7)
    pixels = np.array(im)
    unique = {w: _ink_box(pixels, b) for w, b in boxes.items() if seen[w] == 1}
    return Rendered(pixels, lines, unique)


def _ink_box(pixels: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The extent of the ink inside a text box (font boxes include side bearings)."""
    x0, y0, x1, y1 = box
    ys, xs = np.nonzero(pixels[y0:y1, x0:x1] < 128)
    return (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1)


def word_recall(text: str, lines: list[str]) -> float:
    truth = Counter(" ".join(lines).split())
    got = Counter(text.split())
    return sum((truth & got).values()) / sum(truth.values())


@pytest.fixture(scope="module", params=["tesserocr", "pytesseract"])
def engine(request) -> OcrEngine:
    tessdata = find_tessdata(None, "eng")
    cls = TesserocrEngine if request.param == "tesserocr" else PytesseractEngine
    return cls(tessdata, "eng", 6)


@pytest.fixture(scope="module")
def page() -> Rendered:
    return render_page()


def test_reads_known_words(engine, page):
    result = engine.read(page.image, 3, dpi=200)
    assert result.number == 3 and result.source == "ocr"
    assert (result.width, result.height) == (page.image.shape[1], page.image.shape[0])
    assert word_recall(result.text, page.lines) >= 0.95
    assert all(0.0 <= w.conf <= 1.0 for w in result.words)
    assert np.mean([w.conf for w in result.words]) > 0.85


def test_boxes_sit_on_the_drawn_words(engine, page):
    result = engine.read(page.image, 1, dpi=200)
    found = {w.text: w.bbox for w in result.words}
    checked = 0
    for word, (x0, y0, x1, y1) in page.boxes.items():
        if word in found and len(word) >= 4:
            bx0, by0, bx1, by1 = found[word]
            assert abs(bx0 - x0) <= 3 and abs(bx1 - x1) <= 3, word
            assert abs(by0 - y0) <= 3 and abs(by1 - y1) <= 3, word
            checked += 1
    assert checked >= 15


def test_each_printed_line_is_one_line_in_reading_order(engine, page):
    """Rows of the count table must stay whole, with their columns left to right."""
    result = engine.read(page.image, 1, dpi=200)
    lines = [ln.text for ln in result.lines()]
    assert len(lines) == len(page.lines)
    for read, printed in zip(lines, page.lines):
        assert word_recall(read, [printed]) >= 0.8, (read, printed)
    assert len({w.line for w in result.words}) == len(page.lines)


def test_boxes_are_in_stored_image_pixels_when_the_ocr_image_was_upscaled(engine, page):
    """An OCR image twice the size, read with scale=2, gives the boxes of the stored image."""
    small = cv2.resize(page.image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    big = cv2.resize(small, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    result = engine.read(big, 1, scale=2.0, dpi=200)
    assert (result.width, result.height) == (small.shape[1], small.shape[0])
    found = {w.text: w.bbox for w in result.words}
    for word in ("88M12345", "BURGLARY", "MUNICIPAL"):
        x0, y0, x1, y1 = page.boxes[word]
        bx0, by0, bx1, by1 = found[word]
        assert abs(bx0 - x0 / 2) <= 2 and abs(bx1 - x1 / 2) <= 2 and abs(by1 - y1 / 2) <= 2
        assert bx1 <= result.width and by1 <= result.height


def test_blank_page_gives_an_empty_page(engine):
    result = engine.read(np.full((600, 500), 255, np.uint8), 2)
    assert result.words == () and (result.width, result.height) == (500, 600)


def test_rgb_input_reads_like_gray(engine, page):
    rgb = cv2.cvtColor(page.image, cv2.COLOR_GRAY2RGB)
    assert word_recall(engine.read(rgb, 1).text, page.lines) >= 0.95


def test_upright_page_is_upright(engine, page):
    angle, confidence = engine.orientation(page.image)
    assert angle == 0 and confidence >= 0.8


def test_upside_down_page_is_detected(engine, page):
    angle, confidence = engine.orientation(np.ascontiguousarray(np.rot90(page.image, 2)))
    assert angle == 180 and confidence >= 0.5


@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 3])
def test_sideways_page_is_detected(k, page):
    engine = TesserocrEngine(find_tessdata(None, "eng"), "eng", 6)
    angle, confidence = engine.orientation(np.ascontiguousarray(np.rot90(page.image, k)))
    assert angle == (360 - 90 * k) % 360 and confidence >= 0.5


def test_get_engine_is_cached_per_process():
    settings = Settings()
    first = get_engine(settings)
    assert first is get_engine(settings)
    assert first.name == "tesserocr"
    assert get_engine(Settings(ocr_engine="pytesseract")).name == "pytesseract"


def test_get_engine_falls_back_to_pytesseract_without_tesserocr(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "ocr_service.ocr.tesserocr_engine", None)  # import now fails
    engine = get_engine(Settings(ocr_psm=11))  # a setting no cached engine has
    assert engine.name == "pytesseract" and engine.psm == 11


def test_unknown_engine_name_is_a_config_error():
    with pytest.raises(ConfigError):
        get_engine(Settings(ocr_engine="abbyy"))


def test_missing_language_data_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        find_tessdata(tmp_path, "eng")


def test_engine_failures_become_ocr_failed(tmp_path, page):
    broken = tmp_path / "tessdata"
    broken.mkdir()
    (broken / "eng.traineddata").write_bytes(b"not a model")
    with pytest.raises(OcrFailed):
        TesserocrEngine(broken, "eng", 6)
    with pytest.raises(OcrFailed):
        PytesseractEngine(broken, "eng", 6).read(page.image, 1)


def _scorer(by_angle: dict[int, tuple[float, int]], calls: list):
    """A reading score that knows which way the test image was turned (by its top-left pixel)."""
    def score(img: np.ndarray) -> tuple[float, int]:
        angle = int(img[0, 0]) * 90
        calls.append((angle, img.shape))
        return by_angle[angle]
    return score


def _marked(h: int = 200, w: int = 100) -> np.ndarray:
    """An image whose top-left pixel tells how many quarter turns (counter-clockwise) it got."""
    img = np.zeros((h, w), np.uint8)
    img[0, 0], img[0, -1], img[-1, -1], img[-1, 0] = 0, 1, 2, 3  # where rot90 k times puts each corner
    return img


def test_orientation_settles_an_upright_page_on_half_the_sample():
    from ocr_service.ocr.base import decide_orientation
    calls: list = []
    angle, confidence = decide_orientation(_marked(), _scorer({0: (0.9, 20)}, calls))
    assert (angle, calls) == (0, [(0, (100, 100))])  # one reading, of the upper half
    assert confidence == 0.9


def test_orientation_reads_both_sideways_turns_when_0_and_180_do_not_read():
    from ocr_service.ocr.base import decide_orientation
    calls: list = []
    scores = {0: (0.1, 8), 180: (0.12, 8), 90: (0.3, 8), 270: (0.85, 30)}
    angle, confidence = decide_orientation(_marked(), _scorer(scores, calls))
    assert angle == 270 and confidence == 1.0
    assert sorted({a for a, _ in calls}) == [0, 90, 180, 270]


def test_orientation_keeps_a_page_upright_when_few_words_read_in_the_half():
    from ocr_service.ocr.base import MIN_WORDS, decide_orientation
    calls: list = []
    # the half reads well but from too few words: the whole sample is read before deciding
    angle, _ = decide_orientation(_marked(), _scorer({0: (0.9, MIN_WORDS)}, calls))
    assert angle == 0 and [shape for _, shape in calls] == [(100, 100), (200, 100)]
