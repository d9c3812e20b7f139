"""Uploads: each bad file gets its coded error while the rest of the batch goes through; memory stays flat."""
from __future__ import annotations

import io
import os
import secrets
import struct
import subprocess
import sys
import time
import zlib

import httpx
import pytest
from fastapi.testclient import TestClient

from ocr_service.api.app import create_app
from ocr_service.auth import create_key
from ocr_service.storage import repo
from ocr_service.storage.context import ServiceSettings
from ocr_service.workers.local import drain
from tests.test_service_support import ROOT, STAND_IN, cli, free_port, png_bytes, service_env, wait_for

LIMIT = 100_000


def pixel_bomb() -> bytes:
    """A valid little PNG whose header declares 100000 x 100000 pixels (10 gigapixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def client_for(tmp_path, processor=STAND_IN):
    app = create_app(ServiceSettings(data_dir=tmp_path, processor=processor, max_upload_bytes=LIMIT))
    return app, TestClient(app)


def test_bad_uploads_get_coded_errors_and_the_rest_completes(tmp_path):
    app, client = client_for(tmp_path)
    with client:
        services = app.state.services
        with services.db.write() as s:
            token = create_key(s, role="uploader", name="unit").token
        huge = png_bytes("huge") + secrets.token_bytes(LIMIT * 3)
        files = [("good-1.png", png_bytes("good one"), "image/png"),
                 ("empty.pdf", b"", "application/pdf"),
                 ("huge.png", huge, "image/png"),
                 ("notes.txt", b"just some text, not a scan", "text/plain"),
                 ("liar.png", b"%PDF-1.4\n% a pdf declared as png\n", "image/png"),
                 ("good-2.png", png_bytes("good two"), "image/png")]
        r = client.post("/v1/batches", headers={"Authorization": f"Bearer {token}"},
                        files=[("files", f) for f in files])
        assert r.status_code == 202
        docs = r.json()["documents"]
        assert [(d["file"], d["status"], (d["error"] or {}).get("code")) for d in docs] == [
            ("good-1.png", "queued", None), ("empty.pdf", "failed", "empty_file"),
            ("huge.png", "failed", "file_too_large"), ("notes.txt", "failed", "unsupported_type"),
            ("liar.png", "failed", "unsupported_type"), ("good-2.png", "queued", None)]
        assert drain(services) == 2
        with services.db.read() as s:
            assert [repo.get_document(s, document_id=d["id"]).status for d in docs] == \
                ["done", "failed", "failed", "failed", "failed", "done"]
        # nothing of the rejected files was kept
        assert not list((services.blobs.staging).glob("up-*"))
        assert sum(1 for _ in (services.blobs.root / "scans").rglob("*.png")) == 2


def test_requests_that_are_not_batches_get_coded_errors(tmp_path):
    app, client = client_for(tmp_path)
    with client:
        with app.state.services.db.write() as s:
            h = {"Authorization": f"Bearer {create_key(s, role='uploader', name='u').token}"}
        r = client.post("/v1/batches", headers=h, json={"files": []})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_upload")
        r = client.post("/v1/batches", headers=h, files=[("other", ("a.png", png_bytes("x"), "image/png"))])
        assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_upload")
        r = client.post("/v1/batches", headers={**h, "Content-Type": "multipart/form-data; boundary=zz"},
                        content=b"--zz\r\nContent-Disposition: form-data; name=\"files\"; "
                                b"filename=\"a.png\"\r\n\r\n\x89PNG")  # ends inside the file
        assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_upload")


@pytest.mark.slow
def test_pipeline_gives_coded_errors_for_a_pixel_bomb_and_a_corrupt_pdf(tmp_path, case_schema):
    pytest.importorskip("ocr_service.ingest", reason="the ingest stage is not in the tree yet")
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("L", (1275, 500), 255)
    font = ImageFont.truetype("DejaVuSansMono.ttf", 28) if os.path.exists(
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf") else ImageFont.load_default()
    ImageDraw.Draw(im).multiline_text((60, 60), "CASE NO. A123456\nCOUNT 1  11357(B) HS  CONVICTED 06/01/88",
                                      fill=0, font=font, spacing=20)
    good = io.BytesIO()
    im.save(good, format="PNG", dpi=(150, 150))
    app, client = client_for(tmp_path, processor="ocr_service.workers.jobs:run_pipeline")
    with client:
        services = app.state.services
        with services.db.write() as s:
            token = create_key(s, role="uploader", name="unit").token
        files = [("bomb.png", pixel_bomb(), "image/png"),
                 ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n" + b"\x00garbage" * 50,
                  "application/pdf"),
                 ("good.png", good.getvalue(), "image/png")]
        docs = client.post("/v1/batches", headers={"Authorization": f"Bearer {token}"},
                           files=[("files", f) for f in files]).json()["documents"]
        drain(services)
        with services.db.read() as s:
            got = [repo.get_document(s, document_id=d["id"]) for d in docs]
        assert [(d.status, d.error_code) for d in got] == [
            ("failed", "image_too_large"), ("failed", "corrupt_file"), ("done", None)]
        with services.db.read() as s:
            case = repo.get_case(s, case_id=got[2].case_ids[0])
        case_schema.validate(case.record)


def _multipart(files: int, size: int, boundary: str):
    """A multipart body produced chunk by chunk (the client never holds it whole either)."""
    for i in range(files):
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"scan-{i:04d}.png\"\r\n"
                "Content-Type: image/png\r\n\r\n").encode()
        yield head + png_bytes(f"page {i}", size=(64, 32))
        left = size
        while left > 0:
            n = min(64 * 1024, left)
            yield os.urandom(n)
            left -= n
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()


def _rss_kb(pid: int, field: str) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


@pytest.mark.slow
def test_a_batch_of_1000_files_streams_to_disk_with_flat_memory(tmp_path):
    env = service_env(CLEARDOCKET_DATA_DIR=str(tmp_path), CLEARDOCKET_LOG_LEVEL="WARNING")
    token = cli("keys", "create", "--role", "uploader", "--name", "bulk", env=env).stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "ocr_service.api.app:create_app",
                               "--port", str(port), "--log-level", "warning"], env=env, cwd=ROOT)
    try:
        wait_for(lambda: _ok(f"http://127.0.0.1:{port}/healthz"), 60, what="the API")
        base = _rss_kb(server.pid, "VmRSS")
        t0 = time.monotonic()
        files, size = 1000, 100_000  # 100 MB in one request
        r = httpx.post(f"http://127.0.0.1:{port}/v1/batches", content=_multipart(files, size, "b0undary"),
                       headers={"Authorization": f"Bearer {token}",
                                "Content-Type": "multipart/form-data; boundary=b0undary"}, timeout=600)
        elapsed = time.monotonic() - t0
        peak = _rss_kb(server.pid, "VmHWM")
        assert r.status_code == 202, r.text[:300]
        docs = r.json()["documents"]
        assert len(docs) == files and all(d["status"] == "queued" for d in docs)
        growth_mb = (peak - base) / 1024
        print(f"\n1000 x 100 kB upload: {elapsed:.1f} s, server RSS {base / 1024:.0f} MB -> peak {peak / 1024:.0f} MB")
        assert growth_mb < 50, f"memory grew by {growth_mb:.0f} MB for a 100 MB upload"
        stored = list((tmp_path / "blobs" / "scans").rglob("*.png"))
        assert len(stored) == files
    finally:
        server.terminate()
        server.wait(10)


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
