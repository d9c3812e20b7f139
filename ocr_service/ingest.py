"""Open an input document and stream its pages as images (and PDF text layers as words).

    info = inspect(path, settings)          # kind, pages, sha256, size; raises coded InputErrors
    for page in iter_pages(path, settings):  # one page in memory at a time
        page.image, page.dpi, page.text_page

The type comes from the file's first bytes, never its name. Limits (file size, page count, pixels
per page) are checked before anything is decoded. Every way a file can be unreadable becomes one of
the coded errors of `ocr_service.errors`.
"""
from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageOps

from extractors.types import OcrPage, Word
from ocr_service.errors import (CorruptFile, EmptyFile, EncryptedPdf, FileTooLarge, ImageTooLarge,
                                TooManyPages, UnsupportedType)
from ocr_service.settings import Settings

Kind = Literal["pdf", "tiff", "png", "jpeg"]

# A text layer is used instead of OCR when it passes all of these (see docs/ocr.md):
TEXT_LAYER_MIN_WORDS = 5  # words with boxes on the page
TEXT_LAYER_MIN_PLAUSIBLE = 0.9  # share of characters that are letters, digits or usual punctuation
TEXT_LAYER_MIN_COVERAGE = 0.6  # share of character-sized ink blobs of the rendered page in a word box

_PLAUSIBLE_PUNCT = set(".,:;-/()&#'\"$%*+=<>[]!?@_|~")

_OTHER_TYPES = {  # recognisable, but not documents we read
    b"GIF8": "GIF image", b"BM": "BMP image", b"PK\x03\x04": "ZIP archive (or Office document)",
    b"RIFF": "RIFF (WebP) image", b"\xd0\xcf\x11\xe0": "legacy Office document", b"{\\rtf": "RTF document",
    b"\x1f\x8b": "gzip archive", b"7z\xbc\xaf": "7-Zip archive", b"Rar!": "RAR archive",
}


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the file is, before any page is decoded."""

    path: Path
    kind: Kind
    pages: int
    sha256: str
    size: int  # bytes


@dataclass(frozen=True, slots=True)
class SourcePage:
    """One page: its image (uint8, gray or RGB) and, for a PDF page with a usable text layer,
    the words of that layer with boxes in pixels of `image`."""

    number: int  # 1-based
    image: np.ndarray
    dpi: float | None  # None when the file does not say
    text_page: OcrPage | None = None

    @property
    def has_text_layer(self) -> bool:
        return self.text_page is not None


# --- type detection -----------------------------------------------------------------------------

def sniff(head: bytes) -> Kind:
    """The document kind from the first bytes of a file (magic numbers)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, what in _OTHER_TYPES.items():
        if head.startswith(magic):
            raise UnsupportedType(f"not a PDF, TIFF, PNG or JPEG document: {what}")
    if _looks_like_text(head):
        raise UnsupportedType("not a PDF, TIFF, PNG or JPEG document: text")
    raise CorruptFile("unrecognisable content: not a PDF, TIFF, PNG or JPEG document")


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) / len(text) > 0.95


# --- inspect ------------------------------------------------------------------------------------

