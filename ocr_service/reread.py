"""Read a page: turned upright by its reading when cleanup left that open, and read again smoothed
when the first reading is poor; keep the better one.

Which way up: cleanup turns a page whose lines run down it (it lies sideways) before reading; a page
whose lines run across is upright or upside down, and its reading tells which. An upright page
that reads well costs nothing more; one that reads badly has its orientation sample read the ways
`decide_orientation` reads it, and is turned when that is clear (`read_upright`).

Some print reads better after smoothing: the pin dots of dot-matrix printouts, worn ribbon, fax
grain. Which pages those are is mostly hard to tell from pixels, but easy to tell from tesseract's own
confidence: a page read with low mean word confidence is read once more after a Gaussian blur of
about a third of a stroke's width, and the reading with the higher mean confidence is kept. A page
that read well the first time costs nothing more.

Pin dots that stand apart are told from pixels (`cleanup.dotted_print`): cleanup smooths such a page
already (step "dots", the same blur), so its first reading is the smoothed one and it is not read
smoothed again. Should that reading fail (mean confidence under DOTS_RETRY_BELOW), the page is read
once more unsmoothed (`cleaned.unsmoothed`) and the more confident reading kept, so that a page taken
for pin-dot print by mistake, and spoilt by the blur, still gets its better reading. Why that bar and not RETRY_BELOW: smoothed
pin-dot pages read 0.61-0.86 and their unsmoothed readings 0.10-0.82 worse (generated printouts), so
RETRY_BELOW would read nearly every one of them twice again; while of the generated pages not flagged
that read under RETRY_BELOW, none read better unsmoothed by MIN_GAIN (20 pages), and where smoothing
hurt (3 of 64 generated pages) they still read 0.82-0.92 smoothed (docs/ocr.md).
"""
from __future__ import annotations

from collections.abc import Callable

from extractors.types import OcrPage
from ocr_service.cleanup import (ORIENT_MIN_CONFIDENCE, SMOOTH_SIGMA_INCHES, CleanedPage, smooth_print,  # noqa: F401
                                 turn_upside_down)
from ocr_service.ocr import OcrEngine
from ocr_service.ocr.base import MIN_WORDS, UPRIGHT_SCORE, reading_score

RETRY_BELOW = 0.85  # mean word confidence under which a page is read a second time
# the second reading's blur: cleanup.smooth_print (SMOOTH_SIGMA_INCHES, 1.5 px at 300 dpi)
MIN_GAIN = 0.02  # the smoothed reading must be this much more confident to replace the first
DOTS_RETRY_BELOW = 0.5  # a page cleanup smoothed (pin dots) is read again unsmoothed under this mean confidence

# (degrees to turn the source page, orientation confidence) -> the page cleaned that way up
Reclean = Callable[[int, float], CleanedPage]


def mean_confidence(page: OcrPage) -> float:
    words = [w for w in page.words if w.text.strip()]
    return sum(w.conf for w in words) / len(words) if words else 0.0


def _read(engine: OcrEngine, cleaned: CleanedPage, number: int) -> OcrPage:
    return engine.read(cleaned.ocr_image, number, scale=cleaned.scale, dpi=cleaned.ocr_dpi)


def read_upright(engine: OcrEngine, cleaned: CleanedPage, number: int,
                 reclean: Reclean | None = None) -> tuple[CleanedPage, OcrPage]:
    """The page the right way up and its reading.

    A page whose orientation cleanup left open (`cleaned.orientation_sample`) is read as it is;
    a reading that scores like upright text (UPRIGHT_SCORE over at least MIN_WORDS words, the
    threshold the orientation sample itself is judged by) settles it. Otherwise the engine decides
    on the sample: upside down, the cleaned page is turned and read again; sideways after all (its
    lines were not found to run down), `reclean` cleans the source turned that way (without it,
    the page is left as it is).
    """
    first = _read(engine, cleaned, number)
    if cleaned.orientation_sample is None:
        return cleaned, first
    score, words = reading_score(first.words)
    if score >= UPRIGHT_SCORE and words >= MIN_WORDS:
        return cleaned, first
    angle, confidence = engine.orientation(cleaned.sample())
    angle %= 360
    if not angle or confidence < ORIENT_MIN_CONFIDENCE or (angle != 180 and reclean is None):
        return cleaned, first
    turned = turn_upside_down(cleaned, confidence) if angle == 180 else reclean(angle, confidence)
    return turned, _read(engine, turned, number)


def read_page(engine: OcrEngine, cleaned: CleanedPage, number: int, first: OcrPage | None = None) -> OcrPage:
    """The page's reading (`first`, when it was read already), or its smoothed reading when the
    first is poor and the smoothed one clearly more confident. A page cleanup smoothed already
    (`cleaned.unsmoothed`) is read the other way round: unsmoothed when its reading failed (under
    DOTS_RETRY_BELOW), that reading kept when clearly more confident."""
    if first is None:
        first = _read(engine, cleaned, number)
    c1 = mean_confidence(first)
    if cleaned.unsmoothed is not None:
        if c1 >= DOTS_RETRY_BELOW:
            return first
        plain = engine.read(cleaned.unsmoothed, number, scale=cleaned.scale, dpi=cleaned.ocr_dpi)
        return plain if mean_confidence(plain) >= c1 + MIN_GAIN else first
    if c1 >= RETRY_BELOW:
        return first
    second = engine.read(smooth_print(cleaned.ocr_image, cleaned.ocr_dpi), number, scale=cleaned.scale,
                         dpi=cleaned.ocr_dpi)
    return second if mean_confidence(second) >= c1 + MIN_GAIN else first
