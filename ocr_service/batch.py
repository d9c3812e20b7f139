"""Run many documents over worker processes, results in input order, memory flat in the batch size.

Each worker process loads the OCR engine (and the NER model) once. At most `window` documents are
in flight, so a slow document holds back only that many finished results. A worker that dies (a
crash inside a native library) costs only the document it was on: that one gets an error record
after it has been retried alone, and the batch goes on in a fresh pool.
"""
from __future__ import annotations

import logging
import multiprocessing
import sys
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ocr_service.errors import CleardocketError, UnreadableFile
from ocr_service.timing import StageTimer

log = logging.getLogger(__name__)


class WorkerCrashed(CleardocketError):
    code = "worker_crashed"


class InternalError(CleardocketError):
    code = "internal_error"


@dataclass
class Outcome:
    """What one worker hands back: the output record plus figures for the run's summary."""

    record: dict
    pages: int = 0
    timer: StageTimer = field(default_factory=StageTimer)


# Side files that scan folders carry (manifests, notes, ground truth). A folder walk leaves them
# out; a file named on the command line is always read, and its type is judged from its bytes.
SIDE_FILE_SUFFIXES = frozenset({".json", ".jsonl", ".txt", ".md", ".csv", ".xml", ".log", ".ini", ".db"})


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders walked recursively, sorted by path, hidden and side files left out."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*")
                              if f.is_file() and f.suffix.lower() not in SIDE_FILE_SUFFIXES
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def _init_worker() -> None:
    """One thread each for tesseract and OpenCV, and the extraction model loaded once, not in the first
    document (`worker_preload`; a worker forked from the pool's server has it already)."""
    import ocr_service.worker_preload  # noqa: F401


def _pool_context() -> multiprocessing.context.BaseContext:
    """Workers are forked from a server process that has loaded the libraries and the NER model once
    (`worker_preload`), not started as fresh interpreters that load them again ("spawn", which
    `max_tasks_per_child` would otherwise mean): a worker, and each replacement after
    `max_tasks_per_child` documents, starts without the ~1.5 CPU seconds of loading."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["ocr_service.worker_preload"])
    return ctx


def process_one(path: str, policy: str) -> Outcome:
    """Worker entry: one document to one record. Never raises."""
    from ocr_service.pipeline import process_document
    from ocr_service.record import case_record, error_record

    timer = StageTimer()
    try:
        result = process_document(Path(path), policy=policy, timer=timer)
    except CleardocketError as e:
        return Outcome(error_record(path, e), 0, timer)
    except OSError as e:  # the file went away or cannot be read: an input problem, not a bug
        return Outcome(error_record(path, UnreadableFile(f"cannot read the file: {e.strerror or e}")), 0, timer)
    except Exception as e:  # a bug must cost one document, not the batch
        log.error("internal error on a document: %s", traceback.format_exc(limit=5))
        return Outcome(error_record(path, InternalError(f"{type(e).__name__}: {e}")), 0, timer)
    with timer.stage("output"):
        rec = case_record(result, file=path)
    return Outcome(rec, result.info.pages, timer)


def run(paths: list[Path], *, policy: str, jobs: int, window: int | None = None) -> Iterator[Outcome]:
    """Yield one Outcome per path, in input order."""
    if jobs <= 1:
        _init_worker()
        for p in paths:
            yield process_one(str(p), policy)
        return
    window = window or jobs * 4
    todo = deque(str(p) for p in paths)
    while todo:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_pool_context(), initializer=_init_worker,
                                   max_tasks_per_child=500)
        inflight: deque[tuple[str, Future]] = deque()
        broken = False
        try:
            while todo or inflight:
                while todo and len(inflight) < window:
                    p = todo.popleft()
                    inflight.append((p, pool.submit(process_one, p, policy)))
                p, fut = inflight[0]
                try:
                    out = fut.result()
                except BrokenProcessPool:
                    broken = True
                    break
                inflight.popleft()
                yield out
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
        if broken:
            # Retry each document that was in flight alone, so the one that kills a worker is found.
            for p, _ in inflight:
                yield _run_isolated(p, policy)
            inflight.clear()


def _run_isolated(path: str, policy: str) -> Outcome:
    from ocr_service.record import error_record

    with ProcessPoolExecutor(max_workers=1, mp_context=_pool_context(), initializer=_init_worker) as pool:
        try:
            return pool.submit(process_one, path, policy).result()
        except BrokenProcessPool:
            print(f"cleardocket: a worker died on {path}", file=sys.stderr)
            return Outcome(error_record(path, WorkerCrashed("the OCR worker process died on this document")))
