"""Where a page's time goes inside the pipeline, and what the orientation step costs.

    python -m bench.profile --pages 8          # pyinstrument tree over 8 benchmark pages, one process
    python -m bench.profile --orientation --pages 40   # orientation searched in cleanup vs after reading

Both run the product's own public functions in this process on the benchmark corpus; nothing is
patched. `--orientation` times cleanup + the first reading per page with the orientation searched in
cleanup for every page (the order before issue 7's read-first change) and in the pipeline's order.
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
    in_cleanup_s: float  # clean() asking the engine's orientation for every page, then OCR (the old order)
    after_reading_s: float  # the pipeline's order: clean(orient_after_reading=True), then read_upright
    rotation_in_cleanup: int
    rotation_after_reading: int
    searched: bool  # the pipeline's order asked the engine which way up


def orientation_costs(pages: Sequence[Path]) -> list[OrientationRow]:
    """Per page, CPU seconds of cleanup + first reading with orientation searched in cleanup for every
    page, and in the pipeline's order (searched only for a page whose lines run down it, or whose
    reading scores poorly)."""
    from ocr_service import cleanup, reread
    from ocr_service.ocr import get_engine
    from ocr_service.settings import get_settings

    engine = get_engine(get_settings())
    searches = [0]

    class Counting:
        def read(self, *args, **kwargs):
            return engine.read(*args, **kwargs)

        def orientation(self, sample):
            searches[0] += 1
            return engine.orientation(sample)

    counting = Counting()
    rows = []
    for path in pages:
        image, dpi = _load(path)
        t0 = time.process_time()
        old = cleanup.clean(image, dpi, orient=engine.orientation)
        engine.read(old.ocr_image, 1, scale=old.scale, dpi=old.ocr_dpi)
        t1 = time.process_time()
        searches[0] = 0
        new = cleanup.clean(image, dpi, orient=counting.orientation, orient_after_reading=True)
        new, _ = reread.read_upright(counting, new, 1, lambda angle, conf: cleanup.clean(
            image, dpi, orient=lambda _sample: (angle, conf)))
        t2 = time.process_time()
        rows.append(OrientationRow(path.name, t1 - t0, t2 - t1, old.rotation, new.rotation, searches[0] > 0))
    return rows


def orientation_table(rows: Sequence[OrientationRow]) -> str:
    n = len(rows)
    old = sum(r.in_cleanup_s for r in rows) / n
    new = sum(r.after_reading_s for r in rows) / n
    differ = [f"{r.page} ({r.rotation_in_cleanup} -> {r.rotation_after_reading})" for r in rows
              if r.rotation_in_cleanup != r.rotation_after_reading]
    return "\n".join([
        f"| cleanup + first reading, {n} pages ({sum(r.rotation_after_reading != 0 for r in rows)} turned) | CPU s per page |",
        "|---|---:|",
        f"| orientation searched in cleanup for every page | {old:.3f} |",
        f"| the pipeline's order: after reading, only when needed | {new:.3f} |",
        "",
        f"The pipeline's order asked the engine on {sum(r.searched for r in rows)} of {n} pages; "
        f"turned differently: {', '.join(differ) or 'none'}.",
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
