"""A poorly read page is read again smoothed, and the better reading is kept; a good page is read once."""
from __future__ import annotations

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
        self.engine, self.calls = engine, 0

    def read(self, *args, **kw):
        self.calls += 1
        return self.engine.read(*args, **kw)


# The dots alone, as the page comes to OCR (cleanup would take such small dots for specks).
AS_IS = frozenset({"median", "orient", "deskew", "flatten", "borders", "rules", "specks", "smooth", "upscale",
                   "binarize"})


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
