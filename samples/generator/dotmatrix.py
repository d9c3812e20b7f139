"""An impact dot-matrix printer's face: each character printed from a fixed bitmap of round pin dots.

A 9-pin printer of the 1980s prints a character as a few columns of dots struck through an inked
ribbon: every `A` on the page is the same bitmap, the dots are round and often stand apart, a worn
ribbon or pin prints them faint, double-strike prints every line twice a fraction of a dot apart,
and zeros are usually slashed. We make the bitmaps by sampling the monospace TrueType glyph on the
printer's grid (a pin fires where the glyph covers enough of its cell), once per face and character,
then strike the dots of each text line with a little jitter and uneven ink.

The text itself is not changed (a slashed zero is still `0` in the truth and spans); only its ink is.
`draw_face` draws a face's settings from the document's own random stream; `print_lines` is pure
given the face (its per-dot noise comes from `face.seed` and the page number).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .canvas import Font, TextOp

ROWS_ABOVE = 1  # dot rows above the capital height ('$', '/', brackets reach there)
ROWS_BELOW = 2  # descender rows (the tails of ',' and ';', the foot of '$', lower-case descenders)
_SUPER = 3  # the line strip is struck at 3x and area-averaged down, so dots keep sub-pixel places
_HI = 4  # glyphs are rendered at 4x before they are sampled on the grid


@dataclass(frozen=True, slots=True)
class DotFace:
    """One printer and ribbon: the grid, the dot, the ink, the strike, the zero."""

    rows: int  # dot rows a capital letter spans (7-9)
    cols: int  # dot columns per character cell; horizontal pitch = advance / cols
    dot: float  # dot diameter as a share of the vertical pitch
    threshold: float  # share of its grid cell the glyph must cover for the pin to fire
    darkness: float  # ink of a fresh dot, 0..1
    spread: float  # how far the ink bleeds into the paper (Gaussian sigma, 300-dpi pixels)
    wear: float  # 0..1: how unevenly the ribbon inks along a line and down the page
    fade_edge: float  # -1..1: the ribbon sits low or high, so the top (<0) or bottom (>0) pins print fainter
    double: tuple[float, float] | None  # second strike offset (dx, dy) in dot pitches; None = single strike
    zero: str  # "slashed", "plain" or "dotted" (the TrueType zero's own inner mark)
    weak_pin: int | None  # a worn pin (row index from the top of the grid) that prints faint, or None
    seed: int

    def pitches(self, font: Font) -> tuple[float, float, float]:
        """(horizontal pitch, vertical pitch, capital height) in 300-dpi pixels for this font."""
        return pitches(font, self.rows, self.cols)


def pitches(font: Font, rows: int, cols: int) -> tuple[float, float, float]:
    """(horizontal pitch, vertical pitch, capital height): a capital fills `rows` dot rows."""
    cap = -font.pil.getbbox("H", anchor="ls")[1]
    return font.char_width() / cols, cap / rows, cap


def draw_face(rng: random.Random) -> DotFace:
    """A printer drawn at random: most print draft 9-pin dots that stand apart; some are denser or inkier."""
    rows = rng.choice((7, 7, 8, 9))
    return DotFace(
        rows=rows,
        cols=rng.choice((6, 7, 7, 8)),
        dot=rng.uniform(0.62, 0.95),
        threshold=rng.uniform(0.38, 0.52),
        darkness=rng.uniform(0.8, 1.0),
        spread=rng.uniform(0.4, 1.0),
        wear=rng.choice((0.0, rng.uniform(0.1, 0.35))),
        fade_edge=rng.choice((0.0, 0.0, rng.uniform(-0.5, 0.5))),
        double=(rng.uniform(0.3, 0.55), rng.uniform(-0.25, 0.25)) if rng.random() < 0.3 else None,
        zero=rng.choices(("slashed", "plain", "dotted"), weights=(6, 2, 2))[0],
        weak_pin=rng.randrange(rows + ROWS_ABOVE + ROWS_BELOW) if rng.random() < 0.12 else None,
        seed=rng.getrandbits(32),
    )


# ----------------------------------------------------------------------------- character bitmaps


@lru_cache(maxsize=4096)
def bitmap(font: Font, ch: str, rows: int, cols: int, threshold: float, zero: str) -> np.ndarray:
    """The printer's bitmap of `ch`: bool [ROWS_ABOVE + rows + ROWS_BELOW, cols], top row first.

    The regular-weight glyph is rendered large and fitted to the grid the way a font designer would:
    shifted by under half a dot so that its strokes fall on dot columns and rows rather than between
    them (the crispest shift: across per character, up or down once for the whole face, so that all
    characters keep one baseline), so most strokes print one dot wide. A pin fires where the glyph
    covers at least `threshold` of its grid cell.
    """
    n = ROWS_ABOVE + rows + ROWS_BELOW
    w, h, mx, my = _cell(font, rows, cols)
    a = _glyph(font, rows, cols, ch)
    if ch == "0" and zero != "dotted":
        a = _zero(a, slashed=zero == "slashed")
    a = a.astype(np.float32) / 255.0
    dx = max(_shifts(mx), key=lambda o: _crisp(a.sum(axis=0), o, w, cols))
    dy = _face_dy(font, rows, cols)
    cover = cv2.resize(a[dy:dy + h, dx:dx + w], (cols, n), interpolation=cv2.INTER_AREA)
    return cover >= threshold


def _cell(font: Font, rows: int, cols: int) -> tuple[int, int, int, int]:
    """Hi-res cell width and height, and the margins (x, y) left for the fitting shift."""
    hp, vp, _ = pitches(font, rows, cols)
    n = ROWS_ABOVE + rows + ROWS_BELOW
    return int(round(cols * hp * _HI)), int(round(n * vp * _HI)), int(hp * _HI / 2), int(vp * _HI / 2)


def _glyph(font: Font, rows: int, cols: int, ch: str) -> np.ndarray:
    """`ch` in the regular weight at _HI x, in its cell with the fitting margins (uint8)."""
    _, vp, cap = pitches(font, rows, cols)
    w, h, mx, my = _cell(font, rows, cols)
    hi = Font(font.name.removesuffix("-bold"), font.size * _HI)
    base = my + (ROWS_ABOVE * vp + cap) * _HI
    img = Image.new("L", (w + 2 * mx, h + 2 * my), 0)
    ImageDraw.Draw(img).text((mx, base), ch, font=hi.pil, fill=255, anchor="ls")
    return np.asarray(img)


def _shifts(margin: int) -> list[int]:
    return sorted({int(round(margin * (1 + t))) for t in np.linspace(-1, 1, 7)})


def _crisp(profile: np.ndarray, off: int, size: int, cells: int) -> float:
    """How much an ink profile's coverage concentrates in whole cells (higher: strokes on the grid)."""
    part = profile[off:off + size].astype(np.float32)
    return float((cv2.resize(part[None, :], (cells, 1), interpolation=cv2.INTER_AREA) ** 2).sum())


