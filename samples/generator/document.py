"""One synthetic document end to end: facts -> layout -> page images -> damage -> file + truth + spans.

`render_document` does everything in memory (for training-data pipelines); `write_document` adds
the file. Both are deterministic in (seed, index, options).
"""
from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .canvas import PageCanvas, Span, Style
from .content import Case, sample_case
from .damage import apply_damage, identity, plan_damage
from .dotmatrix import draw_face
from .formats import (EXTENSIONS, FORMATS, SINGLE_PAGE, write_digital_pdf, write_jpeg, write_ocr_pdf, write_png,
                      write_scanned_pdf, write_tiff)
from .raster import render_page

LAYOUTS = ("muni_docket", "minute_order", "printout", "register")
_FORMAT_WEIGHTS = {"png": 3, "jpeg": 3, "tiff": 2, "pdf": 3, "pdf-ocr": 1, "pdf-digital": 1}
_LAYOUT_WEIGHTS = {"muni_docket": 3, "minute_order": 3, "printout": 3, "register": 2}
PRINTER_FACES = ("pins", "legacy")  # dot-matrix text: pin-dot bitmaps (dotmatrix.py), or the earlier fine-grid look


@dataclass
class RenderedDocument:
    """A document in memory: its truth record, final page images and labelled spans in final pixels."""

    truth: dict
    pages: list[Image.Image]
    spans: list[Span]
    words: list[list[tuple[str, tuple[float, float, float, float]]]]
    canvases: list[PageCanvas]
    style: Style
    case: Case
    variant: str
    dpi: float
    options: dict = field(default_factory=dict)

    def spans_record(self) -> dict:
        return {
            "file": self.truth["file"],
            "layout": self.truth["layout"],
            "variant": self.variant,
            "pages": [{"page": i + 1, "width": p.width, "height": p.height} for i, p in enumerate(self.pages)],
            "spans": [s.as_json() for s in self.spans],
        }


def doc_rngs(seed: int, index: int) -> tuple[random.Random, np.random.Generator]:
    """The document's own random streams, independent of how many documents are generated."""
    return random.Random(f"cleardocket-generator:{seed}:{index}"), np.random.default_rng([seed, index, 64])


@dataclass
class Plan:
    """A document decided but not yet rasterised: facts, layout pages (with spans), format, damage."""

    case: Case
    layout: str
    variant: str
    fmt: str
    scan: str
    damage: list[str]
    canvases: list[PageCanvas]
    style: Style
    rng: random.Random
    nrng: np.random.Generator


def plan_document(seed: int, index: int = 0, *, layouts: list[str] | None = None, formats: list[str] | None = None,
                  clean_only: bool = False, damage: list[str] | None = None, cycle: bool = False,
                  printer_face: str = "pins") -> Plan:
    """Decide document `index` of the set made from `seed`, without drawing pixels (fast).

    With `cycle`, document i takes layout i mod len(layouts) and format i mod len(formats) instead of
    drawing them, so that a small set covers every layout and every format. `printer_face` chooses
    how dot-matrix text is drawn; the printer's settings come from a stream of their own, so both
    faces give the same document (same text, layout, format and damage plan).
    """
    rng, nrng = doc_rngs(seed, index)
    layouts = _check(layouts or list(LAYOUTS), LAYOUTS, "layout")
    formats = _check(formats or list(FORMATS), FORMATS, "format")
    if cycle:
        layouts, formats = [layouts[index % len(layouts)]], [formats[index % len(formats)]]
    layout = rng.choices(layouts, weights=[_LAYOUT_WEIGHTS[x] for x in layouts])[0]
    fmt = rng.choices(formats, weights=[_FORMAT_WEIGHTS[x] for x in formats])[0]
    case = sample_case(rng, force_superior=True if layout == "minute_order" else None)
    digital = fmt == "pdf-digital"
    style = Style(digital=digital)
    module = importlib.import_module(f".layouts.{layout}", __package__)
    canvases, variant = module.render(case, rng, style)
    _check([printer_face], PRINTER_FACES, "printer face")
    if style.dot_matrix and printer_face == "pins":
        style.dots = draw_face(random.Random(f"cleardocket-generator:{seed}:{index}:printer"))
    if len(canvases) > 1 and fmt in SINGLE_PAGE:
        multi = [f for f in formats if f not in SINGLE_PAGE] or ["tiff"]
        fmt = rng.choice(multi)
    if digital:
        dmg: list[str] = []
        scan = "digital"
    else:
        dmg = list(damage) if damage is not None else plan_damage(rng, clean_only=clean_only)
        scan = "color" if rng.random() < 0.45 else "gray"
        if "fax" in dmg or (fmt == "tiff" and rng.random() < 0.35):
            scan = "bilevel"
    return Plan(case, layout, variant, fmt, scan, dmg, canvases, style, rng, nrng)


