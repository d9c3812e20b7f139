"""The API end to end against real SQLite and real PostgreSQL: upload, process, read, correct, export, audit."""
from __future__ import annotations

import csv
import io
import json
from contextlib import nullcontext

import pytest
from fastapi.testclient import TestClient

from ocr_service.api.app import create_app
from ocr_service.auth import create_key
from ocr_service.storage.context import ServiceSettings
from ocr_service.workers.local import drain
from tests.test_service_support import STAND_IN, fresh_pg_database, png_bytes

ROLES = ("uploader", "reviewer", "reader", "admin")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request, tmp_path_factory):
    """(client, keys by role, services) on a fresh database of each kind."""
    data = tmp_path_factory.mktemp(f"api-{request.param}")
    with (fresh_pg_database() if request.param == "postgresql" else nullcontext()) as pg_url:
        app = create_app(ServiceSettings(data_dir=data, database_url=pg_url, processor=STAND_IN))
        with TestClient(app) as client:
            services = app.state.services
            with services.db.write() as s:
                keys = {r: create_key(s, role=r, name=f"test {r}").token for r in ROLES}
            yield client, keys, services
        services.db.dispose()



def H(keys, role):
    return {"Authorization": f"Bearer {keys[role]}"}


def upload(client, keys, files, role="uploader", **params):
    parts = [("files", (name, data, ctype)) for name, data, ctype in files]
    return client.post("/v1/batches", files=parts, headers=H(keys, role), params=params)


def test_upload_process_read_and_export(api, case_schema):
    client, keys, services = api
    tag = services.db.dialect
    r = upload(client, keys, [(f"{tag}-one.png", png_bytes(f"{tag} one"), "image/png"),
                              (f"{tag}-review.png", png_bytes(f"{tag} two"), "image/png")])
    assert r.status_code == 202
    batch = r.json()
    assert [d["status"] for d in batch["documents"]] == ["queued", "queued"]
    # the files were stored before the answer
    with services.db.read() as s:
        from ocr_service.storage import repo

        for d in batch["documents"]:
            assert services.blobs.exists(repo.get_document(s, document_id=d["id"]).blob_key)

    assert drain(services) == 2
    b = client.get(f"/v1/batches/{batch['id']}", headers=H(keys, "reader")).json()
    assert b["counts"] == {"queued": 0, "processing": 0, "done": 2, "failed": 0, "total": 2}
    doc = client.get(f"/v1/documents/{batch['documents'][0]['id']}", headers=H(keys, "uploader")).json()
    assert doc["status"] == "done" and len(doc["cases"]) == 1 and doc["pages"] == 1

    case = client.get(f"/v1/cases/{doc['cases'][0]}", headers=H(keys, "reader")).json()
    assert case["id"] == doc["cases"][0] and case["document_id"] == doc["id"]
    case_schema.validate({k: v for k, v in case.items() if k not in ("id", "document_id", "version")})
    assert case["relief"]["outcome"] == "dismiss_and_seal"
    assert case["source"]["file"] == f"{tag}-one.png"

    listed = client.get("/v1/cases", params={"outcome": "dismiss_and_seal"}, headers=H(keys, "reviewer")).json()
    assert doc["cases"][0] in [c["id"] for c in listed["items"]]
    assert all(c["relief"]["outcome"] == "dismiss_and_seal" for c in listed["items"])
    paged = client.get("/v1/cases", params={"per_page": 1, "page": 1}, headers=H(keys, "reader")).json()
    assert len(paged["items"]) == 1 and paged["total"] >= 2

    rows = list(csv.DictReader(io.StringIO(client.get("/v1/exports/cases.csv", headers=H(keys, "reader")).text)))
    assert {r["file"] for r in rows} >= {f"{tag}-one.png", f"{tag}-review.png"}
    lines = client.get("/v1/exports/cases.jsonl", headers=H(keys, "reader")).text.splitlines()
    assert {json.loads(x)["id"] for x in lines} >= set(doc["cases"])

    page = client.get(f"/v1/documents/{doc['id']}/pages/1", headers=H(keys, "reviewer"))
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")

    audit = client.get("/v1/audit", headers=H(keys, "admin")).json()["items"]
    actions = {(a["action"], a["target"]) for a in audit}
    assert ("case.read", doc["cases"][0]) in actions
    assert ("export", "cases.csv") in actions and ("export", "cases.jsonl") in actions
    reader_id = keys["reader"].split("_")[1]
    assert any(a["action"] == "case.read" and a["actor"] == reader_id for a in audit)


