"""Helpers for the service tests (no tests here): databases, keys, synthetic scans, a stand-in processor.

The stand-in processor replaces only the OCR stage where a test is about the queue (claims, leases,
crashes, retries), so those tests are fast and deterministic; it decodes the real image, stores its
page through `on_page` and asks the real relief engine for the decision. The end-to-end tests run the
real pipeline.
"""
from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI", "").lower() == "true"
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = "redis://127.0.0.1:6379/{db}"


def need(condition: bool, what: str) -> None:
    """Skip when a real service is missing on a developer machine; FAIL under CI (never a silent skip)."""
    if condition:
        return
    if CI:
        pytest.fail(f"{what} is required in CI (CI=true) and is not available")
    pytest.skip(f"{what} is not available")


def port_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket()) as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def pg_admin_url() -> str | None:
    """A URL to the `test` database as postgres or root (trust auth), or None."""
    if not port_open(PG_HOST, PG_PORT):
        return None
    import psycopg

    for user in ("postgres", "root"):
        url = f"postgresql://{user}@{PG_HOST}:{PG_PORT}/test"
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.Error:
            continue
    return None


def fresh_pg_database():
    """A new PostgreSQL database for one test session, dropped at the end."""
    from ocr_service.storage.db import temporary_postgres_database

    admin = pg_admin_url()
    need(admin is not None, "PostgreSQL at 127.0.0.1:5432")
    return temporary_postgres_database(admin, "cd_test_")


def redis_url() -> str:
    """A Redis database number for this test run, flushed first."""
    need(port_open("127.0.0.1", 6379), "Redis at 127.0.0.1:6379")
    import redis

    db = 7 + (os.getpid() % 8)
    url = REDIS_URL.format(db=db)
    redis.Redis.from_url(url).flushdb()
    return url


def png_bytes(text: str, size: tuple[int, int] = (600, 200)) -> bytes:
    """A small page image with some typewriter-like text (unique per text)."""
    from PIL import Image, ImageDraw

    im = Image.new("L", size, 255)
    d = ImageDraw.Draw(im)
    for i, line in enumerate(text.splitlines()):
        d.text((20, 20 + 22 * i), line, fill=0)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def stand_in_processor(path: Path, *, file: str, policy, settings, on_page):
    """Decode the image, store it as page 1, wait a little (like OCR would), decide with the real engine."""
    import numpy as np
    from PIL import Image

    from ocr_service.relief_adapter import redecide_record
    from ocr_service.workers.jobs import Processed

    with Image.open(path) as im:
        im.load()
        on_page(1, np.asarray(im.convert("L")))
    time.sleep(float(os.environ.get("CD_TEST_PAGE_SECONDS", "0")))
    stem = Path(file).stem
    if stem.startswith("crash"):
        raise RuntimeError("a bug in a stage")
    record = {
        "schema_version": "1",
        "source": {"file": file, "pages": 1},
        "case_number": stem.upper()[:20],
        "court": "MUNICIPAL COURT OF EXAMPLE JUDICIAL DISTRICT",
        "defendant": {"name": "ROE, RICHARD", "dob": "1960-01-02"},
        "filing_date": "1988-03-01",
        "charges": [{"count": 1, "code": "HS", "section": "11357", "subdivision": "b", "attempt": False,
                     "level": "misdemeanor", "disposition": "convicted",
                     "disposition_date": None if "review" in stem else "1988-06-01",
                     "text": "11357(B) HS POSS MJ", "confidence": 0.6 if "review" in stem else 0.95,
                     "evidence": {"page": 1, "bbox": [10, 10, 100, 30]},
                     "relief": {"outcome": "not_applicable"}}],
        "flags": {"pc290_registrant": False, "super_strike_prior": False},
        "relief": {"policy": policy or "la-county", "outcome": "not_applicable"},
        "review": {"required": False, "reasons": []},
        "confidence": 0.6 if "review" in stem else 0.95,
    }
    record = redecide_record(record, policy or "la-county")
    needs = record["relief"]["outcome"] == "needs_review"
    record["review"] = {"required": needs, "reasons": ["missing_disposition_date"] if needs else []}
    return Processed(record, 1)


STAND_IN = "tests.test_service_support:stand_in_processor"


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The service commands in a child process, as an operator runs them."""
    return subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "ocr_service.cli_service", *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def service_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARDOCKET_")}
    env.update({"OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(ROOT)})
    env.update(overrides)
    return env
