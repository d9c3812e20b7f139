"""Turn a `PageCanvas` into a clean page image (before any scan damage).

Ink is drawn per layer into an alpha mask, then laid over the paper by multiplication, the way ink
darkens paper. Typewritten text gets per-letter jitter and uneven ribbon ink; dot-matrix text is
struck as pin dots from per-character bitmaps (`dotmatrix.py`), or, with the legacy look, the text
mask is re-sampled on a fine pin grid.
"""
from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .damage import to_u8
from .canvas import LineOp, PageCanvas, RectOp, ScribbleOp, StampOp, Style, TextOp, stamp_geometry
from .dotmatrix import print_lines


def render_page(page: PageCanvas, style: Style, rng: np.random.Generator, gray: bool = False) -> np.ndarray:
    """The page at 300 dpi as uint8: RGB, or one gray channel when `gray`."""
    img = _paper(page, rng, gray)
    layers: dict[str, Image.Image] = {}
    printed: list[TextOp] = []  # text struck by the dot-matrix printer face
    for op in page.ops:
        layer = layers.setdefault(op.layer, Image.new("L", (page.width, page.height), 0))
        if style.dots is not None and op.layer == "type" and isinstance(op, TextOp):
            printed.append(op)
        else:
            _draw(layer, op, style, rng)
    for name, mask_img in layers.items():
        mask = np.asarray(mask_img, dtype=np.float32) * (1.0 / 255.0)
        if name == "type" and style.dots is not None:
            mask = np.maximum(mask, print_lines(mask.shape, printed, style.dots, page.number))
        elif name == "type" and style.dot_matrix:
            mask = _dot_matrix(mask, style.dot_pitch, rng)
        elif name == "type" and not style.digital:
            mask *= _ribbon_texture(mask.shape, rng)
        elif name == "stamp":
            mask *= _ribbon_texture(mask.shape, rng, low=0.35, scale=24)
        color = np.array(style.inks.get(name, (20, 20, 20)), dtype=np.float32) / 255.0
        if gray:
            img *= 1.0 - mask * (1.0 - _luma(color))
        else:
            img *= 1.0 - mask[..., None] * (1.0 - color[None, None, :])
    return to_u8(img)


def _luma(rgb: np.ndarray) -> float:
    return float(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2])


