"""The synthetic docket generator: deterministic, truth in the shared shape, spans where the ink is."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageSequence

from samples.generator import FORMATS, LAYOUTS, generate, plan_document, render_document, write_document
from samples.generator.canvas import Font, PageCanvas, text_box
from samples.generator.dotmatrix import DotFace, bitmap, print_lines
from samples.generator.spellings import fmt_date

SHARED_TRUTH = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "truth.jsonl"
DOC_KEYS = {"file", "layout", "damage", "case_number", "court", "defendant", "filing_date", "charges", "flags",
            "format", "scan", "pages", "dpi"}
CHARGE_KEYS = {"count", "code", "section", "subdivision", "level", "disposition", "disposition_date"}
LABELS = {"CASE_NUMBER", "COURT", "DEFENDANT", "DOB", "FILING_DATE", "COUNT_NO", "STATUTE", "LEVEL", "DISPOSITION",
          "DISPO_DATE", "PRIOR", "REGISTRATION", "BOOKING_NO", "CII_NO", "DR_NO", "BAIL", "OTHER_DATE"}


def _digest(doc) -> str:
    h = hashlib.sha256()
    for p in doc.pages:
        h.update(p.mode.encode() + bytes(str(p.size), "ascii") + p.tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("gen")
    recs = generate(3, seed=2024, out=out, formats=["png", "tiff", "pdf"])
    return out, recs


def test_same_seed_same_files(generated, tmp_path):
    out, recs = generated
    again = generate(3, seed=2024, out=tmp_path, formats=["png", "tiff", "pdf"])
    assert again == recs
    for name in [r["file"] for r in recs] + ["truth.jsonl", "spans.jsonl"]:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_render_is_deterministic_and_seed_sensitive():
    a = render_document(99, 1, layouts=["printout"], damage=["skew", "noise"])
    b = render_document(99, 1, layouts=["printout"], damage=["skew", "noise"])
    c = render_document(100, 1, layouts=["printout"], damage=["skew", "noise"])
    assert a.truth == b.truth and _digest(a) == _digest(b)
    assert [s.as_json() for s in a.spans] == [s.as_json() for s in b.spans]
    assert a.truth != c.truth and _digest(a) != _digest(c)


def test_truth_has_the_shared_shape(generated):
    out, recs = generated
    lines = [json.loads(x) for x in (out / "truth.jsonl").read_text().splitlines()]
    assert lines == recs
    doc_keys, charge_keys = DOC_KEYS, CHARGE_KEYS
    if SHARED_TRUTH.exists():  # the evaluation set's own truth, when the shared folder is beside the repo
        shared = json.loads(SHARED_TRUTH.read_text().splitlines()[0])
        doc_keys, charge_keys = set(shared), set(shared["charges"][0])
    for r in recs:
        assert set(r) == doc_keys
        assert set(r["defendant"]) == {"name", "dob"} and set(r["flags"]) == {"pc290_registrant", "super_strike_prior"}
        assert r["layout"] in LAYOUTS and r["format"] in FORMATS and r["pages"] >= 1
        for c in r["charges"]:
            assert set(c) == charge_keys | {"attempt"}
            assert c["code"] in {"HS", "PC", "VC", "BP", "WI"}
            assert c["level"] in {"felony", "misdemeanor", "infraction"}
            assert c["disposition"] in {"convicted", "dismissed", "acquitted", "diverted", "pending"}
            assert (c["disposition_date"] is None) == (c["disposition"] == "pending")
            assert c["subdivision"] is None or (c["subdivision"].islower() and len(c["subdivision"]) == 1)
        assert [c["count"] for c in r["charges"]] == list(range(1, len(r["charges"]) + 1))


def test_spans_lie_inside_their_page(generated):
    out, recs = generated
    for line in (out / "spans.jsonl").read_text().splitlines():
        rec = json.loads(line)
        sizes = {p["page"]: (p["width"], p["height"]) for p in rec["pages"]}
        assert {s["label"] for s in rec["spans"]} <= LABELS
        assert {"CASE_NUMBER", "DEFENDANT", "STATUTE", "COUNT_NO"} <= {s["label"] for s in rec["spans"]}
        for s in rec["spans"]:
            w, h = sizes[s["page"]]
            x0, y0, x1, y1 = s["bbox"]
            assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, s


def _ink_in(img: np.ndarray, box) -> bool:
    """Some pixel in the box is clearly darker than the paper around the text."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    paper = float(np.median(img))
    return bool((img[y0:y1, x0:x1] < paper - 70).any())


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clean_page_spans_cover_ink(layout):
    doc = render_document(7, 3, layouts=[layout], formats=["png", "tiff"], damage=[])
    pages = [np.asarray(p.convert("L")) for p in doc.pages]
    assert doc.spans
    for s in doc.spans:
        assert _ink_in(pages[s.page - 1], s.bbox), s
        assert s.text.strip() == s.text and s.text