def inspect(path: Path, settings: Settings) -> DocumentInfo:
    """Kind, page count, sha256 and size of a document; raises the coded errors of
    `ocr_service.errors` for empty, too large, corrupt, encrypted or unsupported files."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise EmptyFile(f"{path.name} is empty")
    if size > settings.max_file_bytes:
        raise FileTooLarge(f"{path.name} has {size} bytes, more than the limit of {settings.max_file_bytes}")
    with path.open("rb") as f:
        kind = sniff(f.read(1024))
        f.seek(0)
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    pages = _count_pages(path, kind)
    if pages == 0:
        raise CorruptFile(f"{path.name} has no pages")
    if pages > settings.max_pages:
        raise TooManyPages(f"{path.name} has {pages} pages, more than the limit of {settings.max_pages}")
    return DocumentInfo(path=path, kind=kind, pages=pages, sha256=digest, size=size)


def _count_pages(path: Path, kind: Kind) -> int:
    if kind == "pdf":
        with _open_pdf(path) as pdf:
            return len(pdf)
    if kind == "tiff":
        with _open_image(path, kind) as im:
            return getattr(im, "n_frames", 1)
    return 1


# --- pages --------------------------------------------------------------------------------------

def iter_pages(path: Path, settings: Settings) -> Iterator[SourcePage]:
    """Stream the pages of a document, one decoded page in memory at a time."""
    info = inspect(path, settings)
    if info.kind == "pdf":
        yield from _pdf_pages(info.path, settings)
    else:
        yield from _image_pages(info.path, info.kind, settings)


def _image_pages(path: Path, kind: Kind, settings: Settings) -> Iterator[SourcePage]:
    with _open_image(path, kind) as im:
        for index in range(getattr(im, "n_frames", 1)):
            try:
                im.seek(index)
            except (EOFError, OSError, ValueError) as e:
                raise CorruptFile(f"{path.name}: page {index + 1} cannot be read: {e}") from e
            _check_pixels(im.size, settings, f"{path.name} page {index + 1}")
            image, dpi = _decode_frame(im, path.name, index + 1)
            yield SourcePage(number=index + 1, image=image, dpi=dpi)


class _open_image:
    """Pillow image opened with only the decoder for `kind`; Pillow's decompression-bomb guard
    and open-time failures become our errors."""

    def __init__(self, path: Path, kind: Kind):
        self.path, self.kind = path, kind
        self.image: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                self.image = Image.open(self.path, formats=[self.kind.upper()])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise ImageTooLarge(f"{self.path.name}: {e}") from e
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise CorruptFile(f"{self.path.name} is not a readable {self.kind.upper()} image: {e}") from e
        return self.image

    def __exit__(self, *exc) -> None:
        if self.image is not None:
            self.image.close()


def _check_pixels(size: tuple[int, int], settings: Settings, what: str) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptFile(f"{what} has an empty size {width}x{height}")
    if width * height > settings.max_pixels_per_page:
        raise ImageTooLarge(f"{what} is {width}x{height} pixels, more than the limit of "
                            f"{settings.max_pixels_per_page}")


def _decode_frame(im: Image.Image, name: str, number: int) -> tuple[np.ndarray, float | None]:
    """Decode the current frame to a uint8 gray or RGB array with square pixels, and its dpi."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im.load()
            frame = ImageOps.exif_transpose(im) if im.format == "JPEG" else im
            frame = _to_gray_or_rgb(frame)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageTooLarge(f"{name} page {number}: {e}") from e
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise CorruptFile(f"{name} page {number} cannot be decoded: {e}") from e
    image = np.asarray(frame)
    xdpi, ydpi = _resolution(im)
    if xdpi and ydpi and abs(xdpi / ydpi - 1) > 0.1:
        # fax-style pixels (e.g. 204x98 dpi): resample to square pixels at the higher resolution
        fx, fy = max(xdpi, ydpi) / xdpi, max(xdpi, ydpi) / ydpi
        image = cv2.resize(image, (round(image.shape[1] * fx), round(image.shape[0] * fy)),
                           interpolation=cv2.INTER_CUBIC if image.dtype == np.uint8 else cv2.INTER_LINEAR)
        xdpi = ydpi = max(xdpi, ydpi)
    return np.ascontiguousarray(image), (float(xdpi) if xdpi else None)


