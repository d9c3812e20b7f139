"""The distributed mode for real: PostgreSQL, Redis, two Celery worker processes; kill -9 of one mid-batch."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from ocr_service.api.app import create_app
from ocr_service.storage import repo
from ocr_service.storage.context import Services, ServiceSettings
from tests.test_service_support import (
    ROOT,
    STAND_IN,
    cli,
    fresh_pg_database,
    png_bytes,
    redis_url,
    service_env,
    wait_for,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with fresh_pg_database() as pg:
        broker = redis_url()
        blobs = tmp_path_factory.mktemp("shared-blobs")
        env = service_env(CLEARDOCKET_DATABASE_URL=pg, CLEARDOCKET_BROKER_URL=broker, CLEARDOCKET_BLOB_DIR=str(blobs),
                          CLEARDOCKET_DATA_DIR=str(tmp_path_factory.mktemp("data")), CLEARDOCKET_PROCESSOR=STAND_IN,
                          CD_TEST_PAGE_SECONDS="0.4", CLEARDOCKET_LEASE_SECONDS="2", CLEARDOCKET_SWEEP_SECONDS="1",
                          CLEARDOCKET_RESEND_AFTER_SECONDS="3", CLEARDOCKET_LOG_LEVEL="WARNING")
        token = cli("keys", "create", "--role", "uploader", "--name", "unit", env=env).stdout.splitlines()[-1]
        settings = ServiceSettings(database_url=pg, broker_url=broker, blob_dir=blobs,
                                   data_dir=env["CLEARDOCKET_DATA_DIR"], sweep_seconds=1,
                                   resend_after_seconds=3, lease_seconds=2)
        workers = [start_worker(env) for _ in range(2)]
        app = create_app(settings)
        try:
            with TestClient(app) as client:
                yield {"client": client, "token": token, "env": env, "workers": workers,
                       "services": app.state.services}
        finally:
            for w in workers:
                stop(w)
            app.state.services.db.dispose()


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ocr_service.cli_service", "worker"], env=env, cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)


def upload(c, names: list[str]) -> list[str]:
    r = c["client"].post("/v1/batches", headers={"Authorization": f"Bearer {c['token']}"},
                         files=[("files", (n, png_bytes(n), "image/png")) for n in names])
    assert r.status_code == 202
    return [d["id"] for d in r.json()["documents"]]


def docs(services: Services, ids: list[str]) -> list[repo.DocumentView]:
    with services.db.read() as s:
        return [repo.get_document(s, document_id=i) for i in ids]


def test_two_celery_workers_complete_a_batch(cluster):
    ids = upload(cluster, [f"dist-{i:02d}.png" for i in range(12)])
    services = cluster["services"]
    wait_for(lambda: all(d.status == "done" for d in docs(services, ids)), 120, what="the batch")
    got = docs(services, ids)
    assert all(len(d.case_ids) == 1 for d in got)
    assert len({d.claimed_by for d in got}) == 2  # both workers took part
    assert {d.claimed_by.rsplit(":", 1)[1] for d in got} == {str(w.pid) for w in cluster["workers"]}


def test_kill_9_of_a_celery_worker_mid_batch_then_restart(cluster):
    services = cluster["services"]
    ids = upload(cluster, [f"kill-test-{i:02d}.png" for i in range(10)])

    def busy_worker():
        for d in docs(services, ids):
            if d.status == "processing" and d.claimed_by:
                return int(d.claimed_by.rsplit(":", 1)[1])
        return None

    victim_pid = wait_for(busy_worker, 60, 0.05, "a document in processing")
    victim = next(w for w in cluster["workers"] if w.pid == victim_pid)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(10)
    cluster["workers"].remove(victim)
    cluster["workers"].append(start_worker(cluster["env"]))
    try:
        wait_for(lambda: all(d.status == "done" for d in docs(services, ids)), 60, what="the batch after the crash")
    except AssertionError:
        for d in docs(services, ids):
            print(d.status, d.attempts, d.claimed_by, d.lease_until, d.error_code)
        raise
    got = docs(services, ids)
    assert all(len(d.case_ids) == 1 for d in got)
    assert any(d.attempts >= 2 for d in got)  # the victim's document was done again, once
    with services.db.read() as s:
        cases, total = repo.list_cases(s, per_page=200)
    assert total == len({c.document_id for c in cases})
