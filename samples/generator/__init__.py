"""Synthetic scanned LA County court dockets with ground truth, deterministic from a seed.

    from samples.generator import generate, render_document
    records = generate(40, seed=7, out=Path("/tmp/set"))          # files + truth.jsonl + spans.jsonl
    doc = render_document(seed=7, index=3)                         # in memory: doc.pages, doc.spans, doc.truth
    plan = plan_document(seed=7, index=3)                          # no pixels: facts, layout pages and spans

Everything it draws is invented; see samples/README.md.
"""
from __future__ import annotations

import json
from pathlib import Path

from .damage import ALL as DAMAGES
from .document import LAYOUTS, PRINTER_FACES, Plan, RenderedDocument, plan_document, render_document, write_document
from .formats import FORMATS

__all__ = ["DAMAGES", "FORMATS", "LAYOUTS", "PRINTER_FACES", "Plan", "RenderedDocument", "generate", "plan_document", "render_document",
           "write_document"]


def generate(n: int, seed: int, out: Path, *, layouts: list[str] | None = None, formats: list[str] | None = None,
             clean_only: bool = False, prefix: str | None = None, start: int = 0, cycle: bool = False,
             printer_face: str = "pins") -> list[dict]:
    """Write n documents into `out` with `truth.jsonl` and `spans.jsonl`; return the truth records.

    `cycle` walks layouts and formats in turn instead of drawing them; `printer_face` chooses how
    dot-matrix printouts are drawn (see `plan_document`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    records: list[dict] = []
    with open(out / "truth.jsonl", "w") as truth_fh, open(out / "spans.jsonl", "w") as spans_fh:
        for index in range(start, start + n):
            doc = render_document(seed, index, layouts=layouts, formats=formats, clean_only=clean_only, cycle=cycle,
                                  printer_face=printer_face)
            doc.truth["file"] = _name(prefix, seed, index, Path(doc.truth["file"]).suffix)
            write_document(doc, out)
            truth_fh.write(json.dumps(doc.truth) + "\n")
            spans_fh.write(json.dumps(doc.spans_record()) + "\n")
            records.append(doc.truth)
    return records


def _name(prefix: str | None, seed: int, index: int, ext: str) -> str:
    return f"{prefix or f'gen{seed}'}_{index:05d}{ext}"
