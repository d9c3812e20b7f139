"""Schemathesis against /openapi.json: generated requests (valid and not) never make a server error."""
from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from ocr_service.api.app import create_app
from ocr_service.auth import create_key
from ocr_service.storage.context import ServiceSettings
from ocr_service.workers.local import drain
from tests.test_service_support import STAND_IN, png_bytes

_DATA = tempfile.mkdtemp(prefix="cd-schemathesis-")
app = create_app(ServiceSettings(data_dir=_DATA, processor=STAND_IN, max_upload_bytes=2_000_000))
_services = app.state.services
_services.db.migrate()
with _services.db.write() as _s:
    TOKENS = {r: create_key(_s, role=r, name=f"fuzz {r}").token for r in ("admin", "uploader", "reviewer")}

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _seed() -> None:
    """Some real batches, documents and cases so that reads and corrections meet data."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        c.post("/v1/batches", headers={"Authorization": f"Bearer {TOKENS['uploader']}"},
               files=[("files", (f"seed{i}.png", png_bytes(f"seed {i}"), "image/png")) for i in range(2)]
               + [("files", ("review-seed.png", png_bytes("seed review"), "image/png"))])
    drain(_services)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    response = case.call(headers={"Authorization": f"Bearer {TOKENS['admin']}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:300])
