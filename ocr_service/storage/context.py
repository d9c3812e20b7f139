"""The service's settings and the handles every service process opens: database and blob store.

`ServiceSettings` extends the product's `Settings` (same CLEARDOCKET_ prefix) with what only the
service needs; when the lead folds these fields into `ocr_service/settings.py` this becomes an alias.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ocr_service.blobstore import LocalBlobStore
from ocr_service.settings import Settings
from ocr_service.storage.db import Database, database_url


class ServiceSettings(Settings):
    blob_dir: Path | None = None  # default: <data_dir>/blobs; a shared folder in the distributed mode
    lease_seconds: float = 60.0  # a worker renews its claim every third of this; a dead worker's claim expires
    max_attempts: int = 3  # tries per document before it fails for good (crashes and transient errors)
    retry_backoff_seconds: float = 5.0  # first retry delay, doubled at each attempt
    poll_seconds: float = 1.0  # local workers' idle polling interval
    workers: int = 0  # local worker processes for `serve` (0: one per core)
    api_workers: int = 1  # API processes for `serve` (uvicorn's workers)
    max_batch_files: int = 5000
    max_upload_bytes: int | None = None  # per file; default: max_file_bytes
    processor: str = "ocr_service.workers.jobs:run_pipeline"  # what turns a stored file into a record
    log_level: str = "INFO"
    sweep_seconds: float = 5.0  # how often serve/worker re-send lost jobs and fail exhausted ones
    resend_after_seconds: float = 120.0  # a queued document with no message for this long is sent again
    visibility_timeout_seconds: int = 3600  # Redis: an unacknowledged message is redelivered after this
    key_cache_seconds: float = 30.0  # the API trusts a verified key this long; a revocation elsewhere waits it out
    # the case lists' `total`, and where their deep pages start, may be this old (counting or skipping
    # 100,000 rows on every request costs more than the rest of the request)
    count_cache_seconds: float = 10.0

    @property
    def distributed(self) -> bool:
        return bool(self.broker_url)

    @property
    def upload_limit(self) -> int:
        return self.max_upload_bytes or self.max_file_bytes

    def resolved_blob_dir(self) -> Path:
        return Path(self.blob_dir) if self.blob_dir else Path(self.data_dir) / "blobs"


def service_settings(settings: Settings | None = None) -> ServiceSettings:
    """ServiceSettings from the environment, overlaid with the fields of `settings` when given."""
    if isinstance(settings, ServiceSettings):
        return settings
    if settings is None:
        return ServiceSettings()
    return ServiceSettings(**settings.model_dump(exclude_unset=True))


@dataclass
class Services:
    """Per-process handles built from settings (open them after a fork, never before)."""

    settings: ServiceSettings

    @cached_property
    def db(self) -> Database:
        return Database(database_url(data_dir=Path(self.settings.data_dir), database_url=self.settings.database_url))

    @cached_property
    def blobs(self) -> LocalBlobStore:
        return LocalBlobStore(self.settings.resolved_blob_dir())
