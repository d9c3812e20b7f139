"""`cleardocket serve --api-workers N`: several API processes (uvicorn's workers) on one port."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx

from ocr_service.storage import repo
from ocr_service.storage.context import Services, ServiceSettings
from tests.test_service_support import ROOT, STAND_IN, cli, free_port, png_bytes, service_env, wait_for


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_serve_with_two_api_processes_answers_and_logs_json_from_each(tmp_path):
    env = service_env(CLEARDOCKET_DATA_DIR=str(tmp_path), CLEARDOCKET_PROCESSOR=STAND_IN,
                      CLEARDOCKET_POLL_SECONDS="0.2", CLEARDOCKET_LOG_LEVEL="INFO")
    uploader = cli("keys", "create", "--role", "uploader", "--name", "unit", env=env).stdout.splitlines()[-1]
    reader = cli("keys", "create", "--role", "reader", "--name", "api", env=env).stdout.splitlines()[-1]
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as err:
        serve = subprocess.Popen([sys.executable, "-m", "ocr_service.cli_service", "serve", "--port", str(port),
                                  "--workers", "1", "--api-workers", "2"], env=env, cwd=ROOT,
                                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=err)
    try:
        wait_for(lambda: _up(port), 60, what="serve")
        base = f"http://127.0.0.1:{port}"
        r = httpx.post(f"{base}/v1/batches", headers={"Authorization": f"Bearer {uploader}"},
                       files=[("files", ("w.png", png_bytes("workers"), "image/png"))], timeout=60)
        assert r.status_code == 202
        doc_id = r.json()["documents"][0]["id"]
        services = Services(ServiceSettings(data_dir=tmp_path))

        def case_id() -> str | None:
            with services.db.read() as s:
                d = repo.get_document(s, document_id=doc_id)
            return d.case_ids[0] if d and d.status == "done" and d.case_ids else None

        cid = wait_for(case_id, 60, what="the document processed")
        # new connections each time: the kernel spreads them over both processes
        for _ in range(20):
            got = httpx.get(f"{base}/v1/cases/{cid}", headers={"Authorization": f"Bearer {reader}"}, timeout=10)
            assert got.status_code == 200 and got.json()["id"] == cid
        wait_for(lambda: log.read_text().count('"api.started"') >= 2, 30, what="both API processes")
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(30)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    events = [json.loads(line)["event"] for line in lines]  # every process logs JSON lines only
    assert events.count("api.started") == 2
    assert "http.request" in events
