"""What every OCR engine offers, and the engine-independent parts: tessdata lookup, box scaling,
and the orientation decision.

Orientation convention used everywhere in cleardocket: an angle is the number of degrees to rotate
the image COUNTER-CLOCKWISE (as `numpy.rot90`, `PIL.Image.rotate`) so that its text reads upright.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from extractors.types import BBox, OcrPage, Word
from ocr_service.errors import ConfigError

# Tesseract reads faster single-threaded when pages run in parallel processes (OCRmyPDF does the same).
# OpenMP reads this when the library loads, so it is set before any engine module imports tesseract.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

SYSTEM_TESSDATA = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
    Path("/usr/local/share/tessdata"),
)

# Orientation decision. Reading scores measured on docket-like samples (docs/ocr.md): upright
# pages 0.74-0.93 (damaged to clean), the same pages turned 90, 180 or 270 degrees 0.10-0.45.
UPRIGHT_SCORE = 0.65  # an upright reading this good needs no other orientation tried
CLEAR_MARGIN = 0.15  # 0 against 180 degrees: a gap this large decides without OSD
MIN_TURN_SCORE = 0.55  # a page is turned only when it reads at least this well turned
MIN_WORDS = 6  # fewer readable words than this: orientation is undecidable, keep the page as is
MARGIN_FOR_FULL_CONFIDENCE = 0.25  # score gap between best and runner-up that means "certain"
# The first reading is of the sample's upper half (half the cost: recognition time follows the
# amount of text). Fewer words make a noisier score, so that shortcut asks for twice the words.
QUICK_MIN_WORDS = 2 * MIN_WORDS


@runtime_checkable
class OcrEngine(Protocol):
    """An OCR engine: words with boxes and confidences in, page orientation out."""

    name: str

    def read(self, image: np.ndarray, page_number: int, *, scale: float = 1.0,
             dpi: int | None = None) -> OcrPage:
        """Read one page image (uint8 gray or RGB).

        `scale` is how much larger `image` is than the stored page image; boxes, width and height
        of the result are divided by it, so they are in stored-image pixels. `dpi` is the
        resolution of `image` (tesseract uses it for its size heuristics).
        """
        ...

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        """Degrees (0, 90, 180, 270) to rotate `image` counter-clockwise to make it upright, and a
        confidence in 0..1."""
        ...

    def read_line(self, image: np.ndarray, *, dpi: int | None = None, charset: str = "") -> str:
        """The text of an image holding one line (a word cut out of a page), read with only the
        characters of `charset` (all, when empty)."""
        ...


def find_tessdata(configured: Path | None, lang: str) -> Path:
    """The tessdata directory to use: the configured one, else $TESSDATA_PREFIX, else the system's.

    The tesserocr wheel bundles its own libtesseract that looks in './' by default, so the path is
    always given explicitly.
    """
    first = lang.split("+")[0]
    candidates: list[Path] = []
    if configured is not None:
        candidates.append(Path(configured))
    elif os.environ.get("TESSDATA_PREFIX"):
        prefix = Path(os.environ["TESSDATA_PREFIX"])
        candidates += [prefix, prefix / "tessdata"]
    else:
        candidates += list(SYSTEM_TESSDATA)
    for path in candidates:
        if (path / f"{first}.traineddata").is_file():
            return path
    raise ConfigError(f"no {first}.traineddata in {', '.join(map(str, candidates))}; "
                      "install tesseract-ocr-eng or set CLEARDOCKET_TESSDATA_DIR")


def as_uint8(image: np.ndarray) -> np.ndarray:
    """A C-contiguous uint8 gray (2-D) or RGB (3-D, 3 channels) array; RGBA loses its alpha."""
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3):
        raise ValueError(f"expected a 2-D or 3-D image, got shape {image.shape}")
    return np.ascontiguousarray(image)


def scale_box(box: tuple[float, float, float, float], scale: float, width: int, height: int) -> BBox:
    """A box from OCR-image pixels to stored-image pixels, clipped to the stored image."""
    x0, y0, x1, y1 = (v / scale for v in box)
    return (max(0, int(np.floor(x0))), max(0, int(np.floor(y0))),
            min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1))))


def stored_size(image: np.ndarray, scale: float) -> tuple[int, int]:
    """Width and height of the stored page image that `image` is `scale` times larger than."""
    h, w = image.shape[:2]
    return round(w / scale), round(h / scale)


def reading_score(words: Iterable[Word]) -> tuple[float, int]:
    """How well a page reads: confidence averaged over the letters and digits of its words, and how
    many words have at least two of them. Upside-down or sideways text reads with low confidence."""
    total = weighted = 0.0
    count = 0
    for w in words:
        n = sum(ch.isalnum() for ch in w.text)
        if n >= 2:
            count += 1
            total += n
            weighted += n * w.conf
    return (weighted / total if total else 0.0), count


def decide_orientation(image: np.ndarray, score: Callable[[np.ndarray], tuple[float, int]]) -> tuple[int, float]:
    """Decide the page orientation by reading it.

    OSD alone is unreliable on all-capital typewriter text (measured: it called upside-down
    docket pages upright, at low confidence), while recognition confidence separates upright
    from turned text clearly. So: read the page as it is; if that reads well, it is upright.
    Otherwise read it turned 180 degrees; if one of the two reads clearly better, that is the
    answer. If neither reads, read it turned each way sideways (two readings of the small sample
    cost less than tesseract's OSD, which took 0.3-0.5 s of CPU per sample, and told the same
    sideways direction on every turned benchmark page). A page is only turned when it then reads
    reasonably (MIN_TURN_SCORE). The confidence is the score gap to the runner-up, scaled to 0..1.
    The first reading is of the upper half only (most pages are upright and settle there, at half
    the cost of reading the whole sample).
    """
    half = image[: image.shape[0] // 2]
    if half.shape[0] >= 32:
        quick, quick_words = score(np.ascontiguousarray(half))
        if quick >= UPRIGHT_SCORE and quick_words >= QUICK_MIN_WORDS:
            return 0, quick
    upright, n_words = score(image)
    if upright >= UPRIGHT_SCORE and n_words >= MIN_WORDS:
        return 0, upright
    scores = {0: (upright, n_words), 180: score(np.ascontiguousarray(np.rot90(image, 2)))}
    gap = scores[180][0] - upright
    if abs(gap) < CLEAR_MARGIN or max(upright, scores[180][0]) < 0.5:
        for angle in (90, 270):
            scores[angle] = score(np.ascontiguousarray(np.rot90(image, angle // 90)))
    readable = {a: s for a, (s, n) in scores.items() if n >= MIN_WORDS}
    if not readable:
        return 0, 0.0
    ranked = sorted(readable.items(), key=lambda kv: kv[1], reverse=True)
    best_angle, best = ranked[0]
    if best_angle != 0 and best < MIN_TURN_SCORE:
        return 0, 0.0  # nothing reads: no evidence to turn the page on
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return best_angle, float(min(1.0, (best - runner_up) / MARGIN_FOR_FULL_CONFIDENCE))
