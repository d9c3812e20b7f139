"""Check the digits OCR reads in numbers against the shapes on the page: a zero read as 8, 6, 9 ...

Line printers, dot-matrix printers and some typewriter faces strike the zero with a stroke
through it (a slashed zero, a barred zero) so that it cannot be taken for the letter O. Tesseract's
model has seen few of them and reads them as 8, 6, 9, 3 or 5, which turns a 1990 into a 1998 and a
case number into another case's. Those digits differ from a zero in the holes their ink encloses:

- a zero encloses one tall hole in its middle, or two offset sideways where a slash cuts it;
- an 8 encloses two holes straight one above the other; a 6 or a 9 one hole in one half; 3 and 5 none.

A slashed zero is also read as a letter (G, Q, D, B); such a letter in a number becomes 0 only when
it shows the slashed zero's two holes offset sideways, which no capital letter has.

So each digit that OCR read as one of those, in a word shaped like a number (dates, case and section
numbers), is looked at in the page image. It becomes a 0 only when its holes are a zero's, it is as
tall as the word's other digits, and the word's characters can be told apart. Anything else stays as
read: a barred zero cannot be told from an 8 at docket resolution, nor any glyph under
`MIN_HEIGHT`. A corrected word keeps its confidence but no more than `CORRECTED_CONF`, so that a
field read through a corrected digit is not reported as sure as one read cleanly.

Pure: an image and an `OcrPage` in, an `OcrPage` out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import cv2
import numpy as np

from extractors.types import OcrPage, Word

SUSPECT = frozenset("86935@©")  # what a stroked or plain zero is read as
SUSPECT_LETTERS = frozenset("GQDB")  # read for a slashed zero too; only the slashed shape makes them 0
# dates, case numbers (a letter prefix), section numbers (a code prefix such as H.S. or HSC-, a subdivision
# after), and printout dates with the month's name (28-NOV-80)
NUMERIC_WORD = re.compile(r"^(?:[^0-9]{0,4}[0-9][0-9/.\-]*[0-9][^0-9]{0,4}|[0-9]{1,2}-[A-Z]{3}-[0-9]{2,4}[^0-9]?)$")
CORRECTED_CONF = 0.80
MIN_HEIGHT = 16  # pixels: a smaller glyph (under about 10 pt at 150 dpi) has too few to tell its holes
MIN_HOLE = 0.02  # a hole smaller than this share of the glyph's box is a gap between dots
SLASH_SHIFT = 0.12  # a slashed zero's holes sit this far apart sideways (share of the width); an 8's under 0.05
SLASH_WIDTH = 0.15  # and at most this far apart up and down (share of the height): the slash between them


@dataclass(frozen=True, slots=True)
class Hole:
    x: float  # centre, as fractions of the glyph's width and height
    y: float
    top: float  # its extent from top to bottom, as fractions of the glyph's height
    bottom: float


@dataclass(frozen=True, slots=True)
class Glyph:
    """The holes of a glyph (background its ink encloses) and its height within its word."""

    holes: tuple[Hole, ...]
    height_ratio: float  # the glyph's ink height over the word's digit height

    @property
    def ring(self) -> bool:
        """One tall hole in the middle: a plain zero (a 6 or a 9 has its hole in one half)."""
        if self.height_ratio < 0.8 or len(self.holes) != 1:
            return False
        (h,) = self.holes
        return h.top <= 0.25 and h.bottom >= 0.75 and 0.3 <= h.x <= 0.7

    @property
    def slashed(self) -> bool:
        """A ring cut in two by a slash: two holes offset sideways (one up on one side, one down on the
        other), at most a slash's width apart. An 8's two holes sit straight one above the other. A
        barred zero (a level bar across the ring) cannot be told from an 8 at these sizes and is left
        as read."""
        if self.height_ratio < 0.8 or len(self.holes) != 2:
            return False
        a, b = sorted(self.holes, key=lambda h: h.y)
        shared = min(a.bottom, b.bottom) - max(a.top, b.top)  # below 0: a gap between them
        return shared >= -SLASH_WIDTH and abs(a.x - b.x) >= SLASH_SHIFT and a.top <= 0.3 and b.bottom >= 0.7


def _join(ink: np.ndarray, k: int) -> np.ndarray:
    return cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)) if k > 1 else ink


def join_width(height: int) -> int:
    """How far apart the dots of a dot-matrix character of this height may stand and still be joined."""
    return max(1, round(height / 14))


def ink_of(crop: np.ndarray) -> np.ndarray:
    """Ink as a 0/1 mask (Otsu on the crop), the dots of dot-matrix print joined."""
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return _join(ink, join_width(crop.shape[0]))


def _runs(cols: np.ndarray) -> list[list[int]]:
    edges = np.flatnonzero(np.diff(np.concatenate(([0], cols.astype(np.int8), [0]))))
    return [[int(a), int(b)] for a, b in zip(edges[::2], edges[1::2])]


def cells_of(ink: np.ndarray, n: int) -> list[np.ndarray | None] | None:
    """The ink of each of the word's `n` characters, or None where they cannot be told apart.

    Characters are the runs of inked columns; runs split by a hair's gap (a broken stroke) are
    joined. Where characters touch, digits being of one width in nearly every face, the word is
    cut into n equal cells, and each connected piece of ink goes to the cell its centre is in;
    that is only trusted when the runs that were found start on that grid, and a character whose ink
    runs on into its neighbour's cell is None.
    """
    h = ink.shape[0]
    runs = [r for r in _runs(ink.any(axis=0)) if ink[:, r[0]:r[1]].sum() >= 0.02 * h * h]
    if not runs:
        return None
    while len(runs) > n:  # join across the smallest gap, if it is a hair's
        gaps = [runs[i + 1][0] - runs[i][1] for i in range(len(runs) - 1)]
        i = int(np.argmin(gaps))
        if gaps[i] > max(1, 0.06 * h):
            return None
        runs[i:i + 2] = [[runs[i][0], runs[i + 1][1]]]
    if len(runs) == n:
        return [ink[:, a:b] for a, b in runs]
    x0, x1 = runs[0][0], runs[-1][1]
    pitch = (x1 - x0) / n
    if pitch < 3 or any(min(abs(a - x0 - k * pitch) for k in range(n)) > 0.25 * pitch for a, _ in runs):
        return None
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    cell_of = np.clip(((centroids[:, 0] - x0) // pitch).astype(int), 0, n - 1)
    cells: list[np.ndarray | None] = []
    margin = 0.15 * pitch
    for k in range(n):
        a, b = int(round(x0 + k * pitch)), int(round(x0 + (k + 1) * pitch))
        mine = np.flatnonzero(cell_of == k)
        mine = mine[mine > 0]
        left, width = stats[mine, cv2.CC_STAT_LEFT], stats[mine, cv2.CC_STAT_WIDTH]
        if np.any(left < a - margin) or np.any(left + width > b + margin):
            cells.append(None)  # ink that runs on into a neighbour: this character is not on its own
            continue
        cells.append(np.isin(labels[:, a:b], mine).astype(np.uint8))
    return cells


def measure(cell: np.ndarray, digit_height: int) -> Glyph | None:
    ys, xs = np.nonzero(cell)
    if len(ys) == 0:
        return None
    g = cell[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = g.shape
    if w < 4 or h < MIN_HEIGHT:
        return None
    background = np.pad(1 - g, 1, constant_values=1)  # the outside joined around the glyph
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(background, connectivity=4)
    outside = labels[0, 0]
    holes = []
    for k in range(1, count):
        if k == outside or stats[k, cv2.CC_STAT_AREA] < MIN_HOLE * h * w:
            continue
        top = stats[k, cv2.CC_STAT_TOP] - 1
        holes.append(Hole(x=(centroids[k][0] - 1) / w, y=(centroids[k][1] - 1) / h,
                          top=top / h, bottom=(top + stats[k, cv2.CC_STAT_HEIGHT]) / h))
    return Glyph(holes=tuple(holes), height_ratio=h / max(digit_height, 1))


def check_word(image: np.ndarray, word: Word) -> str:
    """The word's text with each stroked zero that OCR misread put back as 0."""
    text = word.text
    if not NUMERIC_WORD.match(text) or not (SUSPECT | SUSPECT_LETTERS).intersection(text):
        return text
    x0, y0, x1, y1 = word.bbox
    crop = image[y0:y1, x0:x1]
    if crop.shape[0] < 8 or crop.shape[1] < 4:
        return text
    cells = cells_of(ink_of(crop), len(text))
    if cells is None:
        return text
    heights = [int(np.ptp(np.nonzero(c)[0])) + 1 for ch, c in zip(text, cells)
               if ch.isdigit() and c is not None and c.any()]
    if not heights:
        return text
    tall = int(np.median(heights))
    out = list(text)
    for i, (ch, cell) in enumerate(zip(text, cells)):
        if cell is not None and (ch in SUSPECT or ch in SUSPECT_LETTERS):
            m = measure(cell, tall)
            if m is not None and not m.holes:
                # sparse dots (a worn ribbon) leave the ring open: join them wider, once; a 3, 5, 6 or 9
                # stays open, its gap being far wider than a gap between dots
                m = measure(_join(cell, join_width(crop.shape[0]) + 2), tall)
            if m is not None and (m.slashed or (ch in SUSPECT and m.ring)):
                out[i] = "0"
    return "".join(out)


def check_page(image: np.ndarray, page: OcrPage) -> OcrPage:
    """`page` with the stroked zeros of its numeric words put back (see the module's doc)."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    words = []
    changed = False
    for w in page.words:
        text = check_word(image, w)
        if text != w.text:
            w = replace(w, text=text, conf=min(w.conf, CORRECTED_CONF))
            changed = True
        words.append(w)
    return replace(page, words=tuple(words)) if changed else page