@pytest.mark.parametrize("damage", [["skew"], ["rotate90"], ["rotate180", "lowres"]])
def test_boxes_follow_geometric_damage(damage):
    doc = render_document(5, 2, layouts=["muni_docket"], formats=["png"], damage=damage)
    page = np.asarray(doc.pages[0].convert("L"))
    if "rotate90" in damage:
        assert page.shape[1] > page.shape[0]  # landscape after a 90 degree turn
    missed = [s for s in doc.spans if not _ink_in(page, s.bbox)]
    assert not missed
    case_box = next(s.bbox for s in doc.spans if s.label == "CASE_NUMBER")
    if "rotate180" in damage:  # the case number sits near the top of the form; upside down it is near the bottom
        assert case_box[1] > page.shape[0] / 2


def test_every_format_opens(tmp_path):
    doc = render_document(31, 0, layouts=["register"], formats=["tiff"], damage=[])
    assert doc.truth["pages"] >= 2  # the register runs over several pages
    for fmt in FORMATS:
        if fmt in ("pdf-ocr", "pdf-digital"):
            pytest.importorskip("fpdf", reason="fpdf2 writes PDFs with a text layer")
        doc.truth["format"] = fmt
        doc.truth["file"] = f"x_{fmt}" + {"png": ".png", "jpeg": ".jpg", "tiff": ".tif"}.get(fmt, ".pdf")
        path = write_document(doc, tmp_path)
        if fmt.startswith("pdf"):
            pdf = pdfium.PdfDocument(str(path))
            assert len(pdf) == doc.truth["pages"]
            text = pdf[0].get_textpage().get_text_range()
            if fmt in ("pdf-ocr", "pdf-digital"):
                assert doc.case.case_number in text
            else:
                assert doc.case.case_number not in text  # image only
            pdf.close()
        else:
            with Image.open(path) as im:
                n = sum(1 for _ in ImageSequence.Iterator(im))
                assert n == (doc.truth["pages"] if fmt == "tiff" else 1)
                assert im.size == doc.pages[0].size


def test_bilevel_tiff_is_group4(tmp_path):
    for i in range(40):
        doc = render_document(3, i, formats=["tiff"], clean_only=True)
        if doc.truth["scan"] == "bilevel":
            break
    else:
        pytest.fail("no bilevel TIFF in 40 draws")
    path = write_document(doc, tmp_path)
    with Image.open(path) as im:
        assert im.mode == "1" and im.info.get("compression") == "group4"


def test_flags_match_the_rendered_notes():
    seen = {"pc290": 0, "super": 0}
    for i in range(60):
        from samples.generator.content import sample_case
        import random

        case = sample_case(random.Random(i))
        seen["pc290"] += case.pc290
        seen["super"] += case.super_strike_prior
        assert all(p.date < case.filing_date for p in case.priors)
        assert all(c.disposition_date is None or c.disposition_date >= case.filing_date for c in case.counts)
    assert seen["pc290"] > 0 and seen["super"] > 0