def _paper(page: PageCanvas, rng: np.random.Generator, gray: bool) -> np.ndarray:
    h, w = page.height, page.width
    p = page.paper

    def col(c: tuple[int, int, int]):
        return int(round(_luma(np.array(c, dtype=np.float32)))) if gray else c

    pil = Image.new("L" if gray else "RGB", (w, h), col(p.color))
    d = ImageDraw.Draw(pil)
    for y0, y1 in p.bands:
        d.rectangle([0, y0, w, y1 - 1], fill=col(p.band_color))
    for x in p.perforations:
        for y in range(0, h, 18):
            d.line([(x, y), (x, y + 9)], fill=col((200, 200, 196)), width=2)
    for cx, cy, r in p.holes:
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=col((236, 236, 236)), outline=col((185, 185, 185)), width=2)
    img = np.asarray(pil, dtype=np.float32) * (1.0 / 255.0)
    if p.texture > 0:
        small = rng.standard_normal((h // 16 + 1, w // 16 + 1), dtype=np.float32)
        tex = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        field = 1.0 + (p.texture * 0.006) * tex
        img = img * (field[..., None] if not gray else field)
    return img


def _draw(layer: Image.Image, op, style: Style, rng: np.random.Generator) -> None:
    d = ImageDraw.Draw(layer)
    if isinstance(op, TextOp):
        if op.typed and not style.digital:
            _typed(d, op, style, rng)
        else:
            d.text((op.x, op.y), op.text, font=op.font.pil, fill=255, anchor="ls")
    elif isinstance(op, LineOp):
        if op.dashed:
            _dashed(d, op)
        else:
            d.line([(op.x0, op.y0), (op.x1, op.y1)], fill=255, width=max(1, int(round(op.width))))
    elif isinstance(op, RectOp):
        if op.fill:
            d.rectangle([op.x0, op.y0, op.x1, op.y1], fill=255)
        else:
            d.rectangle([op.x0, op.y0, op.x1, op.y1], outline=255, width=max(1, int(round(op.width))))
    elif isinstance(op, StampOp):
        _stamp(layer, op)
    elif isinstance(op, ScribbleOp):
        _scribble(d, op)


def _typed(d: ImageDraw.ImageDraw, op: TextOp, style: Style, rng: np.random.Generator) -> None:
    """Typewriter: each letter slightly off the baseline, each strike with its own ink."""
    f = op.font.pil
    x = op.x
    line_dy = rng.normal(0, 0.6)
    for ch in op.text:
        adv = f.getlength(ch)
        if ch != " ":
            strength = style.ribbon * rng.uniform(0.82, 1.0)
            if rng.random() < 0.03:
                strength *= 0.6
            dy = line_dy + float(np.clip(rng.normal(0, 0.9), -2, 2))
            dx = float(np.clip(rng.normal(0, 0.4), -1, 1))
            d.text((x + dx, op.y + dy), ch, font=f, fill=int(255 * strength), anchor="ls",
                   stroke_width=style.stroke, stroke_fill=int(255 * strength))
        x += adv


def _dashed(d: ImageDraw.ImageDraw, op: LineOp, dash: float = 14, gap: float = 10) -> None:
    length = math.hypot(op.x1 - op.x0, op.y1 - op.y0)
    if length == 0:
        return
    ux, uy = (op.x1 - op.x0) / length, (op.y1 - op.y0) / length
    t = 0.0
    while t < length:
        e = min(t + dash, length)
        d.line([(op.x0 + ux * t, op.y0 + uy * t), (op.x0 + ux * e, op.y0 + uy * e)], fill=255,
               width=max(1, int(round(op.width))))
        t = e + gap


def _stamp(layer: Image.Image, op: StampOp) -> None:
    w, h, baselines = stamp_geometry(op)
    tile = Image.new("L", (int(math.ceil(w)), int(math.ceil(h))), 0)
    d = ImageDraw.Draw(tile)
    if op.border:
        d.rounded_rectangle([3, 3, w - 4, h - 4], radius=10, outline=255, width=5)
    for (txt, f), base in zip(op.lines, baselines):
        d.text(((w - f.width(txt)) / 2, base), txt, font=f.pil, fill=255, anchor="ls")
    rot = tile.rotate(op.angle, resample=Image.BICUBIC, expand=True)
    x0 = int(round(op.cx - rot.width / 2))
    y0 = int(round(op.cy - rot.height / 2))
    base = np.asarray(layer).copy()
    r = np.asarray(rot)
    ys, xs = max(0, y0), max(0, x0)
    ye, xe = min(base.shape[0], y0 + r.shape[0]), min(base.shape[1], x0 + r.shape[1])
    if ye > ys and xe > xs:
        sub = r[ys - y0:ye - y0, xs - x0:xe - x0]
        base[ys:ye, xs:xe] = np.maximum(base[ys:ye, xs:xe], sub)
        layer.paste(Image.fromarray(base))


def _scribble(d: ImageDraw.ImageDraw, op: ScribbleOp) -> None:
    """A loopy pen line that reads as a signature or initials."""
    r = np.random.default_rng(op.seed)
    n = 240
    t = np.linspace(0, 1, n)
    loops = r.integers(3, 7)
    x = op.x0 + (op.x1 - op.x0) * (t + 0.05 * np.sin(2 * np.pi * loops * t + r.uniform(0, 6)))
    amp = (op.y1 - op.y0) / 2
    y = (op.y0 + op.y1) / 2 + amp * np.sin(2 * np.pi * loops * t * r.uniform(0.9, 1.3)) * \
        (0.4 + 0.6 * r.random(1)) * np.cos(np.pi * t * r.uniform(0.5, 2))
    pts = list(zip(x.tolist(), y.tolist()))
    d.line(pts, fill=230, width=4, joint="curve")


def _ribbon_texture(shape: tuple[int, int], rng: np.random.Generator, low: float = 0.86,
                    scale: int = 6) -> np.ndarray:
    h, w = shape
    small = rng.uniform(low, 1.0, (h // scale + 1, w // scale + 1)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _dot_matrix(mask: np.ndarray, pitch: float, rng: np.random.Generator) -> np.ndarray:
    """Re-draw a text mask as round pin dots on a regular grid (a 9-pin printer's look)."""
    h, w = mask.shape
    gy = np.arange(pitch / 2, h, pitch)
    gx = np.arange(pitch / 2, w, pitch * 0.85)
    sy, sx = np.meshgrid(gy.astype(int), gx.astype(int), indexing="ij")
    hit = mask[sy, sx] > 0.35
    dots = np.zeros((h, w), dtype=np.float32)
    strength = rng.uniform(0.75, 1.0, hit.shape).astype(np.float32)
    dots[sy[hit], sx[hit]] = strength[hit]
    r = max(1, int(round(pitch * 0.45)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    dots = cv2.dilate(dots, kernel)
    dots = cv2.GaussianBlur(dots, (3, 3), 0.7)
    return np.clip(dots, 0, 1)
