"""Build the NER corpus from what tesseract really reads.

    python models/scripts/build_corpus.py --seed 4242 --n 320 --out models/corpus/train.jsonl.gz --jobs 2

For each generated document: render its pages (with the generator's random scan damage), clean and
OCR them with the product's own `ocr_service.cleanup` and read step (`pipeline.read_cleaned`: tesseract,
the smoothed second reading, the digit check), build the document text
exactly as `extractors.document.DocText` does, and label the OCR words that the generator's
ground-truth spans cover (by box overlap, after following the page through the damage geometry and
the cleanup's rotation and deskew). The model thus learns tesseract's real confusions, broken lines
and merged columns. Spans the generator marks as something else (court, booking, CII and DR numbers,
bail amounts, dates that are not disposition dates) stay unlabelled: they are the negative examples.

One JSON line per document: its OCR words per page, the labelled character spans of its DocText, the
generator's truth record and how many spans could not be placed on OCR words.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from extractors.document import DocText  # noqa: E402
from extractors.types import OcrPage, Word  # noqa: E402

LABELS = ("CASE_NUMBER", "DEFENDANT", "DOB", "FILING_DATE", "COUNT_NO", "STATUTE", "LEVEL", "DISPOSITION",
          "DISPO_DATE", "PRIOR", "REGISTRATION")
MIN_WORD_COVER = 0.5  # overlap (see _cover) a word and a span's box need for the word to take its label
MIN_SIMILAR = 0.5  # a span whose words read too differently from its text (a garbled stamp) stays unlabelled
_OPEN = "([{\"'|/\\"  # outer punctuation dropped from a label when the span lacks it
_CLOSE = ")]}\"'.,;:|/\\"


# ----------------------------------------------------------------------------- geometry

Box = tuple[float, float, float, float]


def fit_affine(src: list[Box], dst: list[Box]) -> np.ndarray | None:
    """The 2x3 affine map from layout box centres to page box centres, by least squares.

    The generator keeps only axis-aligned boxes around mapped corners, but the centre of a mapped
    rectangle is the centre of that box, so the centres pin the map down. Boxes cut by the page edge
    are outliers and are dropped after a first fit.
    """
    if len(src) < 3:
        return None
    a = np.array([[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 1.0] for b in src])
    y = np.array([[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] for b in dst])
    keep = np.ones(len(a), dtype=bool)
    m = None
    for _ in range(3):
        if keep.sum() < 3:
            break
        m, *_ = np.linalg.lstsq(a[keep], y[keep], rcond=None)
        err = np.linalg.norm(a @ m - y, axis=1)
        new = err < max(4.0, 3 * float(np.median(err)))
        if (new == keep).all():
            break
        keep = new
    return None if m is None else m.T  # 2x3


def rot90_matrix(k: int, width: int, height: int) -> np.ndarray:
    """The 3x3 point map of `np.rot90(image, k)` (counter-clockwise quarter turns)."""
    m = np.eye(3)
    w, h = width, height
    for _ in range(k % 4):
        step = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, float(w)], [0.0, 0.0, 1.0]])
        m = step @ m
        w, h = h, w
    return m


def cleanup_matrix(rotation: int, skew_deg: float, width: int, height: int) -> np.ndarray:
    """The 3x3 point map from the input page to the stored (oriented, deskewed) page of the cleanup."""
    k = (rotation // 90) % 4
    m = rot90_matrix(k, width, height)
    w, h = (height, width) if k % 2 else (width, height)
    if skew_deg:
        r = cv2.getRotationMatrix2D((w / 2, h / 2), skew_deg, 1.0)
        m = np.vstack([r, [0, 0, 1]]) @ m
    return m


def map_box(m: np.ndarray, b: Box) -> Box:
    pts = np.array([[b[0], b[1], 1], [b[2], b[1], 1], [b[0], b[3], 1], [b[2], b[3], 1]], dtype=np.float64).T
    q = m @ pts
    return (float(q[0].min()), float(q[1].min()), float(q[0].max()), float(q[1].max()))


def _pair_words(layout: list[tuple[str, Box]], final: list[tuple[str, Box]]) -> tuple[list[Box], list[Box]]:
    """Layout and final boxes of the same words (the final list lost the words pushed off the page)."""
    src, dst = [], []
    i = 0
    for text, fb in final:
        j = i
        while j < len(layout) and layout[j][0] != text:
            j += 1
        if j < len(layout):
            src.append(layout[j][1])
            dst.append(fb)
            i = j + 1
    return src, dst


# ----------------------------------------------------------------------------- labelling

@dataclass(frozen=True, slots=True)
class LabelledSpan:
    start: int
    end: int
    label: str


def _cover(word: Box, span: Box) -> float:
    """How much a word and a span's box share, 0..1: the smaller of the horizontal and vertical overlaps,
    each relative to the narrower of the two (a word read with a table rule glued to it is taller and
    wider than its text, and a merged word is wider than the span)."""
    ix = max(0.0, min(word[2], span[2]) - max(word[0], span[0]))
    iy = max(0.0, min(word[3], span[3]) - max(word[1], span[1]))
    wx = max(1.0, min(word[2] - word[0], span[2] - span[0]))
    wy = max(1.0, min(word[3] - word[1], span[3] - span[1]))
    return min(ix / wx, iy / wy)


def _similar(read: str, want: str) -> float:
    """Similarity 0..1 of what OCR read and the span's text, letters and digits only."""
    a = re.sub(r"[^A-Z0-9]", "", read.upper())
    b = re.sub(r"[^A-Z0-9]", "", want.upper())
    return fuzz.ratio(a, b) / 100.0 if a and b else 0.0


