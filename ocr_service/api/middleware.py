"""The API's one middleware, as plain ASGI: request figures for /metrics and one JSON log line per request.

Plain ASGI rather than Starlette's `BaseHTTPMiddleware` (`@app.middleware("http")`): that one runs the
app in a separate task and streams the response through memory channels, which cost about as much
CPU as a whole cached case read (py-spy, docs/benchmarks.md). This one only wraps `send` to see the
status. The log line carries the route template, never the URL (a path or query may hold a name).
"""
from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocr_service.logging import event
from ocr_service.metrics import Metrics

log = logging.getLogger("cleardocket.api")


class ObserveRequests:
    """Counts and times every HTTP request (`Metrics.observe`) and logs `http.request`."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = 500  # what the client gets if the app raises before it starts a response

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")  # set by the router on a match
            dt_s = time.perf_counter() - t0
            self.metrics.observe(method=scope["method"], route=route, status=status, seconds=dt_s)
            event(log, "http.request", method=scope["method"], route=route, http_status=status,
                  duration_ms=round(dt_s * 1000, 1))