def _to_gray_or_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit gray ("L") or "RGB"; transparency is laid on white paper."""
    if im.mode in ("L", "RGB"):
        return im
    if im.mode == "1":
        return im.convert("L")
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(im, dtype=np.float32)
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(a)
        return Image.fromarray(a.astype(np.uint8), "L")
    if im.mode in ("LA", "RGBA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(paper, rgba).convert("RGB")
        return flat.convert("L") if im.mode == "LA" else flat
    if im.mode == "P":
        rgb = im.convert("RGB")
        return rgb
    return im.convert("RGB")  # CMYK, YCbCr, LAB, HSV


def _resolution(im: Image.Image) -> tuple[float | None, float | None]:
    """Declared horizontal and vertical resolution in dots per inch, or None."""
    dpi = im.info.get("dpi")
    if dpi and len(dpi) == 2:
        x, y = float(dpi[0]), float(dpi[1])
        if x > 1 and y > 1:
            return x, y
    return None, None


# --- PDF ----------------------------------------------------------------------------------------

class _open_pdf:
    """pypdfium2 document with its failures mapped to our errors."""

    def __init__(self, path: Path):
        self.path = path
        self.pdf = None

    def __enter__(self):
        import pypdfium2 as pdfium

        _check_pdf_end(self.path)
        try:
            self.pdf = pdfium.PdfDocument(str(self.path))
        except pdfium.PdfiumError as e:
            if getattr(e, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
                raise EncryptedPdf(f"{self.path.name} is protected by a password") from e
            raise CorruptFile(f"{self.path.name} is not a readable PDF: {e}") from e
        return self.pdf

    def __exit__(self, *exc) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _check_pdf_end(path: Path) -> None:
    """A complete PDF ends with %%EOF (allowing some trailing bytes); a cut-off one does not, and
    the reader would silently rebuild what it can."""
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - 8192))
        tail = f.read()
    if b"%%EOF" not in tail:
        raise CorruptFile(f"{path.name} is truncated: no end-of-file marker")


def _pdf_pages(path: Path, settings: Settings) -> Iterator[SourcePage]:
    import pypdfium2 as pdfium

    dpi = settings.raster_dpi
    with _open_pdf(path) as pdf, _open_plumber(path) as plumber:
        for index in range(len(pdf)):
            number = index + 1
            try:
                page = pdf[index]
                width_pt, height_pt = page.get_size()
                _check_pixels((round(width_pt * dpi / 72), round(height_pt * dpi / 72)), settings,
                              f"{path.name} page {number} at {dpi} dpi")
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                # pdfium rounds the bitmap size up; keep the exact size of the page at this dpi
                image = np.ascontiguousarray(_bitmap_gray(bitmap.to_numpy())[
                    : max(1, round(height_pt * dpi / 72)), : max(1, round(width_pt * dpi / 72))])
                rotation = page.get_rotation()
                page.close()
            except pdfium.PdfiumError as e:
                raise CorruptFile(f"{path.name} page {number} cannot be rendered: {e}") from e
            text_page = None
            if plumber is not None and rotation == 0:
                text_page = _text_layer(plumber, index, image, dpi)
            yield SourcePage(number=number, image=image, dpi=float(dpi), text_page=text_page)


def _bitmap_gray(array: np.ndarray) -> np.ndarray:
    if array.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if array.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        array = cv2.cvtColor(array, code)
    return np.ascontiguousarray(array)


class _open_plumber:
    """pdfplumber on the same file for text layers; None when pdfminer cannot read it (the pages
    are then OCRed from their images, which pdfium could render)."""

    def __init__(self, path: Path):
        self.path = path
        self.pdf = None

    def __enter__(self):
        import pdfplumber

        try:
            self.pdf = pdfplumber.open(self.path)
        except Exception:  # noqa: BLE001 - pdfminer raises many unrelated types for odd files
            self.pdf = None
        return self.pdf

    def __exit__(self, *exc) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _text_layer(plumber, index: int, image: np.ndarray, dpi: float) -> OcrPage | None:
    """The page's text layer as words in pixels of `image`, or None when it is not usable."""
    try:
        page = plumber.pages[index]
        raw = page.extract_words(keep_blank_chars=False, use_text_flow=False)
        x_origin, y_origin = float(page.bbox[0]), float(page.bbox[1])
        page.close()
    except Exception:  # noqa: BLE001 - a broken text layer is not a broken page: OCR it
        return None
    k = dpi / 72.0
    h_img, w_img = image.shape[:2]
    words = []
    for w in raw:
        box = (max(0, int((w["x0"] - x_origin) * k)), max(0, int((w["top"] - y_origin) * k)),
               min(w_img, int(np.ceil((w["x1"] - x_origin) * k))), min(h_img, int(np.ceil((w["bottom"] - y_origin) * k))))
        if w["text"].strip() and box[2] > box[0] and box[3] > box[1]:
            words.append((w["text"].strip(), box))
    if not text_layer_usable(words, image):
        return None
    return OcrPage(number=index + 1, width=w_img, height=h_img, words=tuple(_lines(words)), source="text_layer")