def test_spans_tell_what_the_truth_says():
    flagged = 0
    for i in range(60):
        plan = plan_document(17, i)
        spans = [s for cv in plan.canvases for s in cv.spans]
        labels = {s.label for s in spans}
        truth = plan.case.truth()
        assert ("REGISTRATION" in labels) == truth["flags"]["pc290_registrant"]
        flagged += truth["flags"]["pc290_registrant"]
        assert ("PRIOR" in labels) == bool(plan.case.priors)
        assert plan.case.case_number in {s.text for s in spans if s.label == "CASE_NUMBER"}
        counted = {int(s.text) for s in spans if s.label == "COUNT_NO"}
        assert counted == {c["count"] for c in truth["charges"]}
        if any(c["disposition"] != "pending" for c in truth["charges"]):
            assert "DISPOSITION" in labels and "DISPO_DATE" in labels
    assert flagged > 0


def test_two_digit_years_are_only_for_the_1900s():
    assert fmt_date(dt.date(1988, 3, 14), "mm/dd/yy") == "03/14/88"
    assert fmt_date(dt.date(1988, 3, 14), "dd-MON-yy") == "14-MAR-88"
    assert fmt_date(dt.date(1988, 3, 14), "mmddyy") == "031488"
    assert fmt_date(dt.date(2003, 3, 14), "mm/dd/yy") == "03/14/2003"
    assert fmt_date(dt.date(2003, 3, 14), "mmddyy") == "03/14/2003"


def test_tesseract_reads_the_case_number_inside_its_span():
    tesserocr = pytest.importorskip("tesserocr")
    from rapidfuzz.distance import Levenshtein

    doc = render_document(8, 4, layouts=["printout"], damage=[])
    page = doc.pages[0].convert("L")
    span = next(s for s in doc.spans if s.label == "CASE_NUMBER")
    x0, y0, x1, y1 = span.bbox
    crop = page.crop((int(x0) - 12, int(y0) - 12, int(x1) + 12, int(y1) + 12))
    tessdata = next((d for d in ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                                 "/usr/share/tessdata") if Path(d, "eng.traineddata").exists()), None)
    assert tessdata is not None, "English tessdata is missing: `make setup` installs tesseract-ocr-eng"
    with tesserocr.PyTessBaseAPI(path=tessdata + "/", psm=tesserocr.PSM.SINGLE_LINE) as api:
        api.SetImage(crop)
        text = api.GetUTF8Text().strip().replace(" ", "")
    assert Levenshtein.distance(text, doc.case.case_number) <= 1, (text, doc.case.case_number)


# ----------------------------------------------------------------------------- the dot-matrix printer face

_FACE = DotFace(rows=7, cols=7, dot=0.7, threshold=0.45, darkness=1.0, spread=0.5, wear=0.0, fade_edge=0.0,
                double=None, zero="slashed", weak_pin=None, seed=1)


def _struck(text: str, face: DotFace = _FACE, font: Font = Font("dejamono-bold", 50)) -> tuple[np.ndarray, tuple]:
    page = PageCanvas(1200, 200, number=1)
    page.text(40, 120, text, font)
    return print_lines((200, 1200), page.ops, face, 1), text_box(40, 120, text, font, pad=0)


def test_printouts_are_struck_by_a_dot_matrix_printer():
    faces = [plan_document(11, i, layouts=["printout"], formats=["png", "tiff", "pdf"]) for i in range(30)]
    dotted = [p for p in faces if p.style.dots is not None]
    assert all(p.style.dots is not None for p in faces if p.variant in ("greenbar", "bluebar"))
    assert all(p.style.dots is None for p in faces if p.variant == "laser")
    assert len(dotted) >= 0.6 * len(faces)
    assert len({(p.style.dots.rows, p.style.dots.cols, p.style.dots.zero) for p in dotted}) >= 4  # not one printer
    legacy = plan_document(11, 0, layouts=["printout"], formats=["png"], printer_face="legacy")
    assert legacy.style.dots is None