def test_review_queue_and_correction_recomputes_relief_and_is_audited(api):
    client, keys, services = api
    tag = services.db.dialect
    r = upload(client, keys, [(f"{tag}-review-fix.png", png_bytes(f"{tag} needs review"), "image/png")])
    drain(services)
    doc_id = r.json()["documents"][0]["id"]
    queue = client.get("/v1/review/queue", headers=H(keys, "reviewer")).json()
    item = next(c for c in queue["items"] if c["document_id"] == doc_id)
    assert item["review"]["required"] and item["relief"]["outcome"] == "needs_review"

    bad = client.post(f"/v1/cases/{item['id']}/corrections", headers=H(keys, "reviewer"),
                      json={"fields": {"charges[0].disposition_date": "06/01/88"}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_correction"
    unknown = client.post(f"/v1/cases/{item['id']}/corrections", headers=H(keys, "reviewer"),
                          json={"fields": {"charges[0].defendant_ssn": "x"}})
    assert unknown.status_code == 422

    fix = client.post(f"/v1/cases/{item['id']}/corrections", headers=H(keys, "reviewer"),
                      json={"fields": {"charges[0].disposition_date": "1988-06-01"}, "note": "date on page 1",
                            "version": item["version"]})
    assert fix.status_code == 200, fix.text
    out = fix.json()
    assert out["changed"] == ["charges[0].disposition_date"] and out["version"] == item["version"] + 1
    assert out["case"]["relief"]["outcome"] == "dismiss_and_seal"
    assert out["case"]["review"] == {"required": False, "reasons": []}
    queue = client.get("/v1/review/queue", headers=H(keys, "reviewer")).json()
    assert item["id"] not in [c["id"] for c in queue["items"]]

    stale = client.post(f"/v1/cases/{item['id']}/corrections", headers=H(keys, "reviewer"),
                        json={"fields": {"court": "X"}, "version": item["version"]})
    assert stale.status_code == 409

    entry = client.get("/v1/audit", params={"action": "case.correct", "target": item["id"]},
                       headers=H(keys, "admin")).json()["items"][0]
    assert entry["before"]["fields"] == {"charges[0].disposition_date": None}
    assert entry["after"]["fields"] == {"charges[0].disposition_date": "1988-06-01"}
    assert entry["before"]["relief"]["outcome"] == "needs_review"
    assert entry["after"]["relief"]["outcome"] == "dismiss_and_seal"
    assert entry["detail"]["note"] == "date on page 1"


def test_same_file_again_returns_the_existing_document(api):
    client, keys, services = api
    data = png_bytes(f"{services.db.dialect} dedup")
    first = upload(client, keys, [("a.png", data, "image/png")]).json()["documents"][0]
    again = upload(client, keys, [("renamed.png", data, "application/octet-stream"),
                                  ("again.png", data, "image/png")]).json()["documents"]
    assert [d["id"] for d in again] == [first["id"], first["id"]]
    assert all(d["duplicate"] for d in again)


def test_keys_api_creates_and_revokes_with_audit(api):
    client, keys, services = api
    made = client.post("/v1/keys", json={"role": "reader", "name": "temp"}, headers=H(keys, "admin"))
    assert made.status_code == 201
    token, key_id = made.json()["token"], made.json()["key"]["id"]
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.delete(f"/v1/keys/{key_id}", headers=H(keys, "admin")).json()["revoked_at"]
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    listed = client.get("/v1/keys", headers=H(keys, "admin")).json()
    assert token not in json.dumps(listed)
    log = client.get("/v1/audit", params={"target": key_id}, headers=H(keys, "admin")).json()["items"]
    assert [a["action"] for a in log] == ["key.revoke", "key.create"]
    assert log[0]["before"]["revoked_at"] is None and log[0]["after"]["revoked_at"]


def test_health_and_metrics(api):
    client, keys, services = api
    assert client.get("/healthz").json() == {"status": "ok", "database": True}
    text = client.get("/metrics").text
    for name in ("cleardocket_documents{status=\"done\"}", "cleardocket_queue_depth",
                 "cleardocket_review_queue_size", "cleardocket_pages_per_second", "cleardocket_pages_processed_total"):
        assert name in text
    done = [line for line in text.splitlines() if line.startswith('cleardocket_documents{status="done"}')][0]
    assert float(done.split()[-1]) >= 2
