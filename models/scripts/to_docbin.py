"""Convert a corpus (.jsonl.gz from build_corpus.py) to spaCy's binary format.

    python models/scripts/to_docbin.py corpus/train.jsonl.gz corpus/train.spacy

The text of each document is rebuilt from its OCR words with `extractors.document.DocText` (the
text the tagger sees in the product), cut with the model's tokenizer, and the labelled character
spans go into `doc.spans["sc"]`, the key the span categorizer learns from.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for p in (str(ROOT), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

from spacy.tokens import Doc, DocBin  # noqa: E402

from build_corpus import page_from_json, read_corpus  # noqa: E402
from extractors.document import DocText  # noqa: E402
from ocr_tokens import blank  # noqa: E402

SPANS_KEY = "sc"


def record_to_doc(nlp, rec: dict) -> tuple[Doc, int]:
    """The spaCy doc of one corpus record, and how many labels did not fall on token boundaries."""
    text = DocText([page_from_json(p) for p in rec["pages"]]).text
    doc = nlp.make_doc(text)
    spans, off = [], 0
    for start, end, label in rec["spans"]:
        span = doc.char_span(start, end, label=label, alignment_mode="strict")
        if span is None:
            off += 1
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None and len(span):
            spans.append(span)
    doc.spans[SPANS_KEY] = spans
    doc.user_data["source"] = rec.get("file") or f"{rec.get('seed')}:{rec.get('index')}"
    return doc, off


def convert(src: Path, dst: Path) -> Counter:
    nlp = blank()
    db = DocBin(store_user_data=True)
    stats: Counter = Counter()
    for rec in read_corpus(src):
        doc, off = record_to_doc(nlp, rec)
        db.add(doc)
        stats["docs"] += 1
        stats["tokens"] += len(doc)
        stats["expanded"] += off
        for s in doc.spans[SPANS_KEY]:
            stats[s.label_] += 1
            stats[f"len{min(len(s), 12)}"] += 1
    dst.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(dst)
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    a = ap.parse_args(argv)
    stats = convert(a.src, a.dst)
    print(f"{a.dst}: {dict(sorted(stats.items()))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
