"""Structured logs: one JSON object per line, and no personal data by construction.

Log calls pass a constant event name and fields through `extra={"fields": {...}}`. Only fields named
in `ALLOWED_FIELDS` (ids, codes, counts, timings) are written; anything else is dropped, and message
arguments are never interpolated, so a name, a date of birth or a line of case text cannot reach a log.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

ALLOWED_FIELDS = frozenset({
    "document_id", "batch_id", "case_id", "key_id", "role", "status", "code", "pages", "attempt", "attempts",
    "duration_ms", "method", "route", "http_status", "worker", "count", "documents", "rejected", "duplicates",
    "mode", "workers", "pid", "exit_code", "outcome", "review_required", "error_type", "action", "version",
    "host", "port", "countdown_s", "requeued", "failed", "resent", "bytes", "kind", "api_workers",
})


class JsonFormatter(logging.Formatter):
    """Formats a record as JSON: time, level, logger, event and the allowed fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": str(record.msg),  # the constant event name; args are never interpolated
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for k, v in fields.items():
                if k in ALLOWED_FIELDS and isinstance(v, (str, int, float, bool, type(None))):
                    out[k] = v
        if record.exc_info and record.exc_info[0] is not None:
            # the type and where it happened, never the message (it may quote the document)
            out["error_type"] = record.exc_info[0].__name__
            tb = record.exc_info[2]
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is not None:
                out["at"] = f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
        return json.dumps(out, ensure_ascii=False)


def configure(level: str = "INFO", stream=None) -> None:
    """Send every logger through the JSON formatter (call once per process, at start)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # third-party loggers that may print request lines or SQL with values
    for name in ("uvicorn.access", "sqlalchemy.engine", "celery.app.trace"):
        logging.getLogger(name).setLevel(logging.WARNING)


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log a constant event name with fields (only the allowed ones are written)."""
    logger.log(level, name, extra={"fields": fields})
