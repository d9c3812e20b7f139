"""The one job both worker modes run: claim a document in the database, run the pipeline, store the result.

Local worker processes (`workers.local`) and Celery tasks (`workers.celery_app`) both call
`run_document`. Correctness rests on the database, not on the queue:
- claiming is one conditional UPDATE, so two workers never process the same document at once;
- a claim is a lease the worker renews while it works; a worker that dies loses it, and the
  document becomes claimable again (by a poller, or by a message the sweeper sends again);
- the result is written in one transaction with the status change, only by the lease holder, and
  `cases.document_id` is unique: a redelivered message can never make a second result.
"""
from __future__ import annotations

import datetime as dt
import importlib
import io
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from sqlalchemy.exc import IntegrityError

from ocr_service.blobstore import page_key
from ocr_service.errors import CleardocketError
from ocr_service.logging import event
from ocr_service.storage import repo
from ocr_service.storage.context import Services, ServiceSettings

log = logging.getLogger("cleardocket.worker")

PageSink = Callable[[int, np.ndarray], None]


@dataclass(frozen=True, slots=True)
class Processed:
    """What a processor hands back for one document: the contract's case record and its page count."""

    record: dict[str, Any]
    pages: int


class Processor(Protocol):
    def __call__(self, path: Path, *, file: str, policy: str | None, settings: ServiceSettings,
                 on_page: PageSink) -> Processed: ...


@dataclass(frozen=True, slots=True)
class RunOutcome:
    kind: Literal["done", "failed", "retry", "skipped", "lost"]
    countdown: float = 0.0  # for "retry": seconds until the document may be claimed again


class InternalError(CleardocketError):
    code = "internal_error"


class WorkerCrashed(CleardocketError):
    code = "worker_crashed"


def run_pipeline(path: Path, *, file: str, policy: str | None, settings: ServiceSettings,
                 on_page: PageSink) -> Processed:
    """The default processor: the product's pipeline and its case record."""
    from ocr_service.pipeline import process_document
    from ocr_service.record import case_record

    result = process_document(path, policy=policy, settings=settings, on_page=on_page)
    return Processed(case_record(result, file=file), result.info.pages)


@lru_cache(maxsize=8)
def load_processor(spec: str) -> Processor:
    """`module:function` to the function (the settings name which processor a worker runs)."""
    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"processor must read module:function, not {spec!r}")
    return getattr(importlib.import_module(module), name)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", compress_level=3)
    return buf.getvalue()


class _Lease:
    """Renews a claim every third of the lease in a background thread while the work runs."""

    def __init__(self, services: Services, document_id: str, worker: str):
        self.services, self.document_id, self.worker = services, document_id, worker
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{document_id[:8]}", daemon=True)

    def renew(self) -> None:
        until = utcnow() + dt.timedelta(seconds=self.services.settings.lease_seconds)
        with self.services.db.write() as s:
            if not repo.renew_lease(s, document_id=self.document_id, worker=self.worker, lease_until=until):
                self.lost = True

    def _run(self) -> None:
        period = max(self.services.settings.lease_seconds / 3, 0.2)
        while not self._stop.wait(period):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - a missed renewal is retried; the lease has slack
                log.warning("lease.renew_failed", exc_info=True, extra={"fields": {"document_id": self.document_id}})

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def run_document(document_id: str, *, services: Services, worker: str | None = None,
                 processor: Processor | None = None) -> RunOutcome:
    """Claim one document and process it. Never raises for a bad document; returns what happened."""
    st = services.settings
    worker = worker or worker_id()
    now = utcnow()
    with services.db.write() as s:
        doc = repo.claim_document(s, document_id=document_id, worker=worker, now=now,
                                  lease_until=now + dt.timedelta(seconds=st.lease_seconds),
                                  max_attempts=st.max_attempts)
    if doc is None:
        return RunOutcome("skipped")
    event(log, "document.claimed", document_id=doc.id, attempt=doc.attempts, worker=worker)
    return _process_claimed(doc, services=services, worker=worker,
                            processor=processor or load_processor(st.processor))


