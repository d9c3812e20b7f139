"""The API's own coded errors, and the one place that turns any coded error into an HTTP answer."""
from __future__ import annotations

from ocr_service.errors import CleardocketError, InputError


class ApiError(CleardocketError):
    status = 400


class Unauthorized(ApiError):
    code, status = "unauthorized", 401


class Forbidden(ApiError):
    code, status = "forbidden", 403


class NotFound(ApiError):
    code, status = "not_found", 404


class Conflict(ApiError):
    code, status = "conflict", 409


class BadUpload(ApiError):
    code, status = "bad_upload", 400


class TooManyFiles(ApiError):
    code, status = "too_many_files", 413


class InvalidCursor(ApiError):
    code, status = "invalid_request", 422


class InvalidCorrection(ApiError):
    code, status = "invalid_correction", 422


def http_status(err: CleardocketError) -> int:
    if isinstance(err, ApiError):
        return err.status
    if isinstance(err, InputError):
        return 422
    return 500
