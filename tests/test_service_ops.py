"""Operations: keys at the command line, JSON logs without personal data, metrics that move."""
from __future__ import annotations

import io
import json
import logging

from fastapi.testclient import TestClient

from ocr_service.api.app import create_app
from ocr_service.logging import JsonFormatter, configure
from ocr_service.storage.context import ServiceSettings
from ocr_service.workers.local import drain
from tests.test_service_support import STAND_IN, cli, png_bytes, service_env


def test_keys_cli_create_list_revoke(tmp_path):
    env = service_env(CLEARDOCKET_DATA_DIR=str(tmp_path))
    made = cli("keys", "create", "--role", "reviewer", "--name", "desk 3", env=env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("cdk_") and " " not in token
    key_id = token.split("_")[1]
    listed = cli("keys", "list", env=env).stdout
    assert key_id in listed and "reviewer" in listed and token.split("_", 2)[2] not in listed
    assert cli("keys", "create", "--role", "boss", "--name", "x", env=env).returncode == 2
    # no key cache: a revocation from another process counts at the next request (with the default
    # cache, within CLEARDOCKET_KEY_CACHE_SECONDS: tests/test_api_auth.py)
    app = create_app(ServiceSettings(data_dir=tmp_path, key_cache_seconds=0))
    with TestClient(app) as c:
        h = {"Authorization": f"Bearer {token}"}
        assert c.get("/v1/review/queue", headers=h).status_code == 200
        assert cli("keys", "revoke", key_id, env=env).returncode == 0
        assert c.get("/v1/review/queue", headers=h).status_code == 401
    assert "revoked:-" not in cli("keys", "list", env=env).stdout


def test_logs_are_json_and_never_carry_names_dates_of_birth_or_case_text(tmp_path):
    stream = io.StringIO()
    configure("DEBUG", stream=stream)
    try:
        app = create_app(ServiceSettings(data_dir=tmp_path, processor=STAND_IN))
        with TestClient(app) as c:
            from ocr_service.auth import create_key

            with app.state.services.db.write() as s:
                up = create_key(s, role="uploader", name="u").token
                rd = create_key(s, role="reader", name="r").token
            # the stand-in's record names ROE, RICHARD born 1960-01-02; the file name is a person's name
            r = c.post("/v1/batches", headers={"Authorization": f"Bearer {up}"},
                       files=[("files", ("SMITH_JANE_1961-04-02.png", png_bytes("x"), "image/png")),
                              ("files", ("DOE_JOHN.txt", b"DOE JOHN 11357 HS", "text/plain")),
                              ("files", ("crash-PRIVATE-NAME.png", png_bytes("y"), "image/png"))])
            drain(app.state.services)
            case_id = c.get(f"/v1/documents/{r.json()['documents'][0]['id']}",
                            headers={"Authorization": f"Bearer {rd}"}).json()["cases"][0]
            c.get(f"/v1/cases/{case_id}", headers={"Authorization": f"Bearer {rd}"})
            c.get("/v1/exports/cases.csv", headers={"Authorization": f"Bearer {rd}"})
        logging.getLogger("cleardocket.test").info("case of %s", "ROE, RICHARD", extra={"fields": {"name": "ROE"}})
    finally:
        configure("WARNING")
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    events = {x["event"] for x in lines}
    assert {"batch.created", "document.done", "document.retry", "http.request"} <= events
    text = stream.getvalue()
    for secret in ("ROE", "RICHARD", "1960-01-02", "SMITH", "JANE", "1961-04-02", "DOE", "11357", "PRIVATE"):
        assert secret not in text, secret
    assert all({"ts", "level", "logger", "event"} <= set(x) for x in lines)


def test_formatter_drops_unknown_fields_and_exception_messages():
    rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "thing.failed", None, None)
    try:
        raise ValueError("DOE, JOHN born 1961-04-02")
    except ValueError:
        import sys

        rec.exc_info = sys.exc_info()
    rec.fields = {"document_id": "d1", "defendant": "DOE, JOHN"}
    out = json.loads(JsonFormatter().format(rec))
    assert out["document_id"] == "d1" and out["error_type"] == "ValueError"
    assert "DOE" not in json.dumps(out) and "defendant" not in out


def test_metrics_follow_the_queue(tmp_path):
    app = create_app(ServiceSettings(data_dir=tmp_path, processor=STAND_IN))
    with TestClient(app) as c:
        from ocr_service.auth import create_key

        with app.state.services.db.write() as s:
            up = create_key(s, role="uploader", name="u").token

        def value(name: str) -> float:
            line = next(x for x in c.get("/metrics").text.splitlines() if x.startswith(name + " ") or
                        x.startswith(name + "{"))
            return float(line.split()[-1])

        c.post("/v1/batches", headers={"Authorization": f"Bearer {up}"},
               files=[("files", (f"m{i}.png", png_bytes(f"m{i}"), "image/png")) for i in range(3)]
               + [("files", ("review-m.png", png_bytes("mr"), "image/png"))])
        assert value("cleardocket_queue_depth") == 4
        drain(app.state.services)
        assert value("cleardocket_queue_depth") == 0
        assert value('cleardocket_documents{status="done"}') == 4
        assert value("cleardocket_review_queue_size") == 1
        assert value("cleardocket_pages_processed_total") == 4
        assert value("cleardocket_pages_per_second") > 0