@lru_cache(maxsize=256)
def _face_dy(font: Font, rows: int, cols: int) -> int:
    """The face's one vertical fitting shift: the crispest for the bars of a few capitals."""
    w, h, mx, my = _cell(font, rows, cols)
    ink = sum(_glyph(font, rows, cols, c).astype(np.float32).sum(axis=1) for c in "EHFTZ")
    return max(_shifts(my), key=lambda o: _crisp(ink, o, h, ROWS_ABOVE + rows + ROWS_BELOW))


def _zero(a: np.ndarray, slashed: bool) -> np.ndarray:
    """The font's zero without its inner mark (the ring alone), plus a slash across the hole when `slashed`."""
    n, lab, stats, _ = cv2.connectedComponentsWithStats((a > 127).astype(np.uint8), connectivity=8)
    if n <= 1:
        return a
    ring = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    out = np.where(lab == ring, 255, 0).astype(np.uint8)
    if slashed:
        x, y, w, h = (int(stats[ring, k]) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH,
                                                      cv2.CC_STAT_HEIGHT))
        stroke = max(1, int((out[y + h // 2] > 0).sum()) // 2)  # the ring's thickness at mid height
        cv2.line(out, (x + w // 5, y + h - h // 8), (x + w - w // 5, y + h // 8), 255, stroke)
    return out


# ----------------------------------------------------------------------------- striking the dots


def _dot_kernel(diameter: float) -> np.ndarray:
    """One dot at _SUPER x scale: a round blob with a soft edge."""
    r = diameter * _SUPER / 2
    k = int(np.ceil(r + 2))
    yy, xx = np.mgrid[-k:k + 1, -k:k + 1].astype(np.float32)
    d = np.sqrt(xx * xx + yy * yy)
    return np.clip(r + 0.5 - d, 0, 1)


def _bleed(strip: np.ndarray, kernel: np.ndarray, spread: float) -> np.ndarray:
    """Dots (impulses at _SUPER x) -> ink at 1x: each dot stamped, area-averaged down, the ink bled
    into the paper; the bleed softens the edges but keeps a lone dot's centre as dark as it was struck."""
    def down(a: np.ndarray) -> np.ndarray:
        a = cv2.filter2D(a, -1, kernel, borderType=cv2.BORDER_CONSTANT)
        a = cv2.resize(np.minimum(a, 1.0), (a.shape[1] // _SUPER, a.shape[0] // _SUPER), interpolation=cv2.INTER_AREA)
        return cv2.GaussianBlur(a, (0, 0), spread)

    k = kernel.shape[0] + 6 * _SUPER * int(np.ceil(spread) + 1)
    k -= k % _SUPER
    probe = np.zeros((k, k), dtype=np.float32)
    probe[k // 2, k // 2] = 1.0
    gain = 1.0 / max(float(down(probe).max()), 1e-3)
    return np.minimum(down(strip) * gain, 1.0)


def print_lines(shape: tuple[int, int], ops: list[TextOp], face: DotFace, page_number: int) -> np.ndarray:
    """Ink mask (float32 0..1, page size) of the text lines struck by the printer `face`."""
    h, w = shape
    mask = np.zeros(shape, dtype=np.float32)
    rng = np.random.default_rng([face.seed, page_number])
    n = ROWS_ABOVE + face.rows + ROWS_BELOW
    # the ribbon: a row profile (which pins it inks well) and a slow wave along the line
    prof = np.ones(n, dtype=np.float32)
    if face.fade_edge:
        t = np.linspace(-1, 1, n, dtype=np.float32)
        prof *= np.clip(1 - abs(face.fade_edge) * np.clip(-t if face.fade_edge < 0 else t, 0, 1), 0.2, 1)
    if face.weak_pin is not None:
        prof[face.weak_pin] *= 0.25
    for op in ops:
        text = op.text
        if not text.strip():
            continue
        hp, vp, cap = face.pitches(op.font)
        adv = op.font.char_width()
        kernel = _dot_kernel(face.dot * vp)
        kr = kernel.shape[0] // 2
        top = op.y - cap - (ROWS_ABOVE - 0.5) * vp  # centre of the grid's top row
        y0 = int(np.floor(top - vp - kr / _SUPER - 2))
        y1 = int(np.ceil(top + (n + 1) * vp + kr / _SUPER + 2))
        x0 = int(np.floor(op.x - kr / _SUPER - hp - 2))
        x1 = int(np.ceil(op.x + adv * len(text) + hp + kr / _SUPER + 2))
        sh, sw = (y1 - y0) * _SUPER, (x1 - x0) * _SUPER
        strip = np.zeros((sh, sw), dtype=np.float32)
        line_dy = rng.normal(0, 0.35)
        wave_phase, wave_len = rng.uniform(0, 2 * np.pi), rng.uniform(300, 900)
        strikes = [(0.0, 0.0)] + ([(face.double[0] * hp, face.double[1] * vp)] if face.double else [])
        for i, ch in enumerate(text):
            if ch == " ":
                continue
            bm = bitmap(op.font, ch, face.rows, face.cols, round(face.threshold, 3), face.zero)
            rr, cc = np.nonzero(bm)
            if not len(rr):
                continue
            cx = op.x + i * adv + rng.normal(0, 0.25)
            xs = cx + (cc + 0.5) * hp
            ys = top + rr * vp + line_dy
            ink = face.darkness * prof[rr] * rng.uniform(0.8, 1.0, len(rr))
            if face.wear:
                ink *= 1 - face.wear * 0.5 * (1 + np.sin(2 * np.pi * xs / wave_len + wave_phase))
            for dx, dy in strikes:
                px = np.round((xs + dx + rng.normal(0, 0.2, len(xs)) - x0) * _SUPER).astype(int)
                py = np.round((ys + dy + rng.normal(0, 0.2, len(ys)) - y0) * _SUPER).astype(int)
                ok = (px >= 0) & (px < sw) & (py >= 0) & (py < sh)
                np.add.at(strip, (py[ok], px[ok]), ink[ok])
        strip = _bleed(strip, kernel, face.spread)
        ya, yb, xa, xb = max(0, y0), min(h, y1), max(0, x0), min(w, x1)
        if yb > ya and xb > xa:
            sub = strip[ya - y0:yb - y0, xa - x0:xb - x0]
            np.maximum(mask[ya:yb, xa:xb], sub, out=mask[ya:yb, xa:xb])
    return mask
