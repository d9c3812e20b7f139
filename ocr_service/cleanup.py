"""Page image cleanup before OCR, decided per page from measurements (OpenCV).

    measures = measure(gray)
    cleaned = clean(image, dpi, orient=engine.orientation)
    page = engine.read(cleaned.ocr_image, n, scale=cleaned.scale, dpi=cleaned.ocr_dpi)

`clean` keeps two images with the same geometry up to `scale`: the page to store and show
(oriented, deskewed, gray, otherwise untouched) and the page for OCR (the same, plus what the page
needs of: salt-and-pepper median, background flattening, border and punch-hole removal, speck
removal, smoothing, upscaling, binarization, joining pin dots). Every step is applied only when a measurement calls
for it, and is recorded with the numbers that triggered it. docs/ocr.md gives the measurements
behind each threshold.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import cv2
import numpy as np

Orient = Callable[[np.ndarray], tuple[int, float]]

# --- thresholds (see docs/ocr.md for the measurements behind them) ---------------------------
IMPULSE_MEDIAN = 0.004  # fraction of isolated impulse pixels above which a median filter is used
IMPULSE_RESIDUAL = 0.0002  # impulses left after a median pass above which another pass is made
ORIENT_MIN_CONFIDENCE = 0.5  # rotate by 90/180/270 only when the engine is at least this sure
SKEW_MIN_DEG = 0.2  # smaller skew is left alone (rotation blurs a little and gains nothing)
SKEW_MAX_DEG = 10.0  # the search range of the skew estimate
SKEW_MIN_STRENGTH = 0.05  # relative gain of the projection score at the best angle over 0 degrees
UNEVEN_MIN = 18.0  # background spread (gray levels) above which the background is flattened
SNR_MIN = 15.0  # contrast / paper noise below which the page is smoothed (and then binarized)
NOISE_MIN = 4.0  # paper noise (gray levels) from which the page is smoothed whatever its contrast
SMOOTH_SIGMA = 1.0  # Gaussian smoothing of noisy low-contrast pages, px
SMOOTH_SIGMA_INCHES = 1.5 / 300  # the blur that joins pin dots (and reread's second reading), in inches of the page
TEXT_HEIGHT_MIN = 16.0  # median character height (px) below which the page is upscaled
TEXT_HEIGHT_TARGET = 30.0  # the character height upscaling aims for (about 10 pt at 300 dpi)
MAX_UPSCALE = 4.0
MAX_OCR_PIXELS = 25_000_000  # upscaling stops here (memory: tesseract's peak follows the image size);
# the pipeline passes settings.max_ocr_pixels (CLEARDOCKET_MAX_OCR_PIXELS)
SPECKS_PER_SQIN_MIN = 3.0  # tiny isolated dark specks per square inch above which they are removed
BORDER_STRIP = 0.02  # width of the edge strip, as a fraction of the page side, for border darkness
ASSUMED_PAGE_WIDTH_IN = 8.5  # to estimate the resolution when the file does not declare a plausible one


@dataclass(frozen=True, slots=True)
class PageMeasures:
    """What a page looks like, measured on its gray image."""

    width: int
    height: int
    dpi: float  # the resolution used: declared when plausible, else estimated from the page width
    impulse_noise: float  # fraction of pixels that are isolated salt-and-pepper impulses
    speck_density: float  # tiny isolated dark specks per square inch
    skew_deg: float  # counter-clockwise rotation that makes the text lines horizontal
    skew_strength: float  # how much sharper the line profile gets at that angle (0: no evidence)
    text_height: float  # median height of character-sized ink blobs, px (0: no text found)
    contrast: float  # paper level minus ink level, gray levels
    paper_noise: float  # robust standard deviation of pixel noise, gray levels
    background_unevenness: float  # spread of the paper level over the page (p95 - p5), gray levels
    border_darkness: float  # fraction of dark pixels in a strip along the page edges
    ink_fraction: float  # fraction of pixels that are ink

    def as_dict(self) -> dict[str, float]:
        return {k: (round(v, 4) if isinstance(v, float) else v)
                for k, v in ((f, getattr(self, f)) for f in self.__slots__)}


@dataclass(frozen=True, slots=True)
class Step:
    """One cleanup step applied to a page, with the measurements and parameters behind it."""

    name: str
    values: Mapping[str, float | int | str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class CleanedPage:
    """A page ready for OCR, and the page image to store and show."""

    ocr_image: np.ndarray  # uint8 gray, for the OCR engine
    image: np.ndarray  # uint8 gray, oriented and deskewed: what boxes refer to
    scale: float  # ocr_image pixels per stored-image pixel (> 1 when upscaled)
    ocr_dpi: int  # resolution of ocr_image
    rotation: int  # degrees turned counter-clockwise to make the page upright (0, 90, 180, 270)
    skew_deg: float  # degrees turned counter-clockwise to straighten the lines
    steps: tuple[Step, ...]
    measures: PageMeasures  # measured on the input page
    # clean(..., orient_after_reading=True) on a page whose lines run across: which way up it is was
    # left to its reading (0 or 180 degrees); the square to give the engine's orientation() if the
    # page reads badly (see `orientation_sample`). None when orientation was settled or not wanted.
    # clean() leaves it a PendingSample, cut only if asked for (`sample()`): most pages read well.
    orientation_sample: np.ndarray | PendingSample | None = None
    # a page of pin-dot print (step "dots") comes to OCR smoothed; this is its OCR image before the
    # blur, for reading it unsmoothed should the smoothed reading be poor (`reread.read_page`)
    unsmoothed: np.ndarray | None = None

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps)

    def sample(self) -> np.ndarray | None:
        """The orientation sample as an image (cut now when it was left pending), or None."""
        s = self.orientation_sample
        return s.cut() if isinstance(s, PendingSample) else s


@dataclass(frozen=True, slots=True, eq=False)
class PendingSample:
    """What `orientation_sample` needs to cut a page's sample, kept for when the reading asks for it.
    A page that reads upright never does, and cutting the sample costs a box filter over the whole
    (reduced) page: about 0.02 CPU s on a 300-dpi page."""

    page: np.ndarray  # the page as measured (the stored image unless a median filter was applied)
    text_height: float
    char_stats: np.ndarray  # x, y, w, h, area of the character-sized components

    def cut(self) -> np.ndarray:
        return orientation_sample(self.page, self.text_height, char_stats=self.char_stats)


# --- measuring ----------------------------------------------------------------------------------

def to_gray(image: np.ndarray) -> np.ndarray:
    """The uint8 gray version of a gray (returned as is), RGB or RGBA page image."""
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3 and image.shape[2] in (3, 4):
        code = cv2.COLOR_RGB2GRAY if image.shape[2] == 3 else cv2.COLOR_RGBA2GRAY
        return cv2.cvtColor(image, code)
    raise ValueError(f"not a page image: shape {image.shape}")


def _hist(values: np.ndarray) -> np.ndarray:
    """How many of the uint8 values (any array or view) are at each gray level: 256 int64 counts."""
    if values.size < (1 << 24):  # calcHist counts in float32: exact up to 2**24
        return cv2.calcHist([np.ascontiguousarray(values)], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    return np.bincount(values.ravel(), minlength=256)


def _quantile(hist: np.ndarray, q: float) -> float:
    """np.percentile(values, q) (linear interpolation) of the uint8 values counted in `hist`, to the
    last bit: the two order statistics are read from the cumulative counts instead of sorting."""
    cum = np.cumsum(hist)
    n = int(cum[-1])
    virtual = (n - 1) * (q / 100)
    if virtual >= n - 1:
        return float(np.searchsorted(cum, n - 1, side="right"))
    below = math.floor(virtual)
    gamma = virtual - below
    a = int(np.searchsorted(cum, below, side="right"))
    b = int(np.searchsorted(cum, below + 1, side="right"))
    # numpy's interpolation, with the same rounding on either side of the midpoint
    return float(b - (b - a) * (1 - gamma)) if gamma >= 0.5 else float(a + (b - a) * gamma)


def _median(hist: np.ndarray) -> float:
    """np.median of the uint8 values counted in `hist` (the mean of the two middle ones when even)."""
    cum = np.cumsum(hist)
    n = int(cum[-1])
    upper = int(np.searchsorted(cum, n // 2, side="right"))
    if n % 2:
        return float(upper)
    return (int(np.searchsorted(cum, n // 2 - 1, side="right")) + upper) / 2


def effective_dpi(width: int, height: int, declared: float | None) -> float:
    """The declared resolution if it gives a plausible page size, else one from an 8.5-inch width."""
    if declared and declared > 0:
        w_in, h_in = width / declared, height / declared
        if 3.0 <= min(w_in, h_in) and max(w_in, h_in) <= 20.0:
            return float(declared)
    return max(50.0, min(width, height) / ASSUMED_PAGE_WIDTH_IN)


def estimate_background(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The paper level at every pixel: ink removed by a max filter wider than a character, then
    smoothed. Computed on a copy reduced to about 1000 px; returns (full size, reduced), uint8."""
    h, w = gray.shape
    factor = max(1, round(max(h, w) / 1000))
    small = cv2.resize(gray, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_AREA)
    k = max(3, (max(small.shape) // 60) | 1)  # wider than a character at any usual resolution
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.medianBlur(paper, min(k, 255))
    paper = cv2.GaussianBlur(paper, (0, 0), k / 2)
    return cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR), paper


def impulse_fraction(gray: np.ndarray, threshold: float) -> float:
    """Fraction of pixels that differ by more than `threshold` from ALL eight neighbours in the same
    direction: salt-and-pepper impulses. Strokes, even one pixel wide, have neighbours like them."""
    ring = np.ones((3, 3), np.uint8)
    ring[1, 1] = 0
    lo = cv2.erode(gray, ring, borderType=cv2.BORDER_REPLICATE)  # darkest neighbour
    hi = cv2.dilate(gray, ring, borderType=cv2.BORDER_REPLICATE)  # brightest neighbour
    # saturating uint8 arithmetic; a pixel can be darker or brighter than all of its neighbours,
    # never both, so the two differences simply add up
    out = cv2.add(cv2.subtract(lo, gray), cv2.subtract(gray, hi))
    t = math.floor(threshold)  # "> threshold" on whole gray levels
    return cv2.countNonZero(cv2.threshold(out, t, 255, cv2.THRESH_BINARY)[1]) / gray.size


def noise_level(gray: np.ndarray) -> float:
    """Robust standard deviation of the pixel noise on the paper, in gray levels.

    The noise is the difference between the page and its 5x5 median, taken on paper pixels away
    from any ink (text edges are not noise). Scanners often clip white paper at 255, which hides
    half of the noise; so the estimate is 1.4826 x the median of the NON-ZERO differences, which is
    right for clipped and unclipped noise alike, and 0 when fewer than 5% of paper pixels differ.
    """
    step = max(1, round(max(gray.shape) / 2000))  # a sample of rows is enough
    rows = np.ascontiguousarray(gray[::step]) if step > 1 else gray
    med = cv2.medianBlur(rows, 5)
    level = _median(_hist(med[::2, ::2]))
    # ink: med < level - 25, that is med <= ceil(level - 25) - 1 on whole gray levels
    dark = cv2.threshold(med, math.ceil(level - 25) - 1, 1, cv2.THRESH_BINARY_INV)[1]
    near_ink = cv2.dilate(dark, np.ones((9, 9), np.uint8))
    # only every other row and column of what follows is used: take them first
    med2, rows2 = med[::2, ::2], rows[::2, ::2]
    paper = (near_ink[::2, ::2] == 0) & (med2 >= level - 20)
    counts = _hist(cv2.absdiff(np.ascontiguousarray(rows2), np.ascontiguousarray(med2))[paper])
    values, moving = int(counts.sum()), int(counts[1:].sum())
    if values == 0 or moving < 0.05 * values:
        return 0.0
    counts[0] = 0
    return float(1.4826 * _median(counts))


def impulse_threshold(contrast: float) -> float:
    """How far (gray levels) a pixel must stand out from all its neighbours to be an impulse."""
    return max(30.0, min(100.0, 0.4 * contrast))


def ink_mask(gray: np.ndarray, background: np.ndarray, noise: float) -> np.ndarray:
    """Ink (uint8 0/1): pixels clearly darker than the paper around them (Otsu on the flattened
    page, but never within 3 noise deviations of the paper, so the grain of a blank page is not ink)."""
    flat = flatten(gray, background)
    t, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = _median(_hist(flat[::3, ::3]))
    t = min(t, paper - max(12.0, min(3.0 * noise, 40.0)))
    # on whole gray levels, flat <= t is flat <= floor(t) and flat < t is flat <= ceil(t) - 1
    if t <= int(cv2.minMaxLoc(flat)[0]) and _bilevel(flat):  # Otsu puts the threshold on the black level itself
        return cv2.threshold(flat, math.floor(t), 1, cv2.THRESH_BINARY_INV)[1]
    return cv2.threshold(flat, math.ceil(t) - 1, 1, cv2.THRESH_BINARY_INV)[1]


def _bilevel(flat: np.ndarray) -> bool:
    """A black-and-white page (a fax, a CCITT TIFF): next to no pixel between its two levels."""
    sample = flat[::3, ::3]
    lo, hi = int(sample.min()), int(sample.max())
    return np.count_nonzero((sample > lo) & (sample < hi)) < 0.005 * sample.size


def flatten(gray: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Divide by the paper level so that the paper becomes white everywhere."""
    return cv2.divide(gray, np.maximum(background, 1), scale=255)


@dataclass(frozen=True, slots=True)
class _Blobs:
    """Connected components of the ink mask, summarised."""

    labels: np.ndarray  # int32 label image; component i of `stats` has label i + 1
    stats: np.ndarray  # rows of x, y, w, h, area (background row removed)
    text_height: float
    chars: np.ndarray  # boolean per component: character-sized


def _components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """8-connected components of a 0/1 or 0/255 mask: (count with background, int32 labels, stats).

    The block-based algorithm (BBDT) gives the same labels, numbering and stats as OpenCV's default
    (checked pixel for pixel on the benchmark and real-scan pages) at under half the CPU time."""
    n, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_BBDT)
    return n, labels, stats


Stretch = tuple[int, int, np.ndarray]  # top row, left column, labels (numbered as in the whole mask)


def _sparse_components(mask: np.ndarray, with_labels: bool = True) -> tuple[list[Stretch] | None, np.ndarray]:
    """`_components` of a mask whose ink lies in a few stretches of rows (the solid regions left by
    an opening): the same labels, given stretch by stretch (`_labels_of` puts them together), and
    the same stats, the background's row left out, at a fraction of the cost.

    OpenCV's statistics pass visits every pixel, ink or not; so each stretch of consecutive rows
    holding ink is labelled on its own, cut to the columns its ink spans. A component cannot cross
    a row without ink, and the stretches come in the scan's order, so numbering on from one stretch
    to the next gives the whole mask's numbering. The block-based scan takes rows and columns in
    pairs: a stretch starts on an even row and column, as the pairs fall in the whole mask.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    labels: list[Stretch] | None = [] if with_labels else None
    parts, count = [], 0
    if len(rows):
        for stretch in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1):
            y0, y1 = int(stretch[0]) & ~1, int(stretch[-1]) + 1
            x0, _, w, _ = cv2.boundingRect(mask[y0:y1])
            x1, x0 = x0 + w, x0 & ~1
            n, lab, stats = _components(np.ascontiguousarray(mask[y0:y1, x0:x1]))
            stats = stats[1:]
            stats[:, 0] += x0
            stats[:, 1] += y0
            parts.append(stats)
            if labels is not None:
                np.add(lab, count, out=lab, where=lab > 0)
                labels.append((y0, x0, lab))
            count += n - 1
    return labels, (np.concatenate(parts) if parts else np.zeros((0, 5), np.int32))


def _labels_of(stretches: list[Stretch], shape: tuple[int, int]) -> np.ndarray:
    """The whole mask's int32 label image from `_sparse_components`' stretches."""
    labels = np.zeros(shape, np.int32)
    for y0, x0, lab in stretches:
        labels[y0:y0 + lab.shape[0], x0:x0 + lab.shape[1]] = lab
    return labels


def _selected(stretches: list[Stretch], shape: tuple[int, int], lut: np.ndarray) -> np.ndarray:
    """uint8 0/1 mask of the components whose label has lut[label] = 1 (lut[0] = 0), looked up
    stretch by stretch: the same as lut[whole label image], without making that image."""
    mask = np.zeros(shape, np.uint8)
    for y0, x0, lab in stretches:
        mask[y0:y0 + lab.shape[0], x0:x0 + lab.shape[1]] = lut[lab]
    return mask


def _blobs(ink: np.ndarray) -> _Blobs:
    _, labels, stats = _components(ink)
    stats = stats[1:]
    w, h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    H = ink.shape[0]
    plausible = (h >= 5) & (h <= H / 15) & (w <= 3 * h) & (area >= 12) & (area >= 0.08 * w * h)
    if np.count_nonzero(plausible) >= 10:
        heights = h[plausible]
        # characters, not punctuation: the upper part of the height distribution
        text_height = float(np.median(heights[heights >= 0.5 * np.percentile(heights, 75)]))
    else:
        text_height = 0.0
    chars = plausible & (h >= 0.4 * text_height) & (h <= 3 * text_height) if text_height else plausible
    return _Blobs(labels, stats, text_height, chars)


def _specks(blobs: _Blobs, ink: np.ndarray, dpi: float) -> np.ndarray:
    """Boolean per component: a stray speck, smaller than any mark of writing (a period) and with
    no other ink around it. Specks touching or next to letters, and the dots of dithered or
    dot-matrix strokes, are left to the OCR engine (removing them was measured to hurt)."""
    limit = max(2.0, (0.012 * dpi) ** 2)  # a 0.012-inch square: well under a 10-pt period
    if blobs.text_height:
        limit = max(2.0, min(limit, (0.12 * blobs.text_height) ** 2))
    small = blobs.stats[:, 4] <= limit
    if not small.any():
        return small
    half = int(max(2, 0.3 * (blobs.text_height or 0.1 * dpi)))
    integral = cv2.integral(ink)  # ink sums over any window in four look-ups
    x, y, w, h, area = (blobs.stats[:, i] for i in range(5))
    cy, cx = y + h // 2, x + w // 2
    y0, y1 = np.clip(cy - half, 0, ink.shape[0]), np.clip(cy + half + 1, 0, ink.shape[0])
    x0, x1 = np.clip(cx - half, 0, ink.shape[1]), np.clip(cx + half + 1, 0, ink.shape[1])
    around = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    return small & (around - area <= 0)


def estimate_skew(ink: np.ndarray, keep: np.ndarray | None = None,
                  max_deg: float = SKEW_MAX_DEG) -> tuple[float, float]:
    """The counter-clockwise rotation (degrees) that makes text lines horizontal, and its strength.

    Projection-profile search: ink pixel positions are rotated by each candidate angle and binned
    by row; straight lines give the most peaked histogram. Coarse 0.25-degree steps, then 0.02.
    `keep` optionally limits the pixels to some (a mask). Strength is the relative gain of the
    peakedness over 0 degrees.
    """
    factor = _skew_factor(ink.shape)
    small = ink[::factor, ::factor]
    return _skew_search(small if keep is None else small & keep[::factor, ::factor], max_deg)


def _skew_factor(shape: tuple[int, ...]) -> int:
    """The skew is searched on every factor-th row and column: about 1400 px along the longer side."""
    return max(1, round(max(shape) / 1400))


def _skew_search(small: np.ndarray, max_deg: float = SKEW_MAX_DEG) -> tuple[float, float]:
    """estimate_skew on the reduced mask."""
    ys, xs = np.nonzero(small)
    if len(ys) < 200:
        return 0.0, 0.0
    rng = np.random.default_rng(0)
    if len(ys) > 150_000:
        pick = rng.choice(len(ys), 150_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    cx, cy = small.shape[1] / 2, small.shape[0] / 2
    x, y = xs - cx, ys - cy
    offset = math.hypot(cx, cy) + 2

    rows, other = np.empty_like(x), np.empty_like(x)  # reused by every angle
    bins = np.empty(len(x), np.int64)

    def peakedness(deg: float) -> float:
        # each row position is -sin(t) * x + cos(t) * y + offset rounded half to even, computed in
        # place in that order (the same float operations as the plain expression)
        t = math.radians(deg)
        np.multiply(x, -math.sin(t), out=rows)
        np.multiply(y, math.cos(t), out=other)
        rows.__iadd__(other)
        rows.__iadd__(offset)
        np.rint(rows, out=bins, casting="unsafe")  # whole numbers: the cast is exact
        counts = np.bincount(bins)
        return float(np.dot(counts, counts))

    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.25)
    scores = [peakedness(a) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, 0.02)
    fine_scores = [peakedness(a) for a in fine]
    angle = float(fine[int(np.argmax(fine_scores))])
    zero = np.flatnonzero(coarse == 0.0)
    at_zero = scores[int(zero[0])] if len(zero) else peakedness(0.0)
    strength = max(fine_scores) / at_zero - 1.0 if at_zero else 0.0
    return round(angle, 2), round(strength, 4)


@dataclass(frozen=True, slots=True)
class _Analysis:
    measures: PageMeasures
    background: np.ndarray
    ink: np.ndarray
    blobs: _Blobs


def _analyse(gray: np.ndarray, dpi: float | None, *, impulse: bool = True, skew: bool = True) -> _Analysis:
    """The page's measures, background, ink and components. `impulse` and `skew` False leave out
    those two measures (0 in the result) where the caller will not use them: clean() decides on
    the median filter from the first analysis only, and on deskewing only before a page is turned
    or straightened."""
    h, w = gray.shape
    eff_dpi = effective_dpi(w, h, dpi)
    background, small_bg = estimate_background(gray)
    paper = _median(_hist(small_bg))
    darkest = _quantile(_hist(gray[::3, ::3]), 0.5)
    contrast = max(0.0, paper - darkest)
    noise = noise_level(gray)
    ink = ink_mask(gray, background, noise)
    blobs = _blobs(ink)
    specks = _specks(blobs, ink, eff_dpi)
    speck_count = int(np.count_nonzero(specks))
    sh, sw = small_bg.shape
    bg_inner = small_bg[sh // 20: sh - sh // 20, sw // 20: sw - sw // 20]
    if bg_inner.size:
        inner_hist = _hist(bg_inner)
        unevenness = _quantile(inner_hist, 95) - _quantile(inner_hist, 5)
    else:
        unevenness = 0.0
    strip = max(2, round(BORDER_STRIP * min(h, w)))
    edges = (ink[:strip], ink[-strip:], ink[:, :strip], ink[:, -strip:])  # the corners count twice
    edge_pixels = sum(e.size for e in edges)
    skew_deg = strength = 0.0
    if skew:
        # the skew search runs on every factor-th row and column: the mask of the characters'
        # boxes is drawn at that resolution only
        factor = _skew_factor(ink.shape)
        keep = _mask_of(blobs, ink.shape, blobs.chars & ~_large_or_edge(blobs, ink.shape), step=factor)
        skew_deg, strength = _skew_search(cv2.bitwise_and(np.ascontiguousarray(ink[::factor, ::factor]), keep))
    measures = PageMeasures(
        width=w, height=h, dpi=round(eff_dpi, 1),
        impulse_noise=impulse_fraction(gray, impulse_threshold(contrast)) if impulse else 0.0,
        speck_density=speck_count / ((w / eff_dpi) * (h / eff_dpi)),
        skew_deg=skew_deg, skew_strength=strength, text_height=blobs.text_height,
        contrast=contrast, paper_noise=noise, background_unevenness=unevenness,
        border_darkness=sum(cv2.countNonZero(e) for e in edges) / edge_pixels if edge_pixels else 0.0,
        ink_fraction=cv2.countNonZero(ink) / ink.size)
    return _Analysis(measures, background, ink, blobs)


def _large_or_edge(blobs: _Blobs, shape: tuple[int, int]) -> np.ndarray:
    """Components that are not writing: touching the page edge or much larger than a character."""
    h_img, w_img = shape
    x, y, w, h = blobs.stats[:, 0], blobs.stats[:, 1], blobs.stats[:, 2], blobs.stats[:, 3]
    edge = (x <= 0) | (y <= 0) | (x + w >= w_img) | (y + h >= h_img)
    th = blobs.text_height or 30.0
    return edge | (h > 4 * th) & (w > 4 * th)


def _char_mask(blobs: _Blobs) -> np.ndarray:
    """0/1 mask of the pixels of character-sized components."""
    lut = np.zeros(len(blobs.chars) + 1, np.uint8)
    lut[1:] = blobs.chars
    return lut[blobs.labels]


def _mask_of(blobs: _Blobs, shape: tuple[int, int], which: np.ndarray, step: int = 1) -> np.ndarray:
    """A 0/1 mask of the bounding boxes of the chosen components; with `step`, only of every
    step-th row and column (the same as the full mask[::step, ::step])."""
    mask = np.zeros((-(-shape[0] // step), -(-shape[1] // step)), np.uint8)
    for x, y, w, h, _ in blobs.stats[which]:
        # the kept rows are those with row * step in [y, y + h)
        mask[-(-y // step): -(-(y + h) // step), -(-x // step): -(-(x + w) // step)] = 1
    return mask


def measure(image: np.ndarray, dpi: float | None = None) -> PageMeasures:
    """Measure a page: noise, skew, text height, contrast, background, borders, ink."""
    return _analyse(to_gray(image), dpi).measures


# --- cleaning -----------------------------------------------------------------------------------

def rotate_deg(gray: np.ndarray, deg: float, fill: int) -> np.ndarray:
    """Rotate counter-clockwise by `deg` about the centre, same canvas, new corners painted `fill`."""
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def orientation_sample(gray: np.ndarray, text_height: float, chars: np.ndarray | None = None, *,
                       blobs: _Blobs | None = None, char_stats: np.ndarray | None = None) -> np.ndarray:
    """A square of the page where the writing is densest, reduced so characters are ~16 px high and
    at most 480 px a side: enough text to tell which way is up, cheap to read several times
    (measured: 0.14 s of CPU per upright read, against 0.22 s at 20 px and 800 px, with the
    same separation of upright and upside-down readings).

    Where the writing is: `blobs` (the page's components; their character-sized ones, each counted
    at its centre) or `char_stats` (the stats rows of those character-sized ones), else `chars` (0/1, same shape, marks character-sized ink), else pixels darker
    than mid-gray. Specks and faded text make plain darkness a poor guide to where the text is.
    Only the chosen square is reduced, not the page.
    """
    h, w = gray.shape
    factor = min(1.0, 16.0 / text_height) if text_height else min(1.0, 1000 / max(gray.shape))
    sh, sw = (round(h * factor), round(w * factor)) if factor < 1 else (h, w)  # as cv2.resize's fx, fy
    side = int(min(sh, sw, max(300, min(480, 0.45 * min(sh, sw)))))
    if side >= min(sh, sw):
        return _reduce(gray, factor)
    if blobs is not None or char_stats is not None:
        st = blobs.stats[blobs.chars] if blobs is not None else char_stats
        cy = np.minimum(((st[:, 1] + st[:, 3] / 2) * factor).astype(np.int64), sh - 1)
        cx = np.minimum(((st[:, 0] + st[:, 2] / 2) * factor).astype(np.int64), sw - 1)
        writing = np.bincount(cy * sw + cx, weights=st[:, 4] * factor * factor,
                              minlength=sh * sw).astype(np.float32).reshape(sh, sw)
    elif chars is not None:
        writing = cv2.resize(chars.astype(np.float32), (sw, sh), interpolation=cv2.INTER_AREA)
    else:
        writing = (_reduce(gray, factor) < 128).astype(np.float32)
    density = cv2.boxFilter(writing, -1, (side, side), normalize=True, borderType=cv2.BORDER_CONSTANT)
    half = side // 2
    inner = density[half: sh - half, half: sw - half]
    cy, cx = np.unravel_index(int(np.argmax(inner)), inner.shape)
    full = min(h, w, round(side / factor))
    y0, x0 = min(int(cy / factor), h - full), min(int(cx / factor), w - full)
    square = gray[y0: y0 + full, x0: x0 + full]
    if full == side:
        return np.ascontiguousarray(square)
    return cv2.resize(square, (side, side), interpolation=cv2.INTER_AREA)


def _reduce(gray: np.ndarray, factor: float) -> np.ndarray:
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else gray
    return np.ascontiguousarray(small)


# Which way the text lines run, from where the characters are: neighbours along a line are much
# closer than neighbours across lines. On the benchmark, real-scan and dev pages, and the same pages
# turned sideways, the ratio below was 0.89 or more on every upright page (1.5-7.9 on all but dot-matrix
# printouts, whose characters fall apart into dots) and 0.22-0.63 on sideways pages, except five
# whose characters were not found (faded, dot-matrix) with 0.83-1.9.
LINES_DOWN_RATIO = 0.7


def lines_run_down(blobs: _Blobs, shape: tuple[int, int]) -> bool:
    """True when the text lines clearly run down the page (a page lying sideways).

    Each character's centre is put on a grid of quarter character heights; dilated along x, the
    characters of a line join, dilated along y they do not (and the other way round on a sideways
    page). Lines run down when joining along y leaves at most LINES_DOWN_RATIO times the groups
    that joining along x leaves. False when there are too few characters to tell.
    """
    th = blobs.text_height
    st = blobs.stats[blobs.chars]
    if not th or len(st) < 20:
        return False
    f = 4.0 / th
    grid = np.zeros((int(shape[0] * f) + 2, int(shape[1] * f) + 2), np.uint8)
    grid[((st[:, 1] + st[:, 3] / 2) * f).astype(np.int64), ((st[:, 0] + st[:, 2] / 2) * f).astype(np.int64)] = 1
    along_x = cv2.connectedComponents(cv2.dilate(grid, np.ones((1, 5), np.uint8)), connectivity=8)[0] - 1
    along_y = cv2.connectedComponents(cv2.dilate(grid, np.ones((5, 1), np.uint8)), connectivity=8)[0] - 1
    return along_y <= LINES_DOWN_RATIO * along_x


def remove_noise(gray: np.ndarray, impulse: float, threshold: float) -> tuple[np.ndarray, Step]:
    """3x3 median filter, repeated (at most 3 times) while isolated impulses remain.

    Measured on synthetic pages (docs/ocr.md): one 3x3 pass removes salt-and-pepper up to about
    12% density; a 5x5 median also removes it but erodes the strokes of 200-dpi text, so dense
    noise gets a second 3x3 pass instead.
    """
    out = gray
    passes = 0
    while passes < 3:
        out = cv2.medianBlur(out, 3)
        passes += 1
        if impulse_fraction(out, threshold) < IMPULSE_RESIDUAL:
            break
    return out, Step("median", MappingProxyType({"impulse_noise": round(impulse, 4), "kernel": 3, "passes": passes}))


def _paint_white(gray: np.ndarray, blobs: _Blobs, which: np.ndarray, grow: int = 0) -> np.ndarray:
    """A copy of `gray` with the chosen components (grown by `grow` px to take their halo) white."""
    out = gray.copy()
    if not which.any():
        return out
    lut = np.zeros(len(which) + 1, np.uint8)
    lut[1:] = which
    region = lut[blobs.labels]  # one look-up for all of them, not one mask per component
    if grow:
        region = cv2.dilate(region, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    out[region.astype(bool)] = 255
    return out


def remove_specks(gray: np.ndarray, ink: np.ndarray, blobs: _Blobs, dpi: float) -> tuple[np.ndarray, int]:
    """Paint white the isolated specks smaller than any mark of writing (see `_specks`)."""
    specks = _specks(blobs, ink, dpi)
    return _paint_white(gray, blobs, specks, grow=1), int(np.count_nonzero(specks))


def _solid_regions(gray: np.ndarray, k: int,
                   with_labels: bool = True) -> tuple[np.ndarray, list[Stretch] | None, np.ndarray, float]:
    """Dark regions wider than a pen stroke: Otsu's dark pixels opened with a k-px disc.
    Returns the dark mask (0/1), labels by stretch of rows (`_sparse_components`; None without
    `with_labels`) and stats (background row removed) of the opened mask, and Otsu's threshold."""
    t, dark = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    solid = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    stretches, stats = _sparse_components(solid, with_labels)
    return dark, stretches, stats, t


def _edge_regions(stats: np.ndarray, shape: tuple[int, int], th: float, dpi: float,
                  f: int = 1, slack: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Which solid regions are borders (large, touching an edge) and which punch holes (discs
    0.17-0.45 inch across near an edge). `stats` may come from a copy reduced `f` times (sizes in
    full-resolution pixels are then estimates); `slack` < 1 widens every limit by that factor."""
    sh, sw = (shape[0] // f, shape[1] // f) if f > 1 else shape
    h_img, w_img = shape
    x, y, w, h, area = (stats[:, i] for i in range(5))
    touches = (x <= 0) | (y <= 0) | (x + w >= sw) | (y + h >= sh)
    x, y, w, h, area = x * f, y * f, w * f, h * f, area * f * f
    borders = touches & ((area > slack * 6 * th * th) | (np.maximum(w, h) > slack * 0.1 * min(h_img, w_img)))
    diameter = (w + h) / 2
    centre_to_edge = np.minimum.reduce([x + w / 2, y + h / 2, w_img - x - w / 2, h_img - y - h / 2])
    holes = (~borders & (centre_to_edge < 1.5 * dpi / slack) & (diameter >= slack * 0.17 * dpi)
             & (diameter <= 0.45 * dpi / slack)
             & (np.abs(w - h) <= 0.25 * diameter / slack + 2 * (f - 1)) & (area >= slack * 0.6 * w * h))
    return borders, holes


def remove_edge_blobs(gray: np.ndarray, text_height: float, dpi: float) -> tuple[np.ndarray, int, int]:
    """Paint white what is not writing at the page edges: dark photocopy borders and gutter shadows
    (large dark regions touching an edge) and punch holes (solid discs 4-11 mm across near an edge).

    They are found in the dark pixels after a morphological opening wider than a pen stroke, which
    removes all writing (so text touching a border is kept) and leaves only solid regions. Most pages
    have none, and what is sought is large (a hole is at least 0.17 inch across): so the page is
    first searched on a copy reduced until the opening is about 6 px wide (at least halved, for an
    opening of 7-11 px: then the reduced opening is rounded down), with every limit widened by a
    fifth, and only a page where that finds something is searched and painted at full resolution.
    """
    h_img, w_img = gray.shape
    th = text_height or 0.1 * dpi
    k = max(3, int(0.4 * th)) | 1
    f = max(1, k // 6)
    k_small = max(3, round(k / f)) | 1
    if f == 1 and k >= 7:
        f, k_small = 2, max(3, k // 2) | 1
    if f > 1:
        small = cv2.resize(gray, (w_img // f, h_img // f), interpolation=cv2.INTER_AREA)
        _, _, stats, _ = _solid_regions(small, k_small, with_labels=False)
        borders, holes = _edge_regions(stats, gray.shape, th, dpi, f, slack=0.8)
        if not (borders.any() or holes.any()):
            return gray, 0, 0
    dark, stretches, stats, _ = _solid_regions(gray, k)
    borders, holes = _edge_regions(stats, gray.shape, th, dpi)
    chosen = np.flatnonzero(borders | holes) + 1
    if not len(chosen):
        return gray, 0, 0
    lut = np.zeros(len(stats) + 1, np.uint8)
    lut[chosen] = 1
    region = cv2.dilate(_selected(stretches, gray.shape, lut), np.ones((5, 5), np.uint8))
    # the opening rounded the corners of the regions: take the dark pixels they touch as well
    region = cv2.bitwise_and(region, cv2.bitwise_or(dark, cv2.erode(region, np.ones((5, 5), np.uint8))))
    region = cv2.dilate(region, np.ones((3, 3), np.uint8))
    painted = cv2.bitwise_or(gray, region * np.uint8(255))  # region (0/1) painted white
    _keep_writing_on_light_regions(painted, gray, region, th)
    return painted, int(np.count_nonzero(borders)), int(np.count_nonzero(holes))


LIGHT_REGION_MIN = 200  # a region whose mean is this light can carry legible writing (greenbar paper's band)


def _keep_writing_on_light_regions(painted: np.ndarray, gray: np.ndarray, region: np.ndarray, th: float) -> None:
    """Put back, in `painted`, the writing that lay on a light region painted white: the shaded band of
    greenbar printout paper touches both page edges like a border, but the lines printed on it are the
    record. A region counts as light by its mean, judged on a copy reduced 4 times (most regions are
    dark photocopy borders, left white as before, and cost only that look); writing on a light one is
    what is clearly darker than the band around it (its median over about two text heights)."""
    f = 4
    small = cv2.resize(region, (max(1, region.shape[1] // f), max(1, region.shape[0] // f)),
                       interpolation=cv2.INTER_NEAREST)
    small_gray = cv2.resize(gray, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(small, connectivity=8)
    k = max(3, int(2 * th)) | 1
    for i in range(1, n):
        if cv2.mean(small_gray, mask=(labels == i).astype(np.uint8))[0] < LIGHT_REGION_MIN:
            continue
        x0, y0, w, h = (int(v) * f for v in stats[i, :4])
        x1, y1 = min(gray.shape[1], x0 + w + f), min(gray.shape[0], y0 + h + f)
        box = gray[y0:y1, x0:x1]
        inside = region[y0:y1, x0:x1].astype(bool)
        level = cv2.medianBlur(box, min(k, 255)).astype(np.float32)
        writing = inside & (box.astype(np.float32) < level - np.maximum(12, 0.15 * level))
        painted[y0:y1, x0:x1][writing] = box[writing]


def _deskew(gray: np.ndarray, work: np.ndarray, analysis: _Analysis,
            steps: list[Step]) -> tuple[np.ndarray, np.ndarray, float]:
    """Straighten both images when the measured skew is large enough and clearly measured; the
    caller measures the straightened page again when the returned angle is not 0."""
    skew, strength = analysis.measures.skew_deg, analysis.measures.skew_strength
    if abs(skew) < SKEW_MIN_DEG or strength < SKEW_MIN_STRENGTH:
        return gray, work, 0.0
    paper = int(_median(_hist(analysis.background[::8, ::8])))
    # while no filter has been applied the two images are one array: turn it once (no step writes
    # into an image in place, so they may stay one)
    straight = rotate_deg(gray, skew, paper)
    gray, work = (straight, straight) if work is gray else (straight, rotate_deg(work, skew, paper))
    steps.append(Step("deskew", MappingProxyType({"degrees": skew, "strength": strength})))
    return gray, work, skew


# Ruled lines of forms (table borders, underlines under typed fields) touch the typed text and make
# tesseract drop or garble the cells beside them ("01" lost, "11358" read as "1358"). Lines at least
# RULE_MIN_INCHES long are found by opening the ink with a long thin kernel and painted paper-white.
RULE_MIN_INCHES = 0.6
RULE_MIN_FRACTION = 0.0015  # share of the page's pixels in rules that makes removal worthwhile


def find_rules(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Mask (uint8 0/255) of long straight horizontal and vertical ink lines, grown by a pixel."""
    n = max(20, round(RULE_MIN_INCHES * dpi))
    ink255 = ink * np.uint8(255)
    rules = open_line(ink255, n, horizontal=True)
    rules |= open_line(ink255, n, horizontal=False)
    return cv2.dilate(rules, np.ones((3, 3), np.uint8))


_LINE_BLOCK = 8  # px: the block size of open_line's search for rows (columns) that can hold a long run


def open_line(mask: np.ndarray, n: int, horizontal: bool) -> np.ndarray:
    """cv2.morphologyEx(mask, MORPH_OPEN) with an n x 1 (1 x n) rectangle, pixel for pixel, for a
    0/255 mask; computed only on the rows (columns) that can hold a run long enough to survive.

    A horizontal opening keeps the pixels of horizontal ink runs at least n long (at the page edge,
    where OpenCV counts the outside as ink, at least n/2). Such a run covers at least `m` whole
    aligned blocks of _LINE_BLOCK pixels; blocks that are all ink are found with a short erosion
    and a stride, and only rows with m of them in a row are opened at full resolution. Most of a
    page's rows have none, so this costs a fraction of opening the whole page.
    """
    return _open_line(mask, n, horizontal)[0]


def _open_line(mask: np.ndarray, n: int, horizontal: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """open_line, and the rows (columns) that were opened (None: all of them); no other row
    (column) of the result has ink."""
    f = _LINE_BLOCK
    m = (-(-n // 2) - 2 * f + 2) // f  # whole blocks inside any run that can survive the opening
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1) if horizontal else (1, n))
    if m < 2:
        return cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel), None
    out = np.zeros_like(mask)
    if horizontal:
        blocks = cv2.erode(mask, np.ones((1, f), np.uint8))[:, f // 2::f]
        runs = cv2.erode(blocks, np.ones((1, m), np.uint8))
        lines = np.flatnonzero(runs.max(axis=1))
        if len(lines):
            out[lines] = cv2.morphologyEx(np.ascontiguousarray(mask[lines]), cv2.MORPH_OPEN, kernel)
    else:
        blocks = cv2.erode(mask, np.ones((f, 1), np.uint8))[f // 2::f]
        runs = cv2.erode(blocks, np.ones((m, 1), np.uint8))
        lines = np.flatnonzero(runs.max(axis=0))
        if len(lines):
            out[:, lines] = cv2.morphologyEx(np.ascontiguousarray(mask[:, lines]), cv2.MORPH_OPEN, kernel)
    return out, lines


def remove_rules(work: np.ndarray, ink: np.ndarray, dpi: float) -> tuple[np.ndarray, float]:
    """The page with its ruled lines painted over, and the share of pixels that were rules."""
    rules = find_rules(ink, dpi)
    frac = float(np.count_nonzero(rules)) / rules.size
    if frac < RULE_MIN_FRACTION:
        return work, frac
    out = work.copy()
    out[rules > 0] = int(_quantile(_hist(work[::4, ::4]), 90))  # the paper's level
    return out, frac


# Printouts rule their tables with rows of typed dashes or '=' ("-------- ----"): no long line for
# find_rules to see, yet tesseract drops the table rows between them. They are thin marks (under half a
# character tall) that, joined across the gaps between characters, run on for DASH_RUN_CHARS characters.
DASH_RUN_CHARS = 6
DASH_MIN_TEXT_HEIGHT = 12  # px: below this a dash and a letter's stroke are a pixel or two apart; not looked for


def find_dashed_rules(ink: np.ndarray, text_height: float) -> np.ndarray:
    """Mask (uint8 0/255) of typed dash rules: runs of thin marks at least DASH_RUN_CHARS characters long,
    with no character-tall ink beside them (a line of text has some; a rule of dashes has none)."""
    th = text_height
    ink255 = ink * np.uint8(255)
    tall = cv2.morphologyEx(ink255, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, round(0.45 * th)))))
    thin = cv2.bitwise_and(ink255, cv2.bitwise_not(cv2.dilate(tall, np.ones((3, 3), np.uint8))))
    joined = cv2.morphologyEx(thin, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, round(0.75 * th)), 1)))
    runs, rows = _open_line(joined, round(DASH_RUN_CHARS * th), horizontal=True)
    mask = np.zeros_like(ink255)
    rows = np.flatnonzero(runs.max(axis=1)) if rows is None else rows[runs[rows].max(axis=1) > 0]
    if not len(rows):
        return mask  # no run of thin marks long enough: nothing to label
    pad = max(2, round(0.35 * th))
    # the runs lie in these rows: label each stretch of consecutive rows on its own (a component
    # cannot reach across a row without runs), not the whole page
    for stretch in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1):
        y0, y1 = int(stretch[0]), int(stretch[-1]) + 1
        n, labels, stats = _components(runs[y0:y1])
        keep = np.zeros(n, dtype=np.uint8)
        for i in range(1, n):
            x, y, w, h = stats[i, :4]
            y += y0
            band = tall[max(0, y - pad):y + h + pad, x:x + w]
            keep[i] = h <= 0.5 * th and np.count_nonzero(band) <= 0.01 * band.size
        mask[y0:y1] = keep[labels] * np.uint8(255)
    return cv2.bitwise_and(cv2.dilate(mask, np.ones((3, 3), np.uint8)), thin)


def remove_dashed_rules(work: np.ndarray, ink: np.ndarray, text_height: float) -> tuple[np.ndarray, int]:
    """The page with its typed dash rules painted over, and how many pixels were painted."""
    dashes = find_dashed_rules(ink, text_height)
    n = int(np.count_nonzero(dashes))
    if not n:
        return work, 0
    out = work.copy()
    out[dashes > 0] = int(_quantile(_hist(work[::4, ::4]), 90))  # the paper's level
    return out, n


DOTTED_JOIN_RATIO = 2.5  # joining pin dots multiplies the measured character height at least this much


def dotted_print(ink: np.ndarray, text_height: float) -> bool:
    """True when the small "characters" measured are the pin dots of dot-matrix print: joined across
    gaps of up to 2 px (a 3x3 closing), the character height grows DOTTED_JOIN_RATIO times or more
    and is not small. Such a page is not upscaled: its characters are large.

    Measured (docs/ocr.md): on generated dot-matrix printouts (30-px characters of 2-px dots,
    measured at 6-8 px) joining gave 2.75-4.4 times the height; on the real scans (FUNSD's 6-9 px
    text, legal-scans' small table) at most 2.0 (letters join into words, too wide to count as
    characters). Upscaling those printouts read worse (word F1 0.34 against 0.38 without, 6 pages)
    and cost a third more OCR time.
    """
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    height = _blobs(joined).text_height
    return height >= max(TEXT_HEIGHT_MIN, DOTTED_JOIN_RATIO * text_height)


def smooth_print(image: np.ndarray, dpi: float) -> np.ndarray:
    """The blur that joins pin dots and steadies worn or grainy print (SMOOTH_SIGMA_INCHES): the dots
    step here, reread's second reading of a poor page and second_look's second reading of a token."""
    return cv2.GaussianBlur(image, (0, 0), SMOOTH_SIGMA_INCHES * dpi)


def clean(image: np.ndarray, dpi: float | None = None, orient: Orient | None = None, *,
          disable: frozenset[str] | set[str] = frozenset(), max_ocr_pixels: int = MAX_OCR_PIXELS,
          orient_after_reading: bool = False) -> CleanedPage:
    """Clean one page for OCR, applying only the steps its measurements call for.

    `orient` is an engine's `orientation` (or None to skip orientation). `disable` names steps
    to skip (median, orient, deskew, flatten, borders, rules, dashes, specks, smooth, upscale, binarize, dots), for measuring
    what each contributes. Upscaling never makes the OCR image larger than `max_ocr_pixels`.

    With `orient_after_reading`, `orient` is called here only when the text lines run down the page
    (`lines_run_down`: it lies sideways, and is turned, measured and deskewed again here). A page
    whose lines run across is either upright or upside down, and reading it tells which at no extra
    cost when it is upright: its `orientation_sample` is returned for the caller to decide on after
    reading (`reread.read_upright`), and `turn_upside_down` turns it.
    """
    gray = to_gray(image)
    analysis = _analyse(gray, dpi)
    m = analysis.measures
    steps: list[Step] = []
    work = gray

    if "median" not in disable and m.impulse_noise >= IMPULSE_MEDIAN:
        work, step = remove_noise(work, m.impulse_noise, impulse_threshold(m.contrast))
        steps.append(step)

    # Each analysis holds label and mask images of the page's size: the old one is dropped before
    # the page is measured again, so that only one is in memory at a time. The page is measured
    # again only for what is still to be decided: never the impulse noise, and the skew only when
    # the page may still be straightened.
    if work is not gray:
        analysis = None
        analysis = _analyse(work, m.dpi, impulse=False, skew="deskew" not in disable)
    skew_applied = 0.0
    if "deskew" not in disable:
        gray, work, skew_applied = _deskew(gray, work, analysis, steps)
        if skew_applied:
            analysis = None
            analysis = _analyse(work, m.dpi, impulse=False, skew=False)

    rotation = 0
    pending_sample = None
    if orient is not None and "orient" not in disable:
        text_height, chars = analysis.measures.text_height, analysis.blobs.stats[analysis.blobs.chars]
        if orient_after_reading and not lines_run_down(analysis.blobs, work.shape):
            angle, confidence = 0, 0.0
            pending_sample = PendingSample(work, text_height, chars)  # cut if the reading asks
        else:
            angle, confidence = orient(orientation_sample(work, text_height, char_stats=chars))
        if angle % 360 and confidence >= ORIENT_MIN_CONFIDENCE:
            rotation = angle % 360
            k = rotation // 90
            turned = np.ascontiguousarray(np.rot90(gray, k))
            gray, work = (turned, turned) if work is gray else (turned, np.ascontiguousarray(np.rot90(work, k)))
            steps.append(Step("orient", MappingProxyType({"degrees": rotation, "confidence": round(confidence, 3)})))
            deskew_turned = rotation != 180 and "deskew" not in disable and not skew_applied
            analysis = None
            analysis = _analyse(work, m.dpi, impulse=False, skew=deskew_turned)
            if deskew_turned:
                # a sideways page shows its skew only once its lines run across
                gray, work, skew_applied = _deskew(gray, work, analysis, steps)
                if skew_applied:
                    analysis = None
                    analysis = _analyse(work, m.dpi, impulse=False, skew=False)

    a = analysis.measures
    binarize_reasons: list[str] = []
    if "flatten" not in disable and a.background_unevenness >= UNEVEN_MIN:
        work = flatten(work, analysis.background)
        binarize_reasons.append("flatten")
        steps.append(Step("flatten", MappingProxyType({"background_unevenness": round(a.background_unevenness, 1)})))

    if "borders" not in disable:
        work, n_borders, n_holes = remove_edge_blobs(work, a.text_height, a.dpi)
        if n_borders or n_holes:
            steps.append(Step("borders", MappingProxyType({"border_blobs": n_borders, "punch_holes": n_holes,
                                                           "border_darkness": round(a.border_darkness, 4)})))

    if "rules" not in disable:
        work, frac = remove_rules(work, analysis.ink, a.dpi)
        if frac >= RULE_MIN_FRACTION:
            steps.append(Step("rules", MappingProxyType({"rule_fraction": round(frac, 4)})))

    if "dashes" not in disable and a.text_height >= DASH_MIN_TEXT_HEIGHT:
        work, n_dash = remove_dashed_rules(work, analysis.ink, a.text_height)
        if n_dash:
            steps.append(Step("dashes", MappingProxyType({"pixels": n_dash})))

    noisy = a.text_height > 0 and (a.paper_noise >= NOISE_MIN or a.contrast / max(a.paper_noise, 0.5) < SNR_MIN)
    # on a noisy page the "specks" are the noise itself: smoothing deals with them (removing them
    # one by one was measured to hurt there)
    if "specks" not in disable and a.speck_density >= SPECKS_PER_SQIN_MIN and not noisy:
        work, n = remove_specks(work, analysis.ink, analysis.blobs, a.dpi)
        steps.append(Step("specks", MappingProxyType({"speck_density": round(a.speck_density, 2), "removed": n})))

    if "smooth" not in disable and noisy:
        work = cv2.GaussianBlur(work, (0, 0), SMOOTH_SIGMA)
        binarize_reasons.append("smooth")
        steps.append(Step("smooth", MappingProxyType({"contrast": round(a.contrast, 1),
                                                      "paper_noise": round(a.paper_noise, 2), "sigma": SMOOTH_SIGMA})))

    # pin dots measure as characters smaller than TEXT_HEIGHT_MIN (joined, they are the printout's large ones)
    dotted = 0 < a.text_height < TEXT_HEIGHT_MIN and dotted_print(analysis.ink, a.text_height)
    scale = 1.0
    if "upscale" not in disable and 0 < a.text_height < TEXT_HEIGHT_MIN and not dotted:
        scale = round(min(MAX_UPSCALE, TEXT_HEIGHT_TARGET / a.text_height) * 4) / 4
        scale = max(1.0, min(scale, math.floor(math.sqrt(max_ocr_pixels / work.size) * 4) / 4))
        if scale > 1.0:
            work = cv2.resize(work, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            steps.append(Step("upscale", MappingProxyType({"text_height": a.text_height, "factor": scale})))

    # Tesseract's LSTM reads the gray line images, so a clean gray page is given as it is (our
    # own binarization measured slightly worse there). Binarize only where gray is misleading: a
    # flattened uneven background, or a smoothed noisy low-contrast page.
    if "binarize" not in disable and binarize_reasons:
        _, work = cv2.threshold(work, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        steps.append(Step("binarize", MappingProxyType({"method": "otsu", "after": "+".join(binarize_reasons)})))

    # Pin-dot print reads far better with its dots joined by a blur of about a third of a stroke: the very
    # image reread's second reading makes of a poor page, made here so that the page is read once (its
    # unsmoothed image is kept for a poor smoothed reading: reread.read_page).
    ocr_dpi = round(m.dpi * scale)
    unsmoothed = None
    if "dots" not in disable and dotted:
        unsmoothed = np.ascontiguousarray(work)
        work = smooth_print(work, ocr_dpi)
        steps.append(Step("dots", MappingProxyType({"text_height": a.text_height,
                                                    "sigma": round(SMOOTH_SIGMA_INCHES * ocr_dpi, 2)})))

    return CleanedPage(ocr_image=np.ascontiguousarray(work), image=np.ascontiguousarray(gray), scale=scale,
                       ocr_dpi=ocr_dpi, rotation=rotation, skew_deg=skew_applied,
                       steps=tuple(steps), measures=m, orientation_sample=pending_sample, unsmoothed=unsmoothed)


def turn_upside_down(cleaned: CleanedPage, confidence: float) -> CleanedPage:
    """The cleaned page turned 180 degrees (both images), for a page found upside down after cleanup.

    Every cleanup step treats a page and the page upside down alike (the measures and the filters
    have no up or down), so turning the cleaned page stands for cleaning the turned one."""
    steps = list(cleaned.steps)
    at = sum(1 for st in steps if st.name in ("median", "deskew"))  # where clean() records a turn
    steps.insert(at, Step("orient", MappingProxyType({"degrees": 180, "confidence": round(confidence, 3)})))
    unsmoothed = None if cleaned.unsmoothed is None else np.ascontiguousarray(cleaned.unsmoothed[::-1, ::-1])
    return replace(cleaned, ocr_image=np.ascontiguousarray(cleaned.ocr_image[::-1, ::-1]),
                   image=np.ascontiguousarray(cleaned.image[::-1, ::-1]), rotation=(cleaned.rotation + 180) % 360,
                   steps=tuple(steps), orientation_sample=None, unsmoothed=unsmoothed)
