"""The embedded mode's workers: a few local processes that poll the database for documents.

`serve` starts a `LocalPool`; each process loops `claim -> run_document` (the same function the
Celery tasks run). A supervisor thread restarts a process that died (a crash in a native library,
a kill -9) and sweeps the queue, so the document it held is claimed again once its lease runs out.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from multiprocessing.synchronize import Event as MpEvent

from ocr_service.logging import configure, event
from ocr_service.storage import repo
from ocr_service.storage.context import Services, ServiceSettings
from ocr_service.workers.jobs import Processor, RunOutcome, run_document, sweep, utcnow, worker_id

log = logging.getLogger("cleardocket.worker")


def claim_and_run_one(services: Services, *, worker: str, processor: Processor | None = None) -> RunOutcome | None:
    """Process the oldest claimable document; None when there is none."""
    with services.db.read() as s:
        ids = repo.next_claimable_ids(s, now=utcnow(), max_attempts=services.settings.max_attempts)
    for doc_id in ids:
        out = run_document(doc_id, services=services, worker=worker, processor=processor)
        if out.kind != "skipped":
            return out
    return None


def drain(services: Services, *, worker: str | None = None, processor: Processor | None = None,
          limit: int | None = None) -> int:
    """Process claimable documents in this process until none is left (or `limit`); returns how many."""
    worker = worker or worker_id()
    n = 0
    while limit is None or n < limit:
        if claim_and_run_one(services, worker=worker, processor=processor) is None:
            break
        n += 1
    return n


def _worker_main(settings_json: str, stop: MpEvent) -> None:
    """Entry of one local worker process (spawned, so it opens its own database connections)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop (Ctrl-C, docker stop)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    settings = ServiceSettings.model_validate_json(settings_json)
    configure(settings.log_level)
    services = Services(settings)
    me = worker_id()
    parent = os.getppid()
    event(log, "worker.started", worker=me, mode="local")
    while not stop.is_set() and os.getppid() == parent:  # an orphan (serve was killed) stops too
        try:
            out = claim_and_run_one(services, worker=me)
        except Exception:  # noqa: BLE001 - e.g. the database briefly unreachable: wait and poll again
            log.error("worker.poll_failed", exc_info=True)
            out = None
        if out is None:
            stop.wait(settings.poll_seconds)
    event(log, "worker.stopped", worker=me)


class LocalPool:
    """N worker processes kept alive by a supervisor thread that also sweeps the queue."""

    def __init__(self, settings: ServiceSettings, processes: int):
        self.settings = settings
        self.n = max(1, processes)
        self._ctx = mp.get_context("spawn")
        self._stop = self._ctx.Event()
        self._procs: list[mp.process.BaseProcess] = []
        self._supervisor: threading.Thread | None = None
        self._halt = threading.Event()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs if p.pid is not None]

    def _spawn(self) -> mp.process.BaseProcess:
        p = self._ctx.Process(target=_worker_main, args=(self.settings.model_dump_json(), self._stop),
                              name="cleardocket-worker", daemon=True)
        p.start()
        return p

    def start(self) -> None:
        self._procs = [self._spawn() for _ in range(self.n)]
        self._supervisor = threading.Thread(target=self._supervise, name="pool-supervisor", daemon=True)
        self._supervisor.start()
        event(log, "pool.started", workers=self.n)

    def _supervise(self) -> None:
        services = Services(self.settings)
        last_sweep = 0.0
        while not self._halt.wait(0.5):
            for i, p in enumerate(self._procs):
                if not p.is_alive() and not self._halt.is_set():
                    event(log, "worker.died", logging.WARNING, pid=p.pid, exit_code=p.exitcode)
                    self._procs[i] = self._spawn()
            if time.monotonic() - last_sweep < self.settings.sweep_seconds:
                continue
            last_sweep = time.monotonic()
            try:
                sweep(services)
            except Exception:  # noqa: BLE001 - try again at the next tick
                log.error("pool.sweep_failed", exc_info=True)

    def stop(self, timeout: float = 10.0) -> None:
        self._halt.set()
        self._stop.set()
        for p in self._procs:
            p.join(timeout)
        for p in self._procs:
            if p.is_alive():  # still busy after the grace period: its document's lease will expire
                p.kill()
                p.join(2)
        if self._supervisor:
            self._supervisor.join(5)
        event(log, "pool.stopped", workers=self.n)
