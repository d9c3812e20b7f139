"""The embedded mode for real: `serve` with local worker processes, kill -9 in the middle of a batch."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from ocr_service.storage import repo
from ocr_service.storage.context import Services, ServiceSettings
from tests.test_service_support import ROOT, STAND_IN, cli, free_port, png_bytes, service_env, wait_for

pytestmark = pytest.mark.slow


def start_serve(env: dict, port: int) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-m", "ocr_service.cli_service", "serve", "--port", str(port),
                          "--workers", "2"], env=env, cwd=ROOT, start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: _up(port), 60, what="serve")
    return p


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def upload(port: int, token: str, names: list[str]) -> list[str]:
    r = httpx.post(f"http://127.0.0.1:{port}/v1/batches", headers={"Authorization": f"Bearer {token}"},
                   files=[("files", (n, png_bytes(n), "image/png")) for n in names], timeout=60)
    assert r.status_code == 202
    return [d["id"] for d in r.json()["documents"]]


def docs(services: Services, ids: list[str]) -> list[repo.DocumentView]:
    with services.db.read() as s:
        return [repo.get_document(s, document_id=i) for i in ids]


def processing_pid(services: Services, ids: list[str]) -> int | None:
    for d in docs(services, ids):
        if d.status == "processing" and d.claimed_by:
            return int(d.claimed_by.rsplit(":", 1)[1])
    return None


def all_done_once(services: Services, ids: list[str]) -> bool:
    got = docs(services, ids)
    return all(d.status == "done" for d in got)


def test_kill_9_of_a_worker_and_of_the_whole_service_mid_batch(tmp_path):
    env = service_env(CLEARDOCKET_DATA_DIR=str(tmp_path), CLEARDOCKET_PROCESSOR=STAND_IN,
                      CD_TEST_PAGE_SECONDS="0.5", CLEARDOCKET_LEASE_SECONDS="2", CLEARDOCKET_POLL_SECONDS="0.2",
                      CLEARDOCKET_SWEEP_SECONDS="1", CLEARDOCKET_LOG_LEVEL="WARNING")
    token = cli("keys", "create", "--role", "uploader", "--name", "unit", env=env).stdout.splitlines()[-1]
    services = Services(ServiceSettings(data_dir=tmp_path))
    port = free_port()
    serve = start_serve(env, port)
    try:
        # 1. one worker process killed while it holds a document: the pool replaces it, the lease expires
        first = upload(port, token, [f"first-{i:02d}.png" for i in range(10)])
        victim = wait_for(lambda: processing_pid(services, first), 30, 0.05, "a document in processing")
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: all_done_once(services, first), 120, what="the first batch")
        got = docs(services, first)
        assert all(len(d.case_ids) == 1 for d in got)
        assert max(d.attempts for d in got) >= 2  # the victim's document was claimed again
        assert victim not in {int(d.claimed_by.rsplit(":", 1)[1]) for d in got}  # none finished by the dead

        # 2. the whole service killed (a power cut), then started again: queued and running work resumes
        second = upload(port, token, [f"second-{i:02d}.png" for i in range(8)])
        wait_for(lambda: processing_pid(services, second), 30, 0.05, "a document in processing")
        os.killpg(serve.pid, signal.SIGKILL)
        serve.wait(10)
        assert not all_done_once(services, second)
        serve = start_serve(env, port)
        wait_for(lambda: all_done_once(services, second), 120, what="the second batch after a restart")
        got = docs(services, second)
        assert all(len(d.case_ids) == 1 for d in got)
        with services.db.read() as s:
            cases, total = repo.list_cases(s, per_page=200)
        assert total == len(first) + len(second) == len({c.document_id for c in cases})
    finally:
        try:
            os.killpg(serve.pid, signal.SIGTERM)
            serve.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(serve.pid, signal.SIGKILL)
