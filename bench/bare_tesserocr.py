"""Bare tesseract through tesserocr (the same libtesseract build the product uses): one API object
per worker process, each page read from its file and recognised, words and boxes rendered as TSV.

    python -m bench.bare_tesserocr --jobs 2 --tessdata DIR --lang eng --psm 4 PAGE.png...
"""
from __future__ import annotations

import argparse
import os

os.environ["OMP_THREAD_LIMIT"] = "1"  # before libtesseract loads

from multiprocessing import Pool

_api = None


def _init(tessdata: str, lang: str, psm: int) -> None:
    global _api
    from tesserocr import PyTessBaseAPI

    _api = PyTessBaseAPI(path=f"{tessdata}/", lang=lang, psm=psm)
    _api.SetVariable("preserve_interword_spaces", "1")


def _read(path: str) -> int:
    _api.SetImageFile(path)
    _api.Recognize()
    tsv = _api.GetTSVText(0)
    _api.Clear()
    return tsv.count("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bare_tesserocr")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--tessdata", required=True)
    ap.add_argument("--lang", default="eng")
    ap.add_argument("--psm", type=int, default=6)
    ap.add_argument("pages", nargs="+")
    a = ap.parse_args(argv)
    with Pool(a.jobs, initializer=_init, initargs=(a.tessdata, a.lang, a.psm)) as pool:
        rows = sum(pool.imap_unordered(_read, a.pages, chunksize=1))
    print(f"{len(a.pages)} pages, {rows} TSV rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
