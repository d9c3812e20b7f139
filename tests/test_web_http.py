"""The reviewer's desk over plain HTTP: sign-in, session cookies, CSRF on every form, roles, corrections.

Cases come from the stand-in processor (real image decoding, real relief engine); the browser tests
run the real pipeline.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from fastapi.testclient import TestClient

from ocr_service.api.app import create_app
from ocr_service.auth import create_key
from ocr_service.storage import repo
from ocr_service.storage.context import ServiceSettings
from ocr_service.web.session import SESSION_COOKIE, SIGNIN_COOKIE
from ocr_service.workers.local import drain
from tests.test_service_support import STAND_IN, fresh_pg_database, png_bytes

ROLES = ("uploader", "reviewer", "reader", "admin")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """(app, keys by role, services) with three processed documents: two need review."""
    data = tmp_path_factory.mktemp("web")
    app = create_app(ServiceSettings(data_dir=data, processor=STAND_IN))
    with TestClient(app) as client:
        services = app.state.services
        with services.db.write() as s:
            keys = {r: create_key(s, role=r, name=f"Web {r}").token for r in ROLES}
        files = [("files", (n, png_bytes(n), "image/png")) for n in ("a-review.png", "b-fine.png", "c-review.png")]
        r = client.post("/v1/batches", files=files, headers={"Authorization": f"Bearer {keys['uploader']}"})
        assert r.status_code == 202
        assert drain(services) == 3
        yield app, keys, services


def browser(app, base_url: str = "http://testserver") -> TestClient:
    return TestClient(app, base_url=base_url, follow_redirects=False)


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(app, key: str, base_url: str = "http://testserver") -> TestClient:
    c = browser(app, base_url)
    token = form_token(c.get("/review").text)
    r = c.post("/signin", data={"csrf_token": token, "api_key": key, "next": ""})
    assert r.status_code == 303, r.text
    return c


def queued_ids(services) -> list[str]:
    with services.db.read() as s:
        items, _ = repo.review_queue(s)
    return [c.id for c in items]


def set_cookie_headers(r) -> list[str]:
    return r.headers.get_list("set-cookie")


def test_without_a_session_review_shows_the_sign_in_form(desk):
    app, _, _ = desk
    r = browser(app).get("/review")
    assert r.status_code == 200
    assert 'name="api_key"' in r.text and 'type="password"' in r.text
    assert '<label for="api_key">' in r.text
    cookie = next(h for h in set_cookie_headers(r) if h.startswith(SIGNIN_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    # any other page of the desk answers with the same form, remembering where the user wanted to go
    r = browser(app).get("/dashboard")
    assert 'name="api_key"' in r.text and 'name="next" value="/dashboard"' in r.text


def test_a_valid_key_becomes_an_httponly_samesite_session_cookie(desk):
    app, keys, _ = desk
    c = browser(app)
    token = form_token(c.get("/review").text)
    r = c.post("/signin", data={"csrf_token": token, "api_key": keys["reviewer"], "next": "/dashboard"})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    cookie = next(h for h in set_cookie_headers(r) if h.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    secret = keys["reviewer"].split("_", 2)[2]  # cdk_<id>_<secret>; the secret itself may hold "_"
    assert secret not in cookie  # the key's secret never goes into the cookie
    assert c.get("/review").status_code == 200
    assert "Signed in as" in c.get("/review").text
    # over https the cookie is Secure
    https = browser(app, "https://testserver")
    token = form_token(https.get("/review").text)
    r = https.post("/signin", data={"csrf_token": token, "api_key": keys["reviewer"]})
    assert "Secure" in next(h for h in set_cookie_headers(r) if h.startswith(SESSION_COOKIE + "="))


def test_bad_keys_and_a_missing_sign_in_token_are_refused(desk):
    app, keys, _ = desk
    c = browser(app)
    token = form_token(c.get("/review").text)
    r = c.post("/signin", data={"csrf_token": token, "api_key": keys["reviewer"][:-2] + "xx"})
    assert r.status_code == 401 and "not valid" in r.text
    assert not any(h.startswith(SESSION_COOKIE + "=") for h in set_cookie_headers(r))
    # a sign-in form posted from elsewhere (no matching double-submit token) is refused, even with a good key
    other = browser(app)
    r = other.post("/signin", data={"csrf_token": "forged", "api_key": keys["reviewer"]})
    assert r.status_code == 403
    assert not any(h.startswith(SESSION_COOKIE + "=") for h in set_cookie_headers(r))
    # next must stay on this site
    token = form_token(c.get("/review").text)
    r = c.post("/signin", data={"csrf_token": token, "api_key": keys["reviewer"], "next": "//evil.example/x"})
    assert r.headers["location"] == "/review"


def test_every_form_needs_the_session_csrf_token(desk):
    app, keys, services = desk
    c = sign_in(app, keys["reviewer"])
    case_id = queued_ids(services)[0]
    page = c.get(f"/review/cases/{case_id}").text
    good = form_token(page)
    with services.db.read() as s:
        version = repo.get_case(s, case_id=case_id).version
    fields = {"charges[0].disposition_date": "1988-06-01", "version": str(version)}
    for bad in ({}, {"csrf_token": "wrong"}, {"csrf_token": ""}):
        r = c.post(f"/review/cases/{case_id}", data={**fields, **bad})
        assert r.status_code == 403
    with services.db.read() as s:
        assert repo.get_case(s, case_id=case_id).version == version  # nothing was saved
    assert c.post("/signout", data={}).status_code == 403
    assert c.get("/review").status_code == 200 and "Signed in as" in c.get("/review").text
    # another session's token does not work either
    other = sign_in(app, keys["admin"])
    other_token = form_token(other.get("/review").text)
    assert other_token != good
    assert c.post(f"/review/cases/{case_id}", data={**fields, "csrf_token": other_token}).status_code == 403
    # uploads: the token travels in a header
    up = sign_in(app, keys["uploader"])
    files = [("files", ("x.png", png_bytes("csrf"), "image/png"))]
    r = up.post("/upload/batches", files=files)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    # sign-out with the token ends the session
    r = c.post("/signout", data={"csrf_token": good})
    assert r.status_code == 303
    assert 'name="api_key"' in c.get("/review").text


@pytest.mark.parametrize("path,allowed", [
    ("/review", {"reviewer", "admin"}),
    ("/upload", {"uploader", "admin"}),
    ("/dashboard", {"uploader", "reviewer", "reader", "admin"}),
])
def test_pages_by_role(desk, path, allowed):
    app, keys, _ = desk
    for role in ROLES:
        r = sign_in(app, keys[role]).get(path)
        assert r.status_code == (200 if role in allowed else 403), (role, path)
        if role not in allowed:
            assert f"signed in with a {role} key" in r.text


def test_case_pages_and_page_images_by_role(desk):
    app, keys, services = desk
    case_id = queued_ids(services)[0]
    with services.db.read() as s:
        doc_id = repo.get_case(s, case_id=case_id).document_id
    for role in ROLES:
        c = sign_in(app, keys[role])
        ok = role in ("reviewer", "admin")
        assert c.get(f"/review/cases/{case_id}").status_code == (200 if ok else 403)
        img = c.get(f"/review/pages/{doc_id}/1.png")
        assert img.status_code == (200 if ok else 403)
        if ok:
            assert img.headers["content-type"] == "image/png" and img.content.startswith(b"\x89PNG")
    assert browser(app).get(f"/review/pages/{doc_id}/1.png").status_code == 200  # the sign-in form, not the image
    assert b"PNG" not in browser(app).get(f"/review/pages/{doc_id}/1.png").content[:8]
    c = sign_in(app, keys["reviewer"])
    assert c.get(f"/review/pages/{doc_id}/9.png").status_code == 404
    assert c.get("/review/cases/no-such-case").status_code == 404


def test_revoked_keys_forged_and_expired_cookies_end_the_session(desk):
    app, _, services = desk
    with services.db.write() as s:
        temp = create_key(s, role="reviewer", name="temporary")
    c = sign_in(app, temp.token)
    assert "Signed in as" in c.get("/review").text
    with services.db.write() as s:
        repo.revoke_key(s, key_id=temp.principal.key_id, now=dt.datetime.now(dt.timezone.utc))
    assert 'name="api_key"' in c.get("/review").text
    forged = browser(app)
    forged.cookies.set(SESSION_COOKIE, "eyJrIjoiMDAwMDAwMDAwMDAwMDAwMCJ9.forged.sig")
    assert 'name="api_key"' in forged.get("/review").text
    with services.db.write() as s:
        fresh = create_key(s, role="reviewer", name="short session")
    c = sign_in(app, fresh.token)
    codec = app.state.desk.codec
    old, codec.max_age_s = codec.max_age_s, -1
    try:
        assert 'name="api_key"' in c.get("/review").text
    finally:
        codec.max_age_s = old


def test_saving_corrections_recomputes_relief_leaves_the_queue_and_is_audited(desk):
    app, keys, services = desk
    c = sign_in(app, keys["reviewer"])
    case_id = queued_ids(services)[0]
    page = c.get(f"/review/cases/{case_id}").text
    assert "Needs review" in page and 'id="box-c0"' in page
    token = form_token(page)
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))

    r = c.post(f"/review/cases/{case_id}", data={"csrf_token": token, "version": str(version)})
    assert r.status_code == 422 and "Nothing to save" in r.text
    r = c.post(f"/review/cases/{case_id}", data={"csrf_token": token, "version": str(version),
                                                 "charges[0].disposition_date": "1988-13-45"})
    assert r.status_code == 422 and "charges[0].disposition_date" in r.text and 'aria-invalid="true"' in r.text
    r = c.post(f"/review/cases/{case_id}", data={"csrf_token": token, "version": str(version - 1),
                                                 "charges[0].disposition_date": "1988-06-01"})
    assert r.status_code == 409

    r = c.post(f"/review/cases/{case_id}", data={
        "csrf_token": token, "version": str(version), "charges[0].disposition_date": "1988-06-01",
        "charges[0].section": "11357", "accept": "charges[0].section", "note": "date read from the minute order"})
    assert r.status_code == 303 and r.headers["location"] == f"/review/cases/{case_id}?saved=1"
    saved = c.get(r.headers["location"]).text
    assert "Saved" in saved and "Dismiss and seal" in saved and "la-county/" in saved
    assert "left the review queue" in saved
    assert "charges[0].disposition_date: (none) → 1988-06-01" in saved  # the audit trail on the page
    assert "date read from the minute order" in saved
    assert case_id not in queued_ids(services)
    with services.db.read() as s:
        case = repo.get_case(s, case_id=case_id)
        entries, _ = repo.list_audit(s, action="case.correct", target=case_id)
    assert case.version == version + 1 and case.record["relief"]["outcome"] == "dismiss_and_seal"
    assert case.record["charges"][0]["disposition_date"] == "1988-06-01"
    assert entries[0].actor_name == "Web reviewer"
    assert set(entries[0].after["fields"]) == {"charges[0].disposition_date", "charges[0].section"}


def _add_case(services, record: dict, *, created: dt.datetime) -> str:
    """A finished document with this record, stored as a worker would."""
    doc_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    with services.db.write() as s:
        repo.add_document(s, document_id=doc_id, file=f"{doc_id}.png", sha256=uuid.uuid4().hex * 2, size=1,
                          kind="png", blob_key=None, policy=None, now=created)
        repo.claim_document(s, document_id=doc_id, worker="t", now=created, lease_until=created, max_attempts=3)
        assert repo.complete_document(s, document_id=doc_id, worker="t", case_id=case_id, record=record, pages=1,
                                      now=created)
    return case_id


def _queued_record(reasons: list[str]) -> dict:
    return {"schema_version": "1", "case_number": "X1", "charges": [],
            "relief": {"policy": "la-county", "outcome": "needs_review"},
            "review": {"required": True, "reasons": reasons}, "confidence": 0.5}


@pytest.fixture(params=["sqlite", "postgresql"])
def queue_db(request, tmp_path):
    """Services on a fresh database of each kind, with four queued cases of known reasons and age."""
    if request.param == "postgresql":
        ctx = fresh_pg_database()
    else:
        import contextlib

        ctx = contextlib.nullcontext(None)
    with ctx as url:
        from ocr_service.storage.context import Services

        services = Services(ServiceSettings(data_dir=tmp_path, database_url=url))
        services.db.migrate()
        t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
        ids = [_add_case(services, _queued_record(r), created=t0 + dt.timedelta(minutes=i)) for i, r in enumerate([
            ["low_ocr_confidence"], ["missing_disposition_date", "low_ocr_confidence"],
            ["missing_disposition"], ["low_ocr_confidence_extra"]])]
        yield services, ids
        services.db.dispose()


def test_queue_filters_by_reason_with_counts_oldest_first(queue_db):
    services, ids = queue_db
    with services.db.read() as s:
        everything, total = repo.review_queue(s)
        low, n_low = repo.review_queue(s, reason="low_ocr_confidence")
        counts = repo.review_reason_counts(s)
        assert repo.next_in_queue(s) == ids[0]
        assert repo.next_in_queue(s, after_case_id=ids[1]) == ids[2]
        assert repo.next_in_queue(s, after_case_id=ids[3]) == ids[0]  # wraps around
        assert repo.next_in_queue(s, after_case_id=ids[0], reason="missing_disposition") == ids[2]
        assert repo.queue_position(s, case_id=ids[2]) == (3, 4)
    assert [c.id for c in everything] == ids and total == 4
    assert [c.id for c in low] == ids[:2] and n_low == 2  # not the case whose code only starts the same
    assert counts == {"low_ocr_confidence": 2, "missing_disposition_date": 1, "missing_disposition": 1,
                      "low_ocr_confidence_extra": 1}


def test_queue_page_filters_and_counts(desk):
    app, keys, services = desk
    c = sign_in(app, keys["reviewer"])
    page = c.get("/review").text
    n = len(queued_ids(services))
    assert f"{n} case" in page
    assert "No disposition date" in page  # the stand-in's reason, in words
    assert 'href="/review?reason=missing_disposition_date"' in page
    assert c.get("/review?reason=conflicting_disposition").text.count('class="open"') == 0
    assert c.get("/review?reason=BAD REASON").status_code == 422
    nxt = c.get("/review/next")
    assert nxt.status_code == 303 and nxt.headers["location"] == f"/review/cases/{queued_ids(services)[0]}"


def test_upload_through_the_session_and_follow_the_batch(desk):
    app, keys, services = desk
    up = sign_in(app, keys["uploader"])
    token = form_token(up.get("/upload").text)
    files = [("files", ("u1.png", png_bytes("upload one"), "image/png")), ("files", ("bad.txt", b"text", "text/plain"))]
    r = up.post("/upload/batches", files=files, headers={"X-CSRF-Token": token}, params={"policy": "ca-statute"})
    assert r.status_code == 202
    body = r.json()
    assert [d["status"] for d in body["documents"]] == ["queued", "failed"]
    assert body["documents"][1]["error"]["code"] == "unsupported_type"
    drain(services)
    status = up.get(f"/upload/batches/{body['id']}").json()
    assert [d["status"] for d in status["documents"]] == ["done", "failed"]
    assert status["documents"][0]["case_url"] is None  # an uploader cannot open cases
    other = sign_in(app, keys["admin"]).get(f"/upload/batches/{body['id']}").json()
    assert other["documents"][0]["case_url"].startswith("/review/cases/")
    with services.db.write() as s:
        stranger = create_key(s, role="uploader", name="another unit").token
    assert sign_in(app, stranger).get(f"/upload/batches/{body['id']}").status_code == 404
    assert sign_in(app, keys["reviewer"]).post("/upload/batches", files=files,
                                               headers={"X-CSRF-Token": "x"}).status_code == 403


def test_dashboard_draws_the_figures(desk):
    app, keys, _ = desk
    page = sign_in(app, keys["reader"]).get("/dashboard").text
    assert page.count('<svg class="chart"') == 5
    for title in ("Backlog by status", "Outcomes by year of conviction", "Outcomes by statute",
                  "Why cases wait for review", "Pages processed per hour"):
        assert title in page
    assert "HS 11357" in page  # the stand-in's statute
