"""Where a page's time goes inside the pipeline, and what the orientation step costs.

    python -m bench.profile --pages 8          # pyinstrument tree over 8 benchmark pages, one process
    python -m bench.profile --orientation --pages 40   # what orientation costs, and a proposed order

Both run the product's own public functions in this process on the benchmark corpus; nothing is
patched. `--orientation` times cleanup + OCR per page with and without the orientation step and
projects the cost of reading a page first and searching orientations only when it reads badly.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def _load(path: Path):
    """A page image and its resolution, the way the product decodes it."""
    from ocr_service import ingest
    from ocr_service.settings import get_settings

    src = next(ingest.iter_pages(path, get_settings()))
    return src.image, src.dpi


def pipeline_tree(pages: Sequence[Path], threshold: float = 0.02) -> str:
    """pyinstrument's call tree (percent of total) of `process_document` over `pages`, after one
    warm-up page, with frames under `threshold` of the total left out."""
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer

    from ocr_service.pipeline import process_document

    process_document(pages[0])  # engine, tagger and policy loaded outside the profile
    profiler = Profiler(interval=0.002)
    profiler.start()
    for p in pages:
        process_document(p)
    session = profiler.stop()
    renderer = ConsoleRenderer(time="percent_of_total", unicode=False, color=False,
                               processor_options={"filter_threshold": threshold, "hide_regex": r".*/(numpy|PIL)/.*"})
    head = f"{len(pages)} pages, {session.duration:.1f} s wall, {session.cpu_time:.1f} s CPU in the profile"
    return head + "\n" + trim_tree(renderer.render(session), "process_document")


def trim_tree(text: str, root: str) -> str:
    """pyinstrument's text tree from the first frame named `root` down, shifted left to start there
    (the frames above it are this script and runpy)."""
    lines = [line for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if f" {root} " in line), None)
    if start is None:
        return "\n".join(lines)
    first = lines[start]
    branch = first.find("- ") - 1 if "- " in first[:first.find("%")] else -1  # column of its `- or |-
    cut = branch + 3 if branch >= 0 else 0
    out = [first[cut:]]
    for line in lines[start + 1:]:
        if len(line) <= cut or line[max(branch, 0):cut].strip():
            break  # the root's sibling or an ancestor's: no longer below the root
        out.append(line[cut:])
    return "\n".join(out)


@dataclass(frozen=True)
class OrientationRow:
    page: str
    clean_plain_s: float  # cleanup.clean() without orientation, CPU seconds
    clean_oriented_s: float  # cleanup.clean() with the engine's orientation, as the pipeline calls it
    read_plain_s: float  # OCR of the page cleaned without orientation
    read_oriented_s: float  # OCR of the page cleaned with orientation
    upright_score: float  # reading score of the page read without orientation
    upright_words: int
    rotation: int  # what the product's orientation decided

    @property
    def shipped_s(self) -> float:
        return self.clean_oriented_s + self.read_oriented_s

    def read_first_s(self, min_score: float, min_words: int) -> float:
        """The proposed order: clean and read the page as it is; only a page that reads badly pays for
        the orientation search and, if turned, a second cleanup and read (counted in full here)."""
        base = self.clean_plain_s + self.read_plain_s
        return base if self.reads_upright(min_score, min_words) else base + self.shipped_s

    def reads_upright(self, min_score: float, min_words: int) -> bool:
        return self.upright_score >= min_score and self.upright_words >= min_words


def orientation_costs(pages: Sequence[Path]) -> list[OrientationRow]:
    """Per page, CPU seconds of cleanup and OCR with and without the orientation step, and how well
    the page reads without it (the product's own reading score)."""
    from ocr_service import cleanup
    from ocr_service.ocr import get_engine, reading_score
    from ocr_service.settings import get_settings

    engine = get_engine(get_settings())

    def timed(fn, *args, **kwargs):
        t0 = time.process_time()
        out = fn(*args, **kwargs)
        return time.process_time() - t0, out

    def read(c):
        return engine.read(c.ocr_image, 1, scale=c.scale, dpi=c.ocr_dpi)

    rows = []
    for path in pages:
        image, dpi = _load(path)
        t_plain, plain = timed(cleanup.clean, image, dpi)
        t_oriented, oriented = timed(cleanup.clean, image, dpi, orient=engine.orientation)
        r_plain, page_plain = timed(read, plain)
        r_oriented, _ = timed(read, oriented)
        score, words = reading_score(page_plain.words)
        rows.append(OrientationRow(path.name, t_plain, t_oriented, r_plain, r_oriented, score, words,
                                   oriented.rotation))
    return rows


def orientation_table(rows: Sequence[OrientationRow]) -> str:
    from ocr_service.ocr.base import MIN_WORDS, UPRIGHT_SCORE

    n = len(rows)
    shipped = sum(r.shipped_s for r in rows) / n
    proposed = sum(r.read_first_s(UPRIGHT_SCORE, MIN_WORDS) for r in rows) / n
    plain = sum(r.clean_plain_s + r.read_plain_s for r in rows) / n
    fast = [r for r in rows if r.reads_upright(UPRIGHT_SCORE, MIN_WORDS)]
    wrong = [r.page for r in fast if r.rotation != 0]
    return "\n".join([
        f"| cleanup + OCR, {n} pages ({sum(r.rotation != 0 for r in rows)} turned by orientation) | CPU s per page |",
        "|---|---:|",
        f"| without orientation | {plain:.3f} |",
        f"| as shipped (orientation sample read inside cleanup) | {shipped:.3f} |",
        f"| read first, orient only pages scoring < {UPRIGHT_SCORE} (proposed) | {proposed:.3f} |",
        "",
        (f"{len(fast)} of {n} pages read well as they are (score >= {UPRIGHT_SCORE}, >= {MIN_WORDS} words) and "
        f"would skip the orientation search; of those, turned by the product's orientation: "
        f"{', '.join(wrong) or 'none'}."),
    ])


def main(argv: list[str] | None = None) -> int:
    from bench import corpus as corpus_mod

    ap = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=8, help="how many corpus pages to profile")
    ap.add_argument("--corpus-pages", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleardocket-bench")
    ap.add_argument("--orientation", action="store_true", help="measure orientation's cost instead")
    a = ap.parse_args(argv)
    corpus = corpus_mod.build(a.work, seed=a.seed, pages=a.corpus_pages)
    pages = spread(corpus.pngs, a.pages)
    if a.orientation:
        print(orientation_table(orientation_costs(pages)))
    else:
        print(pipeline_tree(pages))
    return 0


def spread(items: Sequence[Path], k: int) -> list[Path]:
    """k items spread evenly over the sequence (every layout and damage gets its turn)."""
    if k >= len(items):
        return list(items)
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


if __name__ == "__main__":
    sys.exit(main())
