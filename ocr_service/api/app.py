"""The FastAPI application: `create_app(settings)` builds it; `cleardocket serve` runs it."""
from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ocr_service.api import schemas
from ocr_service.api.errors import http_status
from ocr_service.api.middleware import ObserveRequests
from ocr_service.api.routes import admin, batches, cases, documents, exports
from ocr_service.auth import KeyCache
from ocr_service.errors import CleardocketError
from ocr_service.logging import event
from ocr_service.metrics import CONTENT_TYPE, Metrics
from ocr_service.settings import Settings
from ocr_service.storage.context import Services, service_settings
from ocr_service.web import mount as mount_desk

log = logging.getLogger("cleardocket.api")

DESCRIPTION = """Scanned court dockets in, Prop 64 cannabis relief decisions out.

Every `/v1` call takes `Authorization: Bearer <key>` (`cleardocket keys create`). Roles: uploader,
reviewer, reader, admin. Errors answer `{"error": {"code", "message"}}` with stable codes."""


def _error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CleardocketError)
    async def coded(_req: Request, e: CleardocketError) -> JSONResponse:
        status = http_status(e)
        if status >= 500:
            log.error("request.internal_error", extra={"fields": {"code": e.code}})
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return _error(status, e.code, e.message, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_req: Request, e: RequestValidationError) -> JSONResponse:
        where = "; ".join(".".join(str(x) for x in err.get("loc", ())) + ": " + str(err.get("msg", ""))
                          for err in e.errors()[:5])
        return _error(422, "invalid_request", where or "the request is not valid")

    @app.exception_handler(StarletteHTTPException)
    async def http(_req: Request, e: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(e.status_code, "http_error")
        return _error(e.status_code, code, str(e.detail))

    @app.exception_handler(Exception)
    async def crash(_req: Request, e: Exception) -> JSONResponse:
        log.error("request.crashed", exc_info=(type(e), e, e.__traceback__))
        return _error(500, "internal_error", "internal error")


def _start_distributed(app: FastAPI, services: Services) -> threading.Event:
    """Distributed mode: uploads send Celery messages; a sweeper re-sends lost ones."""
    from ocr_service.workers import celery_app
    from ocr_service.workers.jobs import sweep

    capp = celery_app.make_celery(services.settings)

    def enqueue(ids: list[str]) -> None:
        try:
            celery_app.enqueue(capp, ids)
        except Exception:  # noqa: BLE001 - the sweeper will send them when the broker is back
            log.error("queue.send_failed", exc_info=True, extra={"fields": {"count": len(ids)}})
            return
        import datetime as dt

        from ocr_service.storage import repo

        with services.db.write() as s:
            repo.mark_enqueued(s, document_ids=ids, now=dt.datetime.now(dt.timezone.utc))

    app.state.enqueue = enqueue
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(services.settings.sweep_seconds):
            try:
                sweep(services, enqueue=lambda ids: celery_app.enqueue(capp, ids))
            except Exception:  # noqa: BLE001
                log.error("api.sweep_failed", exc_info=True)

    threading.Thread(target=loop, name="sweeper", daemon=True).start()
    return stop


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API for these settings; the database is migrated when the app starts."""
    services = Services(service_settings(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.db.migrate()
        services.blobs.clean_staging()
        stop = _start_distributed(app, services) if services.settings.distributed else None
        event(log, "api.started", mode="distributed" if stop else "embedded")
        yield
        if stop:
            stop.set()
        services.db.dispose()

    app = FastAPI(title="cleardocket", version="1", description=DESCRIPTION, lifespan=lifespan,
                  responses={401: {"model": schemas.ErrorBody}, 403: {"model": schemas.ErrorBody}})
    app.state.services = services
    app.state.enqueue = None
    app.state.key_cache = KeyCache(services.settings.key_cache_seconds)
    app.state.case_counts = cases.CaseCounts(services.settings.count_cache_seconds)
    app.state.page_starts = cases.PageStarts(services.settings.count_cache_seconds)
    metrics = Metrics(services.db)
    app.state.metrics = metrics
    _install_error_handlers(app)

    app.add_middleware(ObserveRequests, metrics=metrics)

    for r in (batches.router, documents.router, cases.router, exports.router, admin.router):
        app.include_router(r)
    mount_desk(app)  # the reviewer's desk: /review, /upload, /dashboard (ocr_service/web)

    @app.get("/healthz", response_model=schemas.Health, tags=["operations"],
             responses={503: {"model": schemas.Health}})
    def healthz() -> JSONResponse:
        """200 when the service reaches its database, 503 when it does not."""
        ok = services.db.ping()
        body = schemas.Health(status="ok" if ok else "unavailable", database=ok)
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)

    @app.get("/metrics", response_class=Response, tags=["operations"],
             responses={200: {"content": {"text/plain": {}}}})
    def prometheus() -> Response:
        """Prometheus figures: documents by status, queue depth, review queue size, pages per second."""
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return app


def app_from_environment() -> FastAPI:
    """The app of one API process that uvicorn starts itself (`cleardocket serve --api-workers N`):
    JSON logging for this process, then `create_app` with the settings of the environment."""
    from ocr_service.logging import configure

    settings = service_settings()
    configure(settings.log_level)
    return create_app(settings)
