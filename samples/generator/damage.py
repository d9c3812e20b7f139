"""Scan damage: what paper, copiers, fax machines and scanners do to a page.

`plan_damage` picks a damage list for a document from its RNG; `apply_damage` applies it to one
page image and returns the image with the `Geometry` (a 3x3 matrix from layout pixels to final
pixels) so that span boxes can follow every skew, rotation and rescale.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

PHYSICAL = ("show_through", "crease", "punch_holes", "gutter", "faded", "photocopy", "illumination")
GEOMETRIC = ("skew", "rotate90", "rotate180")
RESOLUTION = ("lowres", "fax")
SENSOR = ("blur", "noise", "salt_pepper", "speckle", "jpeg")
ALL = PHYSICAL + GEOMETRIC + RESOLUTION + SENSOR

_WEIGHTS = {
    "skew": 10, "punch_holes": 6, "faded": 6, "speckle": 5, "blur": 5, "crease": 4, "photocopy": 4,
    "illumination": 4, "noise": 4, "salt_pepper": 3, "show_through": 3, "gutter": 3, "jpeg": 3,
    "lowres": 3, "fax": 2, "rotate180": 1.5, "rotate90": 1.5,
}
_EXCLUSIVE = [{"rotate90", "rotate180"}, {"fax", "lowres"}, {"fax", "faded"}, {"fax", "jpeg"},
              {"fax", "noise"}, {"photocopy", "faded"}]


def plan_damage(rng: random.Random, *, clean_only: bool = False, clean_share: float = 1 / 3) -> list[str]:
    """A damage list, e.g. ['punch_holes', 'skew']; empty for a clean scan."""
    if clean_only or rng.random() < clean_share:
        return []
    k = rng.choices((1, 2, 3, 4), weights=(40, 35, 18, 7))[0]
    names = list(_WEIGHTS)
    chosen: list[str] = []
    for _ in range(20):
        if len(chosen) >= k:
            break
        d = rng.choices(names, weights=[_WEIGHTS[n] for n in names])[0]
        if d in chosen or any(d in ex and (ex - {d}) & set(chosen) for ex in _EXCLUSIVE):
            continue
        chosen.append(d)
    return [d for d in ALL if d in chosen]


@dataclass
class Geometry:
    """Maps layout (300-dpi) pixel boxes to final page-image pixels."""

    matrix: np.ndarray  # 3x3
    width: int
    height: int
    dpi_x: float = 300.0
    dpi_y: float = 300.0

    def then(self, m: np.ndarray, width: int, height: int) -> "Geometry":
        return Geometry(m @ self.matrix, width, height, self.dpi_x, self.dpi_y)

    def box(self, b: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
        """The axis-aligned box around the mapped corners, clipped to the page; None if off the page."""
        x0, y0, x1, y1 = b
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64).T
        q = self.matrix @ pts
        xs, ys = q[0] / q[2], q[1] / q[2]
        bx0, by0 = max(0.0, xs.min()), max(0.0, ys.min())
        bx1, by1 = min(float(self.width), xs.max()), min(float(self.height), ys.max())
        if bx1 <= bx0 or by1 <= by0:
            return None
        return (float(bx0), float(by0), float(bx1), float(by1))


def identity(width: int, height: int) -> Geometry:
    return Geometry(np.eye(3), width, height)


def apply_damage(img: np.ndarray, damage: list[str], rng: np.random.Generator,
                 back: np.ndarray | None = None) -> tuple[np.ndarray, Geometry, float]:
    """Damage a uint8 page (RGB or gray). `back` is an image to show through. Returns (image, geometry, dpi)."""
    h, w = img.shape[:2]
    geo = identity(w, h)
    f = img.astype(np.float32) / 255.0
    dset = set(damage)
    for d in PHYSICAL:
        if d in dset:
            f = _PHYS[d](f, rng, back)
    corner = np.atleast_1d(f[2, 2])
    fill = (0.18,) * len(corner) if "photocopy" in dset else tuple(float(v) for v in corner)
    if "skew" in dset:
        angle = float(rng.uniform(0.6, 3.0) * rng.choice((-1, 1)))
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        f = cv2.warpAffine(f, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
        geo = geo.then(np.vstack([m, [0, 0, 1]]), w, h)
    if "rotate180" in dset:
        f = np.ascontiguousarray(f[::-1, ::-1])
        geo = geo.then(np.array([[-1, 0, w], [0, -1, h], [0, 0, 1]], dtype=np.float64), w, h)
    if "rotate90" in dset:  # the page was fed sideways: rotated 90 degrees clockwise
        f = np.ascontiguousarray(np.rot90(f, k=-1))
        geo = geo.then(np.array([[0, -1, h], [1, 0, 0], [0, 0, 1]], dtype=np.float64), h, w)
        w, h = h, w
    dpi = 300.0
    if "lowres" in dset or "fax" in dset:
        if "fax" in dset:
            sx, sy = 204 / 300, rng.choice((98, 196)) / 300
        else:
            sx = sy = float(rng.choice((150, 200))) / 300
        nw, nh = int(round(w * sx)), int(round(h * sy))
        f = cv2.resize(f, (nw, nh), interpolation=cv2.INTER_AREA)
        geo = geo.then(np.diag([nw / w, nh / h, 1.0]), nw, nh)
        if "fax" in dset and sy < 0.5:  # standard-mode fax: each scan line doubled to a square-ish image
            f = cv2.resize(f, (nw, nh * 2), interpolation=cv2.INTER_NEAREST)
            geo = geo.then(np.diag([1.0, 2.0, 1.0]), nw, nh * 2)
            nh *= 2
        w, h = nw, nh
        dpi = 200.0 if "fax" in dset else sx * 300
    geo.dpi_x = geo.dpi_y = dpi
    for d in SENSOR:
        if d in dset:
            f = _SENS[d](f, rng)
    if "fax" in dset:
        f = _fax_threshold(f, rng)
    return to_u8(f), geo, dpi


def to_u8(f: np.ndarray) -> np.ndarray:
    """[0, 1] floats to uint8, saturating."""
    return cv2.convertScaleAbs(f, alpha=255.0)


def _mul(f: np.ndarray, field: np.ndarray) -> np.ndarray:
    """Multiply an RGB or gray image by a 2-D field."""
    return f * (field[..., None] if f.ndim == 3 else field)


# ----------------------------------------------------------------------------- physical damage


def _gray(f: np.ndarray) -> np.ndarray:
    return f.mean(axis=2) if f.ndim == 3 else f


def _like(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """A gray result in the channel layout of f."""
    return np.repeat(g[..., None], 3, axis=2) if f.ndim == 3 else g


def _show_through(f, rng, back):
    src = back if back is not None else (f * 255).astype(np.uint8)
    ink = 1.0 - _gray(src.astype(np.float32) / 255.0)
    ink = cv2.GaussianBlur(ink[:, ::-1], (0, 0), 2.5)
    if ink.shape != f.shape[:2]:
        ink = cv2.resize(ink, (f.shape[1], f.shape[0]))
    return _mul(f, 1.0 - float(rng.uniform(0.08, 0.18)) * ink)


def _crease(f, rng, back):
    h, w = f.shape[:2]
    out = f.copy()
    for _ in range(int(rng.integers(1, 3))):
        horizontal = rng.random() < 0.7
        pos = (h if horizontal else w) * rng.choice((1 / 3, 1 / 2, 2 / 3)) + rng.normal(0, 25)
        tilt = rng.normal(0, 0.01)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        dist = (yy - pos - tilt * xx) if horizontal else (xx - pos - tilt * yy)
        shade = -0.22 * np.exp(-(dist / 5.0) ** 2) + 0.05 * np.exp(-((dist - 10) / 12.0) ** 2) \
            - 0.05 * np.exp(-((dist + 12) / 18.0) ** 2)
        out = _mul(out, 1.0 + shade)
    return np.clip(out, 0, 1)


def _punch_holes(f, rng, back):
    h, w = f.shape[:2]
    out = f.copy()
    dark = rng.random() < 0.6
    color = (0.12,) * 3 if dark else (0.97,) * 3
    r = int(rng.integers(34, 44))
    if rng.random() < 0.75:  # left edge, two or three holes
        x = int(rng.integers(70, 110))
        ys = (h * 0.2, h * 0.5, h * 0.8) if rng.random() < 0.5 else (h * 0.25, h * 0.75)
        centers = [(x, int(y + rng.normal(0, 8))) for y in ys]
    else:  # top edge, two holes
        y = int(rng.integers(70, 105))
        centers = [(int(w / 2 - 1275 * w / 2550 * 0.55), y), (int(w / 2 + 1275 * w / 2550 * 0.55), y)]
    for cx, cy in centers:
        cv2.circle(out, (cx, cy), r, color, -1, lineType=cv2.LINE_AA)
        cv2.circle(out, (cx, cy), r, (0.4, 0.4, 0.4), 2, lineType=cv2.LINE_AA)
    return out


def _gutter(f, rng, back):
    h, w = f.shape[:2]
    width = int(rng.integers(120, 320))
    ramp = np.ones(w, dtype=np.float32)
    t = np.linspace(0, 1, width, dtype=np.float32)
    prof = 0.45 + 0.55 * t ** 0.6
    if rng.random() < 0.5:
        ramp[:width] = prof
    else:
        ramp[-width:] = prof[::-1]
    return _mul(f, np.broadcast_to(ramp[None, :], f.shape[:2]))


def _faded(f, rng, back):
    k = float(rng.uniform(0.35, 0.6))
    lift = float(rng.uniform(0.0, 0.04))
    return np.clip(1.0 - (1.0 - f) * k, 0, 1) * (1 - lift) + lift


def _photocopy(f, rng, back):
    h, w = f.shape[:2]
    g = _gray(f)
    g = np.clip((g - 0.25) / 0.6, 0, 1) ** 1.3
    g = g * (0.93 + 0.05 * cv2.resize(rng.random((h // 64 + 1, w // 64 + 1)).astype(np.float32), (w, h)))
    out = _like(f, g)
    for side in ("top", "bottom", "left", "right"):
        if rng.random() < 0.7:
            t = int(rng.integers(8, 70))
            if side == "top":
                out[:t] *= 0.15
            elif side == "bottom":
                out[-t:] *= 0.15
            elif side == "left":
                out[:, :t] *= 0.15
            else:
                out[:, -t:] *= 0.15
    specks = rng.random((h, w)) < 0.0004
    out[specks] *= 0.2
    return out


def _illumination(f, rng, back):
    h, w = f.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    d = np.sqrt(((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
    field = 1.0 - float(rng.uniform(0.18, 0.35)) * np.clip(d, 0, 1.2) / 1.2
    return _mul(f, field)


_PHYS = {"show_through": _show_through, "crease": _crease, "punch_holes": _punch_holes, "gutter": _gutter,
         "faded": _faded, "photocopy": _photocopy, "illumination": _illumination}


# ----------------------------------------------------------------------------- sensor damage


def _blur(f, rng):
    return cv2.GaussianBlur(f, (0, 0), float(rng.uniform(0.9, 1.8)))


def _noise(f, rng):
    n = rng.standard_normal(f.shape[:2], dtype=np.float32) * float(rng.uniform(0.025, 0.06))
    return np.clip(f + (n[..., None] if f.ndim == 3 else n), 0, 1)


def _salt_pepper(f, rng):
    h, w = f.shape[:2]
    out = f.copy()
    p = float(rng.uniform(0.002, 0.008))
    r = rng.random((h, w))
    out[r < p / 2] = 0.0
    out[r > 1 - p / 2] = 1.0
    return out


def _speckle(f, rng):
    h, w = f.shape[:2]
    mask = np.zeros((h, w), dtype=np.uint8)
    n = int(rng.integers(150, 600) * (h * w) / (2550 * 3300))
    for _ in range(n):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        ax = int(rng.integers(1, 5))
        cv2.ellipse(mask, (cx, cy), (ax, int(rng.integers(1, 4))), float(rng.uniform(0, 180)), 0, 360, 255, -1)
    dark = float(rng.uniform(0.2, 0.5))
    return _mul(f, 1.0 - (1 - dark) * (mask / 255.0))


def _jpeg(f, rng):
    q = int(rng.integers(12, 30))
    u8 = to_u8(f)
    ok, buf = cv2.imencode(".jpg", u8, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED).astype(np.float32) / 255.0


_SENS = {"blur": _blur, "noise": _noise, "salt_pepper": _salt_pepper, "speckle": _speckle, "jpeg": _jpeg}


def _fax_threshold(f: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    g = _gray(f)
    g = g + rng.standard_normal(g.shape, dtype=np.float32) * 0.04
    b = (g > float(rng.uniform(0.5, 0.62))).astype(np.float32)
    return _like(f, b)