def render_document(seed: int, index: int = 0, *, layouts: list[str] | None = None,
                    formats: list[str] | None = None, clean_only: bool = False, name: str | None = None,
                    damage: list[str] | None = None, cycle: bool = False,
                    printer_face: str = "pins") -> RenderedDocument:
    """Render document `index` of the set made from `seed`; `damage` overrides the random damage plan."""
    plan = plan_document(seed, index, layouts=layouts, formats=formats, clean_only=clean_only, damage=damage,
                         cycle=cycle, printer_face=printer_face)
    case, layout, variant, fmt, scan, dmg = plan.case, plan.layout, plan.variant, plan.fmt, plan.scan, plan.damage
    canvases, style, rng, nrng = plan.canvases, plan.style, plan.rng, plan.nrng
    digital = fmt == "pdf-digital"
    clean_imgs = [render_page(cv, style, nrng, gray=scan in ("gray", "bilevel")) for cv in canvases]
    pages: list[Image.Image] = []
    spans: list[Span] = []
    words: list[list[tuple[str, tuple[float, float, float, float]]]] = []
    dpi = 300.0
    for i, (cv, img) in enumerate(zip(canvases, clean_imgs)):
        back = clean_imgs[i + 1] if i + 1 < len(clean_imgs) else clean_imgs[max(0, i - 1)]
        if dmg:
            img, geo, dpi = apply_damage(img, dmg, nrng, back=back if len(clean_imgs) > 1 else None)
        else:
            geo = identity(cv.width, cv.height)
        pages.append(_to_mode(img, scan))
        for s in cv.spans:
            b = geo.box(s.bbox)
            if b is not None:
                spans.append(Span(s.label, s.text, b, s.page))
        words.append([(w, b) for w, bb in cv.words() if (b := geo.box(bb)) is not None])
    truth = {
        "file": name or f"doc_{seed}_{index:05d}{EXTENSIONS[fmt]}",
        "layout": layout,
        "damage": dmg,
        **case.truth(),
        "format": fmt,
        "scan": scan,
        "pages": len(pages),
        "dpi": None if digital else int(round(dpi)),
    }
    return RenderedDocument(truth, pages, spans, words, canvases, style, case, variant, dpi,
                            {"jpeg_quality": rng.randint(72, 88),
                             "tiff": rng.choices(("jpeg", "tiff_adobe_deflate", "tiff_lzw"), weights=(6, 2, 1))[0]})


def write_document(doc: RenderedDocument, out: Path) -> Path:
    """Write the document's file into `out` (named by its truth record) and return its path."""
    path = out / doc.truth["file"]
    fmt, dpi, pages = doc.truth["format"], doc.dpi, doc.pages
    q = doc.options.get("jpeg_quality", 80)
    if fmt == "png":
        write_png(path, pages[0], dpi)
    elif fmt == "jpeg":
        write_jpeg(path, pages[0], dpi, q)
    elif fmt == "tiff":
        scan = doc.truth["scan"]
        compression = "group4" if scan == "bilevel" else "jpeg" if scan == "color" else doc.options.get("tiff", "jpeg")
        write_tiff(path, pages, dpi, compression)  # colour pages always JPEG-in-TIFF: lossless colour is too big
    elif fmt == "pdf":
        write_scanned_pdf(path, pages, dpi, q)
    elif fmt == "pdf-ocr":
        write_ocr_pdf(path, pages, dpi, doc.words, q)
    elif fmt == "pdf-digital":
        write_digital_pdf(path, doc.canvases, doc.style)
    else:  # pragma: no cover - guarded by _check
        raise ValueError(fmt)
    return path


def _to_mode(img: np.ndarray, scan: str) -> Image.Image:
    if img.ndim == 3 and scan in ("color", "digital"):
        return Image.fromarray(img, "RGB")
    gray = Image.fromarray(img, "L") if img.ndim == 2 else Image.fromarray(img, "RGB").convert("L")
    if scan == "bilevel":  # a bilevel scanner thresholds against the local background, so faded ink survives
        g = np.asarray(gray)
        b = cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 61, 22)
        b[g < 60] = 0  # solid dark areas (holes, copier borders) stay black
        return Image.fromarray(b, "L").convert("1", dither=Image.Dither.NONE)
    return gray


def _check(values: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"unknown {what}(s) {bad}; choose from {list(allowed)}")
    return list(values)
