"""Command line: python -m samples.generator --n 40 --seed 7 --out DIR [--layouts ...] [--formats ...]."""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from . import FORMATS, LAYOUTS, PRINTER_FACES, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples.generator", description=__doc__)
    ap.add_argument("--n", type=int, default=40, help="number of documents")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True, help="output folder (created)")
    ap.add_argument("--layouts", nargs="+", choices=LAYOUTS, help="layouts to draw from (default: all)")
    ap.add_argument("--formats", nargs="+", choices=FORMATS, help="file formats to draw from (default: all)")
    ap.add_argument("--clean-only", action="store_true", help="no scan damage")
    ap.add_argument("--prefix", help="file name prefix (default gen<seed>)")
    ap.add_argument("--start", type=int, default=0, help="index of the first document")
    ap.add_argument("--cycle", action="store_true",
                    help="take layouts and formats in turn (document i: layout i mod L, format i mod F)")
    ap.add_argument("--printer-face", choices=PRINTER_FACES, default="pins",
                    help="dot-matrix printouts: pin-dot bitmaps (default) or the earlier fine-grid look")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    recs = generate(a.n, a.seed, a.out, layouts=a.layouts, formats=a.formats, clean_only=a.clean_only,
                    prefix=a.prefix, start=a.start, cycle=a.cycle,
                    printer_face=a.printer_face)
    size = sum(p.stat().st_size for p in a.out.iterdir() if p.is_file())
    print(f"wrote {len(recs)} documents to {a.out} ({size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f}s; "
          f"layouts {dict(Counter(r['layout'] for r in recs))}; formats {dict(Counter(r['format'] for r in recs))}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
