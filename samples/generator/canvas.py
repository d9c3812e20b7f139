"""A page as a list of drawing operations in 300-dpi pixels, plus the labelled spans they carry.

Layouts draw onto a `PageCanvas`; the same operations are then realised either as a raster image
(`raster.py`, for scans) or as a PDF with a real text layer (`pdfout.py`, for born-digital
documents), so the span boxes are the same in both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import ImageFont

if TYPE_CHECKING:
    from .dotmatrix import DotFace

DPI = 300
LETTER = (2550, 3300)

_FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts"))
FONT_FILES = {
    "freemono": "freefont/FreeMono.ttf",
    "freemono-bold": "freefont/FreeMonoBold.ttf",
    "libmono": "liberation/LiberationMono-Regular.ttf",
    "libmono-bold": "liberation/LiberationMono-Bold.ttf",
    "dejamono": "dejavu/DejaVuSansMono.ttf",
    "dejamono-bold": "dejavu/DejaVuSansMono-Bold.ttf",
    "serif": "liberation/LiberationSerif-Regular.ttf",
    "serif-bold": "liberation/LiberationSerif-Bold.ttf",
    "serif-italic": "liberation/LiberationSerif-Italic.ttf",
    "freeserif": "freefont/FreeSerif.ttf",
    "freeserif-bold": "freefont/FreeSerifBold.ttf",
    "sans": "liberation/LiberationSans-Regular.ttf",
    "sans-bold": "liberation/LiberationSans-Bold.ttf",
    "narrow": "liberation/LiberationSansNarrow-Regular.ttf",
    "narrow-bold": "liberation/LiberationSansNarrow-Bold.ttf",
    "dejasans": "dejavu/DejaVuSans.ttf",
    "dejasans-bold": "dejavu/DejaVuSans-Bold.ttf",
    "dejaserif": "dejavu/DejaVuSerif.ttf",
    "dejaserif-bold": "dejavu/DejaVuSerif-Bold.ttf",
}


class FontMissing(RuntimeError):
    """A font file the generator needs is not installed (Debian: fonts-dejavu-core, fonts-liberation,
    fonts-freefont-ttf)."""


@lru_cache(maxsize=None)
def font_path(name: str) -> str:
    rel = FONT_FILES[name]
    for base in _FONT_DIRS:
        p = base / rel
        if p.exists():
            return str(p)
    raise FontMissing(f"font {name!r} ({rel}) not found under {[str(d) for d in _FONT_DIRS]}")


@lru_cache(maxsize=256)
def pil_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(name), size)


@dataclass(frozen=True, slots=True)
class Font:
    name: str  # key of FONT_FILES
    size: int  # em size in 300-dpi pixels

    @property
    def pil(self) -> ImageFont.FreeTypeFont:
        return pil_font(self.name, self.size)

    def width(self, text: str) -> float:
        return self.pil.getlength(text)

    def char_width(self) -> float:
        return self.pil.getlength("M")


Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Span:
    label: str
    text: str
    bbox: Box
    page: int  # 1-based

    def as_json(self) -> dict:
        return {"label": self.label, "text": self.text,
                "bbox": [int(round(v)) for v in self.bbox], "page": self.page}


@dataclass(frozen=True, slots=True)
class TextOp:
    x: float
    y: float  # baseline
    text: str
    font: Font
    layer: str
    typed: bool  # typewriter: per-character jitter and ink variation in raster


@dataclass(frozen=True, slots=True)
class LineOp:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    layer: str
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class RectOp:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    layer: str
    fill: bool = False


@dataclass(frozen=True, slots=True)
class StampOp:
    """A rubber stamp: lines of text in a (possibly bordered) box, rotated; raster only."""

    cx: float
    cy: float
    lines: tuple[tuple[str, Font], ...]
    angle: float
    layer: str
    border: bool = True


@dataclass(frozen=True, slots=True)
class ScribbleOp:
    """A pen signature or initials: a seeded squiggle in a box; raster only."""

    x0: float
    y0: float
    x1: float
    y1: float
    seed: int
    layer: str = "pen"


Op = TextOp | LineOp | RectOp | StampOp | ScribbleOp


@dataclass
class Paper:
    """The sheet under the ink: colour, bands (green-bar), tractor holes, perforations."""

    color: tuple[int, int, int] = (250, 249, 244)
    bands: tuple[tuple[float, float], ...] = ()
    band_color: tuple[int, int, int] = (214, 236, 214)
    holes: tuple[tuple[float, float, float], ...] = ()  # cx, cy, r
    perforations: tuple[float, ...] = ()  # x positions of vertical perforation lines
    texture: float = 1.0


@dataclass
class Style:
    """Inks and effects shared by the pages of one document."""

    inks: dict[str, tuple[int, int, int]] = field(default_factory=lambda: {
        "form": (30, 30, 30), "type": (25, 25, 25), "stamp": (150, 30, 40), "pen": (20, 30, 90)})
    dot_matrix: bool = False  # the layout prints its "type" text on an impact dot-matrix printer
    dot_pitch: float = 3.4  # pin pitch of the earlier, "legacy" dot-matrix look
    dots: DotFace | None = None  # the printer face (dotmatrix.py); None with the legacy look
    ribbon: float = 0.95  # typewriter ink strength (1 = full)
    stroke: int = 0  # extra stroke width for typed text (a worn, inky typeface)
    digital: bool = False


@dataclass
class PageCanvas:
    width: int
    height: int
    number: int  # 1-based page number
    ops: list[Op] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    paper: Paper = field(default_factory=Paper)

    # ----------------------------------------------------------------- text
    def text(self, x: float, y: float, parts: str | list[tuple[str, str | None]], font: Font,
             *, layer: str = "type", label: str | None = None, typed: bool = False) -> float:
        """Draw text with its baseline at y; `parts` may carry labels per segment. Returns the end x."""
        if isinstance(parts, str):
            parts = [(parts, label)]
        full = "".join(p for p, _ in parts)
        if full:
            self.ops.append(TextOp(x, y, full, font, layer, typed))
        cx = x
        for seg, lab in parts:
            if lab and seg.strip():
                lead = len(seg) - len(seg.lstrip())
                core = seg.strip()
                x0 = cx + font.width(seg[:lead])
                self.spans.append(Span(lab, core, text_box(x0, y, core, font, pad=2 if typed else 1),
                                       self.number))
            cx += font.width(seg)
        return cx

    def text_right(self, x_right: float, y: float, text: str, font: Font, **kw) -> float:
        return self.text(x_right - font.width(text), y, text, font, **kw)

    def text_center(self, x_mid: float, y: float, text: str, font: Font, **kw) -> float:
        return self.text(x_mid - font.width(text) / 2, y, text, font, **kw)

    def label(self, lab: str, text: str, box: Box) -> None:
        """Record a span whose box the caller computed (stamps, rotated text)."""
        self.spans.append(Span(lab, text, box, self.number))

    # ----------------------------------------------------------------- rules and boxes
    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 3, layer: str = "form",
             dashed: bool = False) -> None:
        self.ops.append(LineOp(x0, y0, x1, y1, width, layer, dashed))

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float = 3, layer: str = "form",
             fill: bool = False) -> None:
        self.ops.append(RectOp(x0, y0, x1, y1, width, layer, fill))

    def stamp(self, cx: float, cy: float, lines: list[tuple[str, Font]], angle: float,
              labels: list[str | None] | None = None, layer: str = "stamp", border: bool = True) -> None:
        """A rotated stamp; each labelled line gets a span boxed around its rotated text."""
        op = StampOp(cx, cy, tuple(lines), angle, layer, border)
        self.ops.append(op)
        for (txt, _), lab, box in zip(lines, labels or [None] * len(lines), stamp_line_boxes(op)):
            if lab:
                self.label(lab, txt, box)

    def scribble(self, x0: float, y0: float, x1: float, y1: float, seed: int) -> None:
        self.ops.append(ScribbleOp(x0, y0, x1, y1, seed))

    def words(self) -> list[tuple[str, Box]]:
        """Every drawn word with its box (for an invisible OCR text layer)."""
        out: list[tuple[str, Box]] = []
        for op in self.ops:
            if not isinstance(op, TextOp):
                continue
            pos = 0
            for w in op.text.split(" "):
                if w:
                    x0 = op.x + op.font.width(op.text[:pos])
                    out.append((w, text_box(x0, op.y, w, op.font, pad=0)))
                pos += len(w) + 1
        return out


def text_box(x: float, y: float, text: str, font: Font, pad: float = 1) -> Box:
    l, t, r, b = font.pil.getbbox(text, anchor="ls")
    return (x + l - pad, y + t - pad, x + r + pad, y + b + pad)


def stamp_geometry(op: StampOp) -> tuple[float, float, list[float]]:
    """Unrotated stamp size (w, h) and each line's baseline offset from the stamp's top."""
    pad = 18
    widths = [f.width(t) for t, f in op.lines]
    heights = [f.size * 1.15 for _, f in op.lines]
    w = max(widths) + 2 * pad
    h = sum(heights) + 2 * pad
    baselines, y = [], pad
    for (t, f), hh in zip(op.lines, heights):
        y += hh
        baselines.append(y - f.size * 0.22)
    return w, h, baselines


def stamp_line_boxes(op: StampOp) -> list[Box]:
    """Axis-aligned page boxes around each stamp line after rotation."""
    import math

    w, h, baselines = stamp_geometry(op)
    a = math.radians(op.angle)
    ca, sa = math.cos(a), math.sin(a)
    boxes = []
    for (txt, f), base in zip(op.lines, baselines):
        lw = f.width(txt)
        l, t, r, b = f.pil.getbbox(txt, anchor="ls")
        x0 = (w - lw) / 2 + l
        corners = [(x0, base + t), (x0 + (r - l), base + t), (x0, base + b), (x0 + (r - l), base + b)]
        pts = []
        for px, py in corners:
            dx, dy = px - w / 2, py - h / 2
            # PIL rotates counter-clockwise for positive angles (y axis down)
            pts.append((op.cx + dx * ca + dy * sa, op.cy - dx * sa + dy * ca))
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        boxes.append((min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2))
    return boxes
