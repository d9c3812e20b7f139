"""Ingest: type detection from bytes, page streaming, PDF text layers, limits and coded errors.

Every file is made here in tmp_path: images with Pillow, PDFs written object by object.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_service import ingest
from ocr_service.errors import (CorruptFile, EmptyFile, EncryptedPdf, FileTooLarge, ImageTooLarge,
                                TooManyPages, UnsupportedType)
from ocr_service.settings import Settings

MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


@pytest.fixture
def settings() -> Settings:
    return Settings(raster_dpi=150)


def scan(text: str = "CASE NO 88M12345", size=(850, 1100), mode: str = "L") -> Image.Image:
    """A small page image with one line of typewriter-like text."""
    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).text((80, 100), text, font=ImageFont.truetype(MONO, 28), fill=0)
    return im.convert(mode)


def save(im: Image.Image, path: Path, **kw) -> Path:
    im.save(path, **kw)
    return path


# --- a minimal PDF writer (enough for text, images and an /Encrypt dictionary) ------------------

def pdf_bytes(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_ops(lines: list[str], x: int = 72, y: int = 720, size: int = 12) -> bytes:
    ops = [b"BT /F1 %d Tf %d %d Td" % (size, x, y)]
    for i, line in enumerate(lines):
        if i:
            ops.append(b"0 -%d Td" % int(size * 1.6))
        ops.append(b"(" + line.encode("latin-1") + b") Tj")
    ops.append(b"ET")
    return b"\n".join(ops)


def make_pdf(content: bytes, image: Image.Image | None = None, encrypt: bool = False) -> bytes:
    """One letter-size page with Courier text and, optionally, a full-page gray image under it."""
    resources = b"/Font << /F1 4 0 R >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
        None,
    ]
    if image is not None:
        gray = image.convert("L")
        objects.append(stream(zlib.compress(gray.tobytes()),
                              b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                              b"/BitsPerComponent 8 /Filter /FlateDecode " % gray.size))
        resources += b" /XObject << /Im1 6 0 R >>"
        content = b"q 612 0 0 792 0 0 cm /Im1 Do Q\n" + content
    objects[2] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << %s >> /Contents 5 0 R >>" % resources
    objects[4] = stream(content)
    trailer = b""
    if encrypt:
        # the standard security handler with a user password that is not empty: O and U values
        # that no empty password matches, which is what a reader sees without the password
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (b"ab" * 32, b"cd" * 32))
        trailer = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (len(objects), b"01" * 16, b"01" * 16)
    return pdf_bytes(objects, trailer)


# --- type detection -----------------------------------------------------------------------------

@pytest.mark.parametrize("head,kind", [
    (b"\x89PNG\r\n\x1a\n....", "png"), (b"\xff\xd8\xff\xe0..JFIF", "jpeg"), (b"II*\x00\x08\x00", "tiff"),
    (b"MM\x00*\x00\x00", "tiff"), (b"%PDF-1.7\n", "pdf"), (b"\x00\x00junk%PDF-1.4\n", "pdf"),
])
def test_sniff_knows_documents_by_their_bytes(head, kind):
    assert ingest.sniff(head) == kind


@pytest.mark.parametrize("head", [b"GIF89a....", b"PK\x03\x04zip", b"plain text that is not a scan\n"])
def test_sniff_refuses_other_formats(head):
    with pytest.raises(UnsupportedType):
        ingest.sniff(head)


def test_sniff_calls_random_bytes_corrupt():
    with pytest.raises(CorruptFile):
        ingest.sniff(np.random.default_rng(1).integers(0, 256, 1024, dtype=np.uint8).tobytes())


def test_the_file_name_does_not_decide_the_type(tmp_path, settings):
    path = save(scan(), tmp_path / "scan.pdf", format="PNG")
    assert ingest.inspect(path, settings).kind == "png"


# --- images -------------------------------------------------------------------------------------

def test_png_page_with_its_dpi_and_hash(tmp_path, settings):
    path = save(scan(), tmp_path / "a.png", dpi=(200, 200))
    info = ingest.inspect(path, settings)
    assert (info.kind, info.pages, info.size) == ("png", 1, path.stat().st_size)
    import hashlib
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    [page] = list(ingest.iter_pages(path, settings))
    assert page.number == 1 and page.image.shape == (1100, 850) and page.image.dtype == np.uint8
    assert page.dpi == pytest.approx(200, abs=0.5)
    assert page.text_page is None
    assert page.image[100:130, 80:400].min() < 50  # the text is there


def test_rgb_jpeg_stays_rgb_and_unknown_dpi_is_none(tmp_path, settings):
    path = save(scan(mode="RGB"), tmp_path / "a.jpg", quality=85)
    [page] = list(ingest.iter_pages(path, settings))
    assert page.image.shape == (1100, 850, 3)
    assert page.dpi is None


def test_transparent_png_is_laid_on_white_paper(tmp_path, settings):
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((20, 20, 60, 60), fill=(0, 0, 0, 255))
    [page] = list(ingest.iter_pages(save(im, tmp_path / "t.png"), settings))
    assert page.image.ndim == 3 and page.image[5, 5].tolist() == [255, 255, 255]
    assert page.image[40, 40].tolist() == [0, 0, 0]


def test_sixteen_bit_png_becomes_eight_bit(tmp_path, settings):
    a = np.full((60, 80), 60000, np.uint16)
    a[10:20, 10:20] = 1000
    path = tmp_path / "16.png"
    Image.fromarray(a).save(path)
    [page] = list(ingest.iter_pages(path, settings))
    assert page.image.dtype == np.uint8 and page.image[0, 0] == 255 and page.image[15, 15] == 0


def test_multipage_group4_tiff_streams_its_pages(tmp_path, settings):
    pages = [scan(f"PAGE {n} OF 3").convert("1") for n in (1, 2, 3)]
    path = tmp_path / "fax.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="group4", dpi=(200, 200))
    assert ingest.inspect(path, settings).pages == 3
    it = ingest.iter_pages(path, settings)
    first = next(it)  # a generator: one page decoded at a time
    assert first.number == 1 and first.image.dtype == np.uint8 and set(np.unique(first.image)) <= {0, 255}
    assert [p.number for p in it] == [2, 3]


def test_fax_resolution_is_resampled_to_square_pixels(tmp_path, settings):
    im = scan().resize((850, 550))  # what a 200x100 dpi fax of the page looks like
    path = save(im.convert("1"), tmp_path / "fax.tif", compression="group4", dpi=(200, 100))
    [page] = list(ingest.iter_pages(path, settings))
    assert page.image.shape == (1100, 850)
    assert page.dpi == 200


# --- PDF ----------------------------------------------------------------------------------------

def test_scanned_pdf_is_rasterized_at_the_configured_dpi(tmp_path, settings):
    path = tmp_path / "scan.pdf"
    scan().save(path, save_all=True, append_images=[scan("SECOND PAGE")], resolution=100)
    info = ingest.inspect(path, settings)
    assert (info.kind, info.pages) == ("pdf", 2)
    pages = list(ingest.iter_pages(path, settings))
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].image.shape == (1650, 1275)  # 8.5 x 11 in at 150 dpi
    assert pages[0].dpi == 150 and pages[0].text_page is None


def test_digital_pdf_gives_its_words_with_boxes_on_the_page_image(tmp_path, settings):
    lines = ["MUNICIPAL COURT OF SAMPLE DISTRICT", "CASE NO 88M12345   FILED 03/14/88",
             "CT 01  11359 HS  POSS FOR SALE  CONV 06/01/88", "CT 02  459 PC    BURGLARY      DISM 06/01/88"]
    path = tmp_path / "digital.pdf"
    path.write_bytes(make_pdf(text_ops(lines)))
    [page] = list(ingest.iter_pages(path, settings))
    tp = page.text_page
    assert tp is not None and tp.source == "text_layer"
    assert (tp.width, tp.height) == (page.image.shape[1], page.image.shape[0])
    assert [ln.text for ln in tp.lines()] == [" ".join(ln.split()) for ln in lines]
    word = next(w for w in tp.words if w.text == "88M12345")
    x0, y0, x1, y1 = word.bbox
    # Courier 12 pt at (72, 720 - 19.2) pt: 9 characters in, 7.2 pt each; 150/72 px per pt
    assert x0 == pytest.approx((72 + 8 * 7.2) * 150 / 72, abs=4)
    assert y1 == pytest.approx((792 - 720 + 19.2) * 150 / 72, abs=8)
    ink = page.image[y0:y1, x0:x1]
    assert ink.min() < 80 and (ink < 128).mean() > 0.1  # the box sits on the rendered word
    assert len({w.line for w in tp.words}) == 4


def test_partial_text_layer_over_a_scan_is_not_used(tmp_path, settings):
    im = Image.new("L", (1275, 1650), 255)
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(MONO, 30)
    for i in range(25):
        d.text((150, 300 + i * 48), f"{i:02d} 06/01/88 DEFT PRESENT WITH COUNSEL PLEA NG", font=font, fill=0)
    path = tmp_path / "stamped.pdf"
    # the only text in the layer is a digital page header; the scanned lines have none
    path.write_bytes(make_pdf(text_ops(["PAGE 1 OF 1  COPY  REF 2024-001"], y=770, size=8), image=im))
    [page] = list(ingest.iter_pages(path, settings))
    assert page.text_page is None


def test_text_layer_with_undecodable_glyphs_is_not_used():
    words = [("(cid:12)(cid:7)", (10, 10, 50, 20))] * 10
    assert not ingest.text_layer_usable(words, np.full((100, 100), 255, np.uint8))


def test_encrypted_pdf(tmp_path, settings):
    path = tmp_path / "locked.pdf"
    path.write_bytes(make_pdf(text_ops(["SEALED"]), encrypt=True))
    with pytest.raises(EncryptedPdf):
        ingest.inspect(path, settings)


# --- limits and broken files --------------------------------------------------------------------

def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares a size its (tiny) data does not have: a pixel bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_pixel_limit_is_checked_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_declaring(9000, 9000))  # 81 MP declared, a few bytes of data
    with pytest.raises(ImageTooLarge):
        list(ingest.iter_pages(path, Settings(max_pixels_per_page=60_000_000)))


def test_pillow_decompression_bomb_becomes_our_error(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_declaring(100_000, 100_000))  # Pillow itself refuses this at open
    with pytest.raises(ImageTooLarge):
        list(ingest.iter_pages(path, Settings(max_pixels_per_page=10**12)))


def test_pdf_page_too_large_at_raster_dpi(tmp_path):
    path = tmp_path / "poster.pdf"
    scan().save(path, resolution=10)  # 85 x 110 inches
    with pytest.raises(ImageTooLarge):
        list(ingest.iter_pages(path, Settings(raster_dpi=300)))


def test_empty_file(tmp_path, settings):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile):
        ingest.inspect(path, settings)


def test_file_too_large(tmp_path):
    path = save(scan(), tmp_path / "a.png")
    with pytest.raises(FileTooLarge):
        ingest.inspect(path, Settings(max_file_bytes=100))


def test_too_many_pages(tmp_path):
    path = tmp_path / "long.tif"
    scan().save(path, save_all=True, append_images=[scan(), scan()])
    with pytest.raises(TooManyPages):
        ingest.inspect(path, Settings(max_pages=2))


def test_random_bytes_are_corrupt(tmp_path, settings):
    path = tmp_path / "noise.jpg"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(CorruptFile):
        ingest.inspect(path, settings)


def test_text_file_is_unsupported(tmp_path, settings):
    path = tmp_path / "notes.png"
    path.write_text("DEFT PRESENT WITH COUNSEL\n")
    with pytest.raises(UnsupportedType):
        ingest.inspect(path, settings)


@pytest.mark.parametrize("fmt,suffix,keep", [("PNG", "png", 0.5), ("JPEG", "jpg", 0.5), ("TIFF", "tif", 0.3)])
def test_truncated_images_are_corrupt(tmp_path, settings, fmt, suffix, keep):
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 256, (400, 300), dtype=np.uint8))
    full = tmp_path / f"full.{suffix}"
    noisy.save(full, format=fmt)
    data = full.read_bytes()
    path = tmp_path / f"cut.{suffix}"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(CorruptFile):
        list(ingest.iter_pages(path, settings))


def test_truncated_pdf_is_corrupt(tmp_path, settings):
    full = tmp_path / "full.pdf"
    scan().save(full, resolution=100)
    path = tmp_path / "cut.pdf"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(CorruptFile):
        list(ingest.iter_pages(path, settings))


def test_a_bad_later_page_fails_only_when_reached(tmp_path, settings):
    """Pages are streamed: the good first page is delivered before the broken second one is read."""
    path = tmp_path / "two.tif"
    scan().save(path, save_all=True, append_images=[scan("PAGE TWO")], compression="tiff_lzw")
    data = bytearray(path.read_bytes())
    # find the second page's strip data by its IFD and break it
    with Image.open(path) as im:
        im.seek(1)
        offsets = im.tag_v2[273]
    start = offsets[0] if isinstance(offsets, tuple) else offsets
    data[start: start + 400] = b"\xff" * 400
    path.write_bytes(bytes(data))
    pages = ingest.iter_pages(path, settings)
    assert next(pages).number == 1
    with pytest.raises(CorruptFile):
        next(pages)