def _trim(text: str, start: int, end: int, want: str) -> tuple[int, int]:
    """Drop outer punctuation that OCR glued to the span's words but the span itself lacks."""
    while start < end and text[start] in _OPEN and not want.startswith(text[start]):
        start += 1
    while end > start and text[end - 1] in _CLOSE and not want.endswith(text[end - 1]):
        end -= 1
    return start, end


def label_document(doc: DocText, page_spans: dict[int, list[tuple[str, str, Box]]]) -> tuple[list[LabelledSpan], int]:
    """Character spans of `doc` for the ground-truth spans (label, text, box in stored-page pixels).

    A word takes a span's label when the span's box covers at least half of it; a span's words are
    cut into runs of consecutive words, so a span never swallows a word that is not its own.
    A span whose words read too unlike its text (a garbled stamp) stays unlabelled.
    Returns the spans and how many ground-truth spans were left unlabelled.
    """
    out: list[LabelledSpan] = []
    missed = 0
    words_by_page: dict[int, list[int]] = {}
    for i, (_, _, page, _) in enumerate(doc._words):
        words_by_page.setdefault(page, []).append(i)
    taken: set[int] = set()
    for page, spans in page_spans.items():
        idx = words_by_page.get(page, [])
        for label, want, box in spans:
            hits = [i for i in idx if i not in taken and _cover(doc._words[i][3].bbox, box) >= MIN_WORD_COVER]
            if not hits:
                missed += 1
                continue
            read = " ".join(doc._words[i][3].text for i in hits)
            if _similar(read, want) < MIN_SIMILAR:
                missed += 1
                continue
            taken.update(hits)
            run = [hits[0]]
            for i in hits[1:] + [None]:
                if i is not None and i == run[-1] + 1 and doc.line_at(doc._words[i][0]) is doc.line_at(doc._words[run[-1]][0]):
                    run.append(i)
                    continue
                s, e = _trim(doc.text, doc._words[run[0]][0], doc._words[run[-1]][1], want)
                if e > s:
                    out.append(LabelledSpan(s, e, label))
                if i is not None:
                    run = [i]
    out.sort(key=lambda x: (x.start, x.end))
    return out, missed


# ----------------------------------------------------------------------------- OCR of one document

def _page_array(img) -> np.ndarray:
    if img.mode not in ("L", "RGB"):
        img = img.convert("L")
    return np.asarray(img)


