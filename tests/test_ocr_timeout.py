"""A page that keeps tesseract busy past the time limit is a coded error, not a stalled batch."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_service.errors import OcrTimeout
from ocr_service.ocr import find_tessdata
from ocr_service.ocr.tesserocr_engine import TesserocrEngine


def _page() -> np.ndarray:
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 40)
    img = Image.new("L", (2550, 3300), 255)
    d = ImageDraw.Draw(img)
    for i in range(40):
        d.text((150, 150 + 75 * i), f"{i:03d} HS 11359 POSS FOR SALE  CONV  06/0{i % 9 + 1}/88  FELONY", font=font, fill=0)
    return np.array(img)


def test_a_page_over_the_time_limit_raises_ocr_timeout():
    engine = TesserocrEngine(find_tessdata(None, "eng"), "eng", 6, timeout=0.001)
    with pytest.raises(OcrTimeout) as e:
        engine.read(_page(), 3)
    assert e.value.code == "ocr_timeout" and "page 3" in e.value.message


def test_the_same_page_reads_within_a_normal_limit():
    engine = TesserocrEngine(find_tessdata(None, "eng"), "eng", 6, timeout=120)
    page = engine.read(_page(), 1)
    assert sum(w.text == "11359" for w in page.words) >= 35
