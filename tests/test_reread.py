"""A poorly read page is read again smoothed, and the better reading is kept; a good page is read once; a page
of pin dots is smoothed in cleanup and read once."""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr_service import cleanup, reread
from ocr_service.ocr import get_engine
from ocr_service.settings import get_settings

LINES = [f"CNT 00{i}  HS 1135{i}  POSS MARIJUANA  MISD GLTY-CRT  06/0{i}/84" for i in range(1, 8)]


def _page(dotted: bool) -> np.ndarray:
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 44)
    img = Image.new("L", (2550, 1400), 255)
    d = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        d.text((150, 150 + 120 * i), text, font=font, fill=0)
    a = np.array(img)
    if dotted:  # pin dots: keep ink only on a grid of 2x2 dots every 4 pixels, as a dot-matrix head prints
        yy, xx = np.mgrid[0:a.shape[0], 0:a.shape[1]]
        holes = ((yy % 4) >= 2) | ((xx % 4) >= 2)
        a = np.where(holes, 255, a).astype(np.uint8)
    return a


class Counting:
    """The real engine, counting its readings."""

    def __init__(self, engine):
        self.engine, self.calls, self.shapes = engine, 0, []

    def read(self, image, *args, **kw):
        self.calls += 1
        self.shapes.append(image.shape)
        return self.engine.read(image, *args, **kw)

    def __getattr__(self, name):  # orientation, read_line: the engine's own
        return getattr(self.engine, name)


# The dots alone, as the page comes to OCR (cleanup would take such small dots for specks).
AS_IS = frozenset({"median", "orient", "deskew", "flatten", "borders", "rules", "specks", "smooth", "upscale",
                   "binarize", "dots"})


def test_a_dotted_page_is_read_again_and_the_more_confident_reading_kept():
    engine = Counting(get_engine(get_settings()))
    cleaned = cleanup.clean(_page(dotted=True), 300, disable=AS_IS)
    first = engine.engine.read(cleaned.ocr_image, 1, scale=cleaned.scale, dpi=cleaned.ocr_dpi)
    assert reread.mean_confidence(first) < reread.RETRY_BELOW
    page = reread.read_page(engine, cleaned, 1)
    assert engine.calls == 2
    assert reread.mean_confidence(page) > reread.mean_confidence(first) + reread.MIN_GAIN
    assert sum(w.text == "MARIJUANA" for w in page.words) > sum(w.text == "MARIJUANA" for w in first.words)


def test_a_clean_page_is_read_once():
    engine = Counting(get_engine(get_settings()))
    cleaned = cleanup.clean(_page(dotted=False), 300)
    page = reread.read_page(engine, cleaned, 1)
    assert engine.calls == 1
    assert reread.mean_confidence(page) >= reread.RETRY_BELOW
    assert sum(w.text == "MARIJUANA" for w in page.words) == len(LINES)


def _generated(index: int, seed: int = 11) -> tuple[np.ndarray, float, bool]:
    """A generated printout page (gray), its resolution, and whether it is dot-matrix print."""
    from samples.generator import render_document

    doc = render_document(seed, index, layouts=["printout"], formats=["png", "tiff"])
    return np.asarray(doc.pages[0].convert("L")), doc.dpi, doc.style.dot_matrix


def test_a_generated_dot_matrix_page_is_smoothed_in_cleanup_and_read_once(tmp_path):
    from ocr_service import pipeline

    gray, dpi, dot_matrix = _generated(23)  # a clean dot-matrix printout, pin dots standing apart
    assert dot_matrix
    cleaned = cleanup.clean(gray, dpi)
    assert "dots" in cleaned.step_names and "upscale" not in cleaned.step_names
    sigma = reread.SMOOTH_SIGMA_INCHES * cleaned.ocr_dpi  # the very blur of the second reading
    assert np.array_equal(cleaned.ocr_image, cv2.GaussianBlur(cleaned.unsmoothed, (0, 0), sigma))

    engine = Counting(get_engine(get_settings()))
    path = tmp_path / "printout.png"
    Image.fromarray(gray).save(path, dpi=(dpi, dpi))
    (page,) = pipeline.read_pages(path, engine=engine)
    assert engine.calls == 1  # read once, smoothed (the orientation and the case-number look aside)
    plain = engine.engine.read(cleaned.unsmoothed, 1, scale=cleaned.scale, dpi=cleaned.ocr_dpi)
    assert reread.mean_confidence(page) > reread.mean_confidence(plain) + reread.MIN_GAIN


def test_normal_pages_are_not_smoothed_in_cleanup():
    gray, dpi, dot_matrix = _generated(16, seed=7)  # a clean printout, not dot-matrix print
    assert not dot_matrix
    for image, res in ((gray, dpi), (_page(dotted=False), 300)):
        cleaned = cleanup.clean(image, res)
        assert "dots" not in cleaned.step_names and cleaned.unsmoothed is None


def test_a_page_taken_for_pin_dots_by_mistake_still_gets_its_better_reading():
    engine = Counting(get_engine(get_settings()))
    plain = cleanup.clean(_page(dotted=False), 300)
    # as if cleanup had smoothed it, and the smoothing had spoilt it
    wrong = replace(plain, ocr_image=cv2.GaussianBlur(plain.ocr_image, (0, 0), 5.5), unsmoothed=plain.ocr_image)
    first = engine.engine.read(wrong.ocr_image, 1, scale=wrong.scale, dpi=wrong.ocr_dpi)
    assert reread.mean_confidence(first) < reread.DOTS_RETRY_BELOW
    page = reread.read_page(engine, wrong, 1)
    assert engine.shapes.count(wrong.ocr_image.shape) == 2  # smoothed, then unsmoothed
    assert sum(w.text == "MARIJUANA" for w in page.words) == len(LINES)
    assert reread.mean_confidence(page) >= reread.RETRY_BELOW