def _process_claimed(doc: repo.DocumentView, *, services: Services, worker: str,
                     processor: Processor) -> RunOutcome:
    st = services.settings
    t0 = time.perf_counter()
    seen_pages = 0

    with _Lease(services, doc.id, worker) as lease:

        def on_page(number: int, image: np.ndarray) -> None:
            nonlocal seen_pages
            seen_pages = max(seen_pages, number)
            services.blobs.put_bytes(page_key(doc.id, number), _png(image))

        try:
            if not doc.blob_key:
                raise InternalError("the document has no stored file")
            with services.blobs.local_path(doc.blob_key) as path:
                out = processor(path, file=doc.file, policy=doc.policy, settings=st, on_page=on_page)
        except CleardocketError as e:
            return _fail(services, doc, worker, e, t0, pages=seen_pages or None)
        except Exception as e:  # noqa: BLE001 - a bug or a transient fault costs an attempt, not the worker
            log.error("document.error", exc_info=True, extra={"fields": {"document_id": doc.id,
                                                                        "attempt": doc.attempts}})
            if doc.attempts < st.max_attempts:
                delay = st.retry_backoff_seconds * 2 ** (doc.attempts - 1)
                with services.db.write() as s:
                    released = repo.release_document(
                        s, document_id=doc.id, worker=worker, available_at=utcnow() + dt.timedelta(seconds=delay),
                        code=InternalError.code, message=f"attempt {doc.attempts} failed: {type(e).__name__}")
                event(log, "document.retry", logging.WARNING, document_id=doc.id, attempt=doc.attempts,
                      countdown_s=delay)
                return RunOutcome("retry", delay) if released else RunOutcome("lost")
            return _fail(services, doc, worker, InternalError(f"processing failed ({type(e).__name__})"), t0)
        if lease.lost:
            event(log, "document.lease_lost", logging.WARNING, document_id=doc.id, worker=worker)

    return _complete(services, doc, worker, out, t0)


def _complete(services: Services, doc: repo.DocumentView, worker: str, out: Processed, t0: float) -> RunOutcome:
    from pydantic import ValidationError

    from ocr_service.api.schemas import CaseRecord

    record = dict(out.record)
    record["source"] = {"sha256": doc.sha256, **(record.get("source") or {})}
    try:
        CaseRecord.model_validate(record)  # reads send the stored text as it is: check it once, here
    except ValidationError as e:
        log.error("document.invalid_record", extra={"fields": {"document_id": doc.id, "errors": e.error_count()}})
        return _fail(services, doc, worker, InternalError("the result does not meet the case record contract"), t0,
                     pages=out.pages)
    try:
        with services.db.write() as s:
            ok = repo.complete_document(s, document_id=doc.id, worker=worker, case_id=str(uuid.uuid4()),
                                        record=record, pages=out.pages, now=utcnow())
            if not ok:
                raise _LostClaim
    except (_LostClaim, IntegrityError):
        event(log, "document.result_dropped", logging.WARNING, document_id=doc.id, worker=worker)
        return RunOutcome("lost")
    review = bool((record.get("review") or {}).get("required"))
    event(log, "document.done", document_id=doc.id, pages=out.pages, worker=worker,
          duration_ms=round((time.perf_counter() - t0) * 1000), outcome=(record.get("relief") or {}).get("outcome"),
          review_required=review)
    return RunOutcome("done")


class _LostClaim(Exception):
    """The lease ran out and another worker holds (or finished) the document: drop this result."""


def _fail(services: Services, doc: repo.DocumentView, worker: str, err: CleardocketError, t0: float,
          pages: int | None = None) -> RunOutcome:
    with services.db.write() as s:
        ok = repo.fail_document(s, document_id=doc.id, worker=worker, code=err.code, message=err.message,
                                now=utcnow(), pages=pages)
    event(log, "document.failed", logging.WARNING, document_id=doc.id, code=err.code, worker=worker,
          duration_ms=round((time.perf_counter() - t0) * 1000))
    return RunOutcome("failed") if ok else RunOutcome("lost")


def sweep(services: Services, *, enqueue: Callable[[list[str]], None] | None = None) -> dict[str, int]:
    """Housekeeping any process may run: fail documents that used up their attempts, re-send lost jobs."""
    st = services.settings
    now = utcnow()
    with services.db.write() as s:
        failed = repo.fail_exhausted(s, now=now, max_attempts=st.max_attempts, code=WorkerCrashed.code,
                                     message="the worker died or failed on every attempt at this document")
    resent = 0
    if enqueue is not None:
        with services.db.write() as s:
            ids = repo.due_for_enqueue(s, now=now, max_attempts=st.max_attempts,
                                       resend_before=now - dt.timedelta(seconds=st.resend_after_seconds))
            if ids:
                enqueue(ids)
                repo.mark_enqueued(s, document_ids=ids, now=now)
        resent = len(ids)
    if failed or resent:
        event(log, "queue.swept", failed=len(failed), resent=resent)
    return {"failed": len(failed), "resent": resent}