def text_layer_usable(words: list[tuple[str, tuple[int, int, int, int]]], image: np.ndarray) -> bool:
    """Whether a page's text layer can replace OCR: enough words, plausible characters, and its
    word boxes cover the ink that the rendered page shows (so no scanned text is left out)."""
    if len(words) < TEXT_LAYER_MIN_WORDS:
        return False
    chars = "".join(t for t, _ in words)
    if "(cid:" in chars:
        return False
    plausible = sum(ch.isalnum() or ch in _PLAUSIBLE_PUNCT for ch in chars) / len(chars)
    if plausible < TEXT_LAYER_MIN_PLAUSIBLE:
        return False
    return ink_coverage(words, image) >= TEXT_LAYER_MIN_COVERAGE


def ink_coverage(words: list[tuple[str, tuple[int, int, int, int]]], image: np.ndarray) -> float:
    """Share of the character-sized ink blobs on the rendered page whose centre lies in a word box.

    Measured at a third of the resolution. Character-sized means about as tall as the words of the
    layer (a quarter to twice their median height) and not much wider: rules, frames, signatures
    and specks do not count, while stamps and typed text that the layer lacks do.
    """
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    f = 3
    small = cv2.resize(gray, (max(1, gray.shape[1] // f), max(1, gray.shape[0] // f)), interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() > 0.5:  # a blank page: Otsu split the paper grain
        return 1.0
    _, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    inside = np.zeros(small.shape, np.uint8)
    for _, (x0, y0, x1, y1) in words:
        inside[max(0, y0 // f - 1): y1 // f + 2, max(0, x0 // f - 1): x1 // f + 2] = 1
    line_height = float(np.median([(y1 - y0) / f for _, (_, y0, _, y1) in words]))
    w, h = stats[1:, 2], stats[1:, 3]
    chars = (h >= max(2.0, 0.25 * line_height)) & (h <= 2 * line_height) & (w <= 2 * line_height)
    if not chars.any():
        return 1.0
    cx = np.clip(centroids[1:, 0].round().astype(int), 0, small.shape[1] - 1)
    cy = np.clip(centroids[1:, 1].round().astype(int), 0, small.shape[0] - 1)
    covered = inside[cy, cx].astype(bool)
    return float(np.count_nonzero(chars & covered) / np.count_nonzero(chars))


def _lines(words: list[tuple[str, tuple[int, int, int, int]]]) -> Iterator[Word]:
    """Words grouped into lines by vertical overlap, lines numbered top to bottom."""
    order = sorted(range(len(words)), key=lambda i: (words[i][1][1] + words[i][1][3]) / 2)
    line_of: dict[int, int] = {}
    current: list[int] = []
    band = (0, -1)
    line = -1
    for i in order:
        _, (x0, y0, x1, y1) = words[i]
        overlap = min(y1, band[1]) - max(y0, band[0])
        if not current or overlap < 0.5 * min(y1 - y0, band[1] - band[0]):
            line += 1
            current = []
            band = (y0, y1)
        else:
            band = (min(band[0], y0), max(band[1], y1))
        current.append(i)
        line_of[i] = line
    for i in sorted(order, key=lambda i: (line_of[i], words[i][1][0])):
        text, box = words[i]
        yield Word(text=text, bbox=box, conf=1.0, line=line_of[i], block=0)
