"""Read a page, and read it again smoothed when the first reading is poor; keep the better one.

Some print reads better after smoothing: the pin dots of dot-matrix printouts, worn ribbon, fax
grain. Which pages those are is hard to tell from pixels, but easy to tell from tesseract's own
confidence: a page read with low mean word confidence is read once more after a Gaussian blur of
about a third of a stroke's width, and the reading with the higher mean confidence is kept. A page
that read well the first time costs nothing more.
"""
from __future__ import annotations

import cv2

from extractors.types import OcrPage
from ocr_service.cleanup import CleanedPage
from ocr_service.ocr import OcrEngine

RETRY_BELOW = 0.85  # mean word confidence under which a page is read a second time
SMOOTH_SIGMA_INCHES = 1.5 / 300  # the blur of the second reading, in inches of the page
MIN_GAIN = 0.02  # the smoothed reading must be this much more confident to replace the first


def mean_confidence(page: OcrPage) -> float:
    words = [w for w in page.words if w.text.strip()]
    return sum(w.conf for w in words) / len(words) if words else 0.0


def read_page(engine: OcrEngine, cleaned: CleanedPage, number: int) -> OcrPage:
    first = engine.read(cleaned.ocr_image, number, scale=cleaned.scale, dpi=cleaned.ocr_dpi)
    c1 = mean_confidence(first)
    if c1 >= RETRY_BELOW:
        return first
    sigma = SMOOTH_SIGMA_INCHES * cleaned.ocr_dpi
    second = engine.read(cv2.GaussianBlur(cleaned.ocr_image, (0, 0), sigma), number, scale=cleaned.scale,
                         dpi=cleaned.ocr_dpi)
    return second if mean_confidence(second) >= c1 + MIN_GAIN else first
