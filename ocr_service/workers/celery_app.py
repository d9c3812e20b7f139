"""The distributed mode: Celery with a Redis broker, tasks carrying only a document id.

Start workers with `cleardocket worker` on any machine that reaches the PostgreSQL database, the
broker and the shared blob folder. Messages are acknowledged late (after the work), so a worker
killed mid-document leaves its message to be delivered again; the database claim makes the second
delivery harmless. The sweeper (here and in `serve`) re-sends work whose message was lost.
"""
from __future__ import annotations

import logging
import os
import threading

from celery import Celery, signals

from ocr_service.logging import configure, event
from ocr_service.storage.context import Services, ServiceSettings, service_settings
from ocr_service.workers.jobs import run_document, sweep

log = logging.getLogger("cleardocket.worker")

TASK_NAME = "cleardocket.process_document"
QUEUE = "cleardocket"


def make_celery(settings: ServiceSettings) -> Celery:
    """A Celery app for the settings' broker (no result backend: results live in the database)."""
    app = Celery("cleardocket", broker=settings.broker_url or "redis://127.0.0.1:6379/0")
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout_seconds},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.task(name=TASK_NAME, bind=True, max_retries=None)(_process_task)
    return app


_services: Services | None = None


def services() -> Services:
    """This process's handles (re-made in each forked pool process)."""
    global _services
    if _services is None:
        _services = Services(service_settings())
    return _services


def _process_task(task, document_id: str) -> str:
    """Process one document; a transient failure is retried with the backoff the job asked for."""
    out = run_document(document_id, services=services())
    if out.kind == "retry":
        raise task.retry(countdown=out.countdown)
    return out.kind


def enqueue(app: Celery, document_ids: list[str]) -> None:
    """Send one message per document (a duplicate is harmless: only one claim succeeds)."""
    for doc_id in document_ids:
        app.send_task(TASK_NAME, args=[doc_id], queue=QUEUE)


@signals.worker_process_init.connect
def _fresh_handles_after_fork(**_kw) -> None:
    global _services
    _services = None
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@signals.setup_logging.connect
def _logging(**_kw) -> None:
    configure(service_settings().log_level)


def _sweeper(app: Celery, stop: threading.Event) -> None:
    s = Services(service_settings())
    while not stop.wait(s.settings.sweep_seconds):
        try:
            sweep(s, enqueue=lambda ids: enqueue(app, ids))
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.error("worker.sweep_failed", exc_info=True)


_stop_sweeper = threading.Event()


@signals.worker_ready.connect
def _start_sweeper(sender=None, **_kw) -> None:
    threading.Thread(target=_sweeper, args=(sender.app, _stop_sweeper), name="sweeper", daemon=True).start()
    event(log, "worker.started", mode="distributed", pid=os.getpid())


@signals.worker_shutting_down.connect
def _stop(**_kw) -> None:
    _stop_sweeper.set()


#: For `celery -A ocr_service.workers.celery_app worker`; `cleardocket worker` uses the same app.
app = make_celery(service_settings())
