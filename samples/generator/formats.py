"""Write a rendered document as PNG, JPEG, TIFF, scanned PDF, scanned PDF with an OCR layer, or a
born-digital PDF with a real text layer. Every writer is deterministic (fixed dates, no random IDs)."""
from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    from fpdf import FPDF

from .canvas import DPI, Font, LineOp, PageCanvas, RectOp, Style, TextOp, font_path

FORMATS = ("png", "jpeg", "tiff", "pdf", "pdf-ocr", "pdf-digital")
EXTENSIONS = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif", "pdf": ".pdf", "pdf-ocr": ".pdf", "pdf-digital": ".pdf"}
SINGLE_PAGE = {"png", "jpeg"}
FIXED_DATE = dt.datetime(2019, 7, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def posterize(page: Image.Image, bits: int = 5) -> Image.Image:
    """Keep `bits` bits per channel (32 levels): invisible on a document, and lossless formats shrink threefold."""
    if page.mode not in ("L", "RGB"):
        return page
    mask = (0xFF << (8 - bits)) & 0xFF
    return page.point(lambda v: v & mask)


def write_png(path: Path, page: Image.Image, dpi: float) -> None:
    posterize(page).save(path, format="PNG", dpi=(dpi, dpi), compress_level=6)


def write_jpeg(path: Path, page: Image.Image, dpi: float, quality: int = 80) -> None:
    im = page.convert("L") if page.mode == "1" else page
    im.save(path, format="JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)


def write_tiff(path: Path, pages: list[Image.Image], dpi: float, compression: str) -> None:
    """compression: 'group4' (pages must be bilevel), 'tiff_adobe_deflate', 'tiff_lzw' or 'jpeg'."""
    ims = pages
    if compression == "group4":
        ims = [p if p.mode == "1" else p.convert("L").point(lambda v: 255 if v > 140 else 0, mode="1") for p in pages]
    elif compression == "jpeg":
        ims = [p.convert("L") if p.mode == "1" else p for p in pages]
    else:
        ims = [posterize(p) for p in pages]
    kw = {"quality": 80} if compression == "jpeg" else {}
    ims[0].save(path, format="TIFF", save_all=True, append_images=ims[1:], compression=compression,
                dpi=(dpi, dpi), **kw)


def write_scanned_pdf(path: Path, pages: list[Image.Image], dpi: float, quality: int = 80) -> None:
    """Image-only PDF, one scanned image per page (JPEG inside; CCITT G4 for bilevel pages)."""
    kw = {} if pages[0].mode == "1" else {"quality": quality}
    pages[0].save(path, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi, **kw,
                  creationDate=time.gmtime(FIXED_DATE.timestamp()),
                  modDate=time.gmtime(FIXED_DATE.timestamp()), producer="cleardocket sample generator")


def _new_pdf() -> "FPDF":
    from fpdf import FPDF  # fpdf2: only the PDF writers with a text layer need it

    pdf = FPDF(unit="pt")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_producer("cleardocket sample generator")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    return pdf


def write_ocr_pdf(path: Path, pages: list[Image.Image], dpi: float,
                  words: list[list[tuple[str, tuple[float, float, float, float]]]], quality: int = 80) -> None:
    """A scanned PDF with an invisible text layer placed over each word, as OCR software leaves it."""
    from fpdf.enums import TextMode

    pdf = _new_pdf()
    for img, page_words in zip(pages, words):
        k = 72.0 / dpi
        pdf.add_page(format=(img.width * k, img.height * k))
        buf = io.BytesIO()
        (img.convert("L") if img.mode == "1" else img).save(buf, format="JPEG", quality=quality)
        buf.seek(0)
        pdf.image(buf, x=0, y=0, w=img.width * k, h=img.height * k)
        pdf.text_mode = TextMode.INVISIBLE
        pdf.set_font("Helvetica", size=10)
        for text, (x0, y0, x1, y1) in page_words:
            h_pt = max(2.0, (y1 - y0) * k)
            pdf.set_font("Helvetica", size=h_pt * 1.2)
            pdf.set_stretching(100)
            natural = pdf.get_string_width(text)
            if natural <= 0:
                continue
            pdf.set_stretching(max(10.0, min(400.0, 100.0 * (x1 - x0) * k / natural)))
            pdf.text(x0 * k, y1 * k - h_pt * 0.15, text + " ")  # the space keeps words apart for readers
        pdf.set_stretching(100)
        pdf.text_mode = TextMode.FILL
    pdf.output(str(path))


def write_digital_pdf(path: Path, canvases: list[PageCanvas], style: Style) -> None:
    """A born-digital PDF: the layout's text, rules and boxes as vector PDF with embedded fonts."""
    pdf = _new_pdf()
    k = 72.0 / DPI
    fonts: set[str] = set()
    for cv in canvases:
        pdf.add_page(format=(cv.width * k, cv.height * k))
        for op in cv.ops:
            color = style.inks.get(op.layer, (20, 20, 20))
            if isinstance(op, TextOp):
                _set_font(pdf, op.font, fonts)
                pdf.set_text_color(*color)
                pdf.text(op.x * k, op.y * k, op.text)
            elif isinstance(op, LineOp):
                pdf.set_draw_color(*color)
                pdf.set_line_width(op.width * k)
                if op.dashed:
                    pdf.set_dash_pattern(dash=14 * k, gap=10 * k)
                pdf.line(op.x0 * k, op.y0 * k, op.x1 * k, op.y1 * k)
                if op.dashed:
                    pdf.set_dash_pattern()
            elif isinstance(op, RectOp):
                pdf.set_draw_color(*color)
                pdf.set_fill_color(*color)
                pdf.set_line_width(op.width * k)
                pdf.rect(op.x0 * k, op.y0 * k, (op.x1 - op.x0) * k, (op.y1 - op.y0) * k,
                         style="F" if op.fill else "D")
    pdf.output(str(path))


def _set_font(pdf: "FPDF", font: Font, loaded: set[str]) -> None:
    family = font.name.replace("-", "")
    if family not in loaded:
        pdf.add_font(family, "", font_path(font.name))
        loaded.add(family)
    pdf.set_font(family, size=font.size * 72.0 / DPI)