def test_the_face_prints_separate_dots_in_fixed_bitmaps():
    mask, box = _struck("CASE 12345")
    ink = (mask > 0.5).astype(np.uint8)
    n, _ = cv2.connectedComponents(ink)
    assert n - 1 >= 8 * 9  # nine glyphs, many dots each (a solid face gives about one blob per glyph)
    # every letter is one bitmap: two struck 'A's are the same dots, whatever the rest of the line
    a = bitmap(Font("dejamono-bold", 50), "A", 7, 7, 0.45, "slashed")
    assert a.sum() >= 10 and np.array_equal(a, bitmap(Font("dejamono-bold", 50), "A", 7, 7, 0.45, "slashed"))
    assert not np.array_equal(a, bitmap(Font("dejamono-bold", 50), "H", 7, 7, 0.45, "slashed"))


def test_zero_is_slashed_plain_or_dotted_but_never_a_letter_o():
    f = Font("dejamono-bold", 50)
    z = {kind: bitmap(f, "0", 8, 7, 0.45, kind) for kind in ("slashed", "plain", "dotted")}
    o = bitmap(f, "O", 8, 7, 0.45, "slashed")
    assert not np.array_equal(z["slashed"], z["plain"]) and not np.array_equal(z["dotted"], z["plain"])
    inner = slice(1 + 2, 1 + 6), slice(2, 5)  # inside the ring: rows of the glyph's middle, columns between its sides
    assert z["slashed"][inner].sum() >= 2 and z["plain"][inner].sum() == 0
    assert not np.array_equal(z["plain"], o)


def test_struck_text_stays_inside_its_box():
    font = Font("dejamono-bold", 50)
    hp, vp, _ = _FACE.pitches(font)
    mask, (x0, y0, x1, y1) = _struck("DKT: 89M29972  FILED 6/5/89", font=font)
    ys, xs = np.nonzero(mask > 0.3)
    tol = max(hp, vp) + 2  # a dot sits on the grid nearest the glyph's edge, at most a pitch away
    assert abs(xs.min() - x0) <= tol and abs(xs.max() - x1) <= tol
    assert abs(ys.min() - y0) <= tol and abs(ys.max() - y1) <= tol


def test_dot_matrix_spans_match_the_struck_text():
    """On a clean dot-matrix page every labelled span's ink begins and ends where its box says."""
    for i in range(20):
        doc = render_document(13, i, layouts=["printout"], formats=["png", "tiff"], damage=[])
        if doc.style.dots is not None:
            break
    else:
        pytest.fail("no dot-matrix printout in 20 draws")
    page = np.asarray(doc.pages[0].convert("L"))
    paper = float(np.median(page))
    font = next(op.font for op in doc.canvases[0].ops if hasattr(op, "font"))
    hp, vp, _ = doc.style.dots.pitches(font)
    tol = int(max(hp, vp)) + 3
    spans = [s for s in doc.spans if s.page == 1]
    assert len(spans) >= 8
    for s in spans:
        x0, y0, x1, y1 = (int(round(v)) for v in s.bbox)
        band = page[y0:y1, x0 - tol:x1 + tol] < paper - 70
        cols = np.nonzero(band.any(axis=0))[0]
        assert len(cols), s
        assert abs(cols.min() - tol) <= tol and abs(cols.max() - tol - (x1 - x0)) <= tol, s


def test_the_printer_face_changes_the_ink_not_the_document():
    i = next(i for i in range(20) if plan_document(21, i, layouts=["printout"], formats=["png"]).style.dots)
    a = render_document(21, i, layouts=["printout"], formats=["png"], damage=[])
    b = render_document(21, i, layouts=["printout"], formats=["png"], damage=[], printer_face="legacy")
    again = render_document(21, i, layouts=["printout"], formats=["png"], damage=[])
    assert a.style.dots is not None and b.style.dots is None
    assert a.truth == b.truth and [s.as_json() for s in a.spans] == [s.as_json() for s in b.spans]
    assert _digest(a) != _digest(b) and _digest(a) == _digest(again)
    assert any("0" in s.text for s in a.spans)  # zeros stay zeros in the truth, however they are printed