def ocr_rendered(doc, engine) -> tuple[list[OcrPage], dict[int, list[tuple[str, str, Box]]]]:
    """OCR a rendered document with the product's cleanup and engine; the truth spans in stored pixels."""
    from ocr_service import cleanup
    from ocr_service.pipeline import read_cleaned

    pages: list[OcrPage] = []
    spans: dict[int, list[tuple[str, str, Box]]] = {}
    for n, (img, cv) in enumerate(zip(doc.pages, doc.canvases), start=1):
        arr = _page_array(img)
        cleaned = cleanup.clean(arr, doc.dpi, orient=engine.orientation)
        page = read_cleaned(engine, cleaned, n)  # as the product reads it
        pages.append(page)
        src, dst = _pair_words(cv.words(), doc.words[n - 1])
        affine = fit_affine(src, dst)
        if affine is None:
            continue
        to_page = np.vstack([affine, [0, 0, 1]])
        h, w = arr.shape[:2]
        m = cleanup_matrix(cleaned.rotation, cleaned.skew_deg, w, h) @ to_page
        spans[n] = [(s.label, s.text, map_box(m, s.bbox)) for s in cv.spans if s.label in LABELS]
    return pages, spans


def build_record(seed: int, index: int, engine) -> dict:
    """One corpus line: the OCR words of document `index` of `seed` and their labelled spans."""
    from samples.generator import render_document

    doc = render_document(seed, index)
    pages, page_spans = ocr_rendered(doc, engine)
    text = DocText(pages)
    labelled, missed = label_document(text, page_spans)
    return {
        "seed": seed, "index": index,
        "meta": {k: doc.truth.get(k) for k in ("layout", "damage", "format", "scan", "pages")} | {"variant": doc.variant},
        "pages": [page_to_json(p) for p in pages],
        "spans": [[s.start, s.end, s.label] for s in labelled],
        "missed": missed,
        "truth": doc.truth,
    }


def page_to_json(p: OcrPage) -> dict:
    return {"number": p.number, "width": p.width, "height": p.height,
            "words": [[w.text, *w.bbox, w.conf, w.line, w.block] for w in p.words]}


def page_from_json(d: dict) -> OcrPage:
    words = tuple(Word(t, (x0, y0, x1, y1), conf, line, block) for t, x0, y0, x1, y1, conf, line, block in d["words"])
    return OcrPage(d["number"], d["width"], d["height"], words)


def read_corpus(path: Path) -> Iterator[dict]:
    """Corpus lines from a .jsonl.gz or a plain .jsonl file (e.g. exported reviewers' corrections)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


# ----------------------------------------------------------------------------- driver

_ENGINE = None


def _work(args: tuple[int, int]) -> dict:
    global _ENGINE
    if _ENGINE is None:
        from ocr_service.ocr import get_engine
        from ocr_service.settings import Settings

        _ENGINE = get_engine(Settings())
    return build_record(*args, _ENGINE)


def build(seed: int, indices: Iterable[int], jobs: int = 1) -> Iterator[dict]:
    """Corpus records in index order, built by `jobs` processes."""
    tasks = [(seed, i) for i in indices]
    if jobs <= 1:
        yield from map(_work, tasks)
        return
    import multiprocessing as mp

    with mp.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(_work, tasks, chunksize=1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True, help="a .jsonl.gz file")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    a = ap.parse_args(argv)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    n_spans = n_missed = 0
    tmp = a.out.with_suffix(".tmp")
    # mtime=0: the same corpus gives the same bytes (and checksum)
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for k, rec in enumerate(build(a.seed, range(a.start, a.start + a.n), a.jobs), start=1):
            gz.write((json.dumps(rec, sort_keys=True) + "\n").encode())
            n_spans += len(rec["spans"])
            n_missed += rec["missed"]
            if k % 10 == 0 or k == a.n:
                print(f"  {k}/{a.n} documents, {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    tmp.replace(a.out)
    print(f"wrote {a.n} documents ({n_spans} labelled spans, {n_missed} truth spans on no OCR word) to {a.out} "
          f"in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
