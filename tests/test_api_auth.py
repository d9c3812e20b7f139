"""The authorization matrix: every role (and no key, a bad key, a revoked key) against every endpoint."""
from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from ocr_service.api.app import create_app
from ocr_service.auth import create_key
from ocr_service.storage import repo
from ocr_service.storage.context import ServiceSettings
from tests.test_service_support import png_bytes

ROLES = ("uploader", "reviewer", "reader", "admin")

#: Contract section 5, written out independently of ocr_service.auth.PERMISSIONS.
EXPECTED = {
    ("POST", "/v1/batches"): {"uploader", "admin"},
    ("GET", "/v1/batches/{batch_id}"): {"uploader", "reader", "admin"},
    ("GET", "/v1/documents/{document_id}"): {"uploader", "reviewer", "reader", "admin"},
    ("GET", "/v1/documents/{document_id}/pages/{page}"): {"reviewer", "admin"},
    ("GET", "/v1/cases/{case_id}"): {"reviewer", "reader", "admin"},
    ("GET", "/v1/cases"): {"reviewer", "reader", "admin"},
    ("GET", "/v1/review/queue"): {"reviewer", "admin"},
    ("POST", "/v1/cases/{case_id}/corrections"): {"reviewer", "admin"},
    ("GET", "/v1/exports/cases.csv"): {"reader", "admin"},
    ("GET", "/v1/exports/cases.jsonl"): {"reader", "admin"},
    ("GET", "/v1/audit"): {"admin"},
    ("GET", "/v1/keys"): {"admin"},
    ("POST", "/v1/keys"): {"admin"},
    ("DELETE", "/v1/keys/{key_id}"): {"admin"},
}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    app = create_app(ServiceSettings(data_dir=tmp_path_factory.mktemp("auth")))
    with TestClient(app) as client:
        s_ = app.state.services
        with s_.db.write() as s:
            keys = {r: create_key(s, role=r, name=r).token for r in ROLES}
            revoked = create_key(s, role="admin", name="old")
            repo.revoke_key(s, key_id=revoked.principal.key_id, now=dt.datetime.now(dt.timezone.utc))
        keys["revoked"] = revoked.token
        keys["bad"] = keys["admin"][:-4] + "AAAA"
        keys["garbage"] = "not-a-key"
        yield app, client, keys


def _request(client, method, path, token):
    url = path.replace("{page}", "1")
    for name in ("batch_id", "document_id", "case_id", "key_id"):
        url = url.replace("{" + name + "}", "00000000-0000-0000-0000-000000000000")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if path == "/v1/batches":
        return client.post(url, headers=headers, files=[("files", ("a.png", png_bytes("auth"), "image/png"))])
    if path.endswith("/corrections"):
        return client.post(url, headers=headers, json={"fields": {"court": "X"}})
    if method == "POST" and path == "/v1/keys":
        return client.post(url, headers=headers, json={"role": "reader", "name": "made in matrix"})
    return client.request(method, url, headers=headers)


def test_the_matrix_covers_every_v1_route(env):
    app, _, _ = env
    routes = {(m.upper(), path) for path, ops in app.openapi()["paths"].items() if path.startswith("/v1")
              for m in ops}
    assert routes == set(EXPECTED)


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_every_role_against_every_endpoint(env, method, path):
    _, client, keys = env
    for who in (None, "bad", "garbage", "revoked"):
        r = _request(client, method, path, keys.get(who) if who else None)
        assert r.status_code == 401, (who, method, path, r.status_code)
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers.get("www-authenticate") == "Bearer"
    for role in ROLES:
        r = _request(client, method, path, keys[role])
        if role in EXPECTED[(method, path)]:
            assert r.status_code not in (401, 403), (role, method, path, r.status_code, r.text)
            assert r.status_code < 500
        else:
            assert r.status_code == 403, (role, method, path, r.status_code)
            assert r.json()["error"]["code"] == "forbidden"


def test_health_metrics_and_docs_need_no_key(env):
    _, client, _ = env
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/docs").status_code == 200
    assert "/v1/batches" in client.get("/openapi.json").json()["paths"]


def test_uploader_sees_only_its_own_batches(env):
    app, client, keys = env
    with app.state.services.db.write() as s:
        other = create_key(s, role="uploader", name="other unit").token
    made = client.post("/v1/batches", headers={"Authorization": f"Bearer {keys['uploader']}"},
                       files=[("files", ("mine.png", png_bytes("mine"), "image/png"))]).json()
    assert client.get(f"/v1/batches/{made['id']}", headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert client.get(f"/v1/batches/{made['id']}",
                      headers={"Authorization": f"Bearer {keys['uploader']}"}).status_code == 200
    reader = {"Authorization": f"Bearer {keys['reader']}"}
    assert client.get(f"/v1/batches/{made['id']}", headers=reader).status_code == 200


def test_keys_are_hashed_at_rest(env):
    app, _, keys = env
    with app.state.services.db.read() as s:
        stored = repo.list_keys(s)
    secrets = {k.split("_", 2)[2] for k in keys.values() if k.startswith("cdk_")}
    for k in stored:
        assert k.secret_hash not in secrets and all(sec not in (k.secret_hash + k.salt) for sec in secrets)
        assert len(k.secret_hash) == 64


def test_a_key_revoked_elsewhere_stops_working_when_its_cache_entry_expires(tmp_path):
    """Verified keys are cached for CLEARDOCKET_KEY_CACHE_SECONDS; a revocation made by another process
    (here: straight in the database, as `cleardocket keys revoke` does) counts once the entry expires."""
    from ocr_service.auth import KeyCache

    app = create_app(ServiceSettings(data_dir=tmp_path))
    assert app.state.key_cache.ttl_s == 30  # the documented default (docs/service.md)
    now = [1000.0]
    app.state.key_cache = KeyCache(30, clock=lambda: now[0])
    with TestClient(app) as client:
        with app.state.services.db.write() as s:
            new = create_key(s, role="reader", name="soon revoked")
        h = {"Authorization": f"Bearer {new.token}"}
        assert client.get("/v1/cases", headers=h).status_code == 200
        with app.state.services.db.write() as s:
            repo.revoke_key(s, key_id=new.principal.key_id, now=dt.datetime.now(dt.timezone.utc))
        now[0] += 29
        assert client.get("/v1/cases", headers=h).status_code == 200  # still cached: no database read
        now[0] += 1.5
        r = client.get("/v1/cases", headers=h)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_the_cache_is_keyed_by_the_whole_token_not_the_key_id(env):
    _, client, keys = env
    good = keys["reader"]
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {good}"}).status_code == 200  # now cached
    forged = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")  # same key id, other secret
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_a_key_revoked_through_the_api_stops_working_at_once_in_that_process(env):
    app, client, keys = env
    with app.state.services.db.write() as s:
        new = create_key(s, role="reader", name="revoked by api")
    h = {"Authorization": f"Bearer {new.token}"}
    assert client.get("/v1/cases", headers=h).status_code == 200  # cached now
    assert client.delete(f"/v1/keys/{new.principal.key_id}",
                         headers={"Authorization": f"Bearer {keys['admin']}"}).status_code == 200
    assert client.get("/v1/cases", headers=h).status_code == 401
