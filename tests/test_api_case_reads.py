"""Case reads served from the stored JSON text, keyset and page paging, cached totals, the ASGI
middleware's figures: against real SQLite and real PostgreSQL."""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
import random
import uuid
from contextlib import nullcontext

import pytest
from fastapi.testclient import TestClient

from bench.service import synthetic_record
from ocr_service.api import schemas
from ocr_service.api.app import create_app
from ocr_service.api.routes.cases import CaseCounts, PageStarts, case_json, decode_cursor
from ocr_service.auth import create_key
from ocr_service.logging import configure
from ocr_service.storage import repo
from ocr_service.storage.context import ServiceSettings
from tests.test_service_support import fresh_pg_database

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
N = 37  # cases; several share a created_at, so the order needs the id as well


def add_case(services, record: dict, at: dt.datetime) -> str:
    doc_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    with services.db.write() as s:
        repo.add_document(s, document_id=doc_id, file=record["source"]["file"], sha256=uuid.uuid4().hex * 2,
                          size=1, kind="png", blob_key=None, policy=None, now=at)
        assert repo.claim_document(s, document_id=doc_id, worker="t", now=at, lease_until=at + dt.timedelta(1),
                                   max_attempts=3)
        assert repo.complete_document(s, document_id=doc_id, worker="t", case_id=case_id, record=record, pages=1,
                                      now=at)
    return case_id


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request, tmp_path_factory):
    """(client, reader headers, services, {case id: record}) with N cases on a fresh database of each kind."""
    data = tmp_path_factory.mktemp(f"reads-{request.param}")
    with (fresh_pg_database() if request.param == "postgresql" else nullcontext()) as pg_url:
        app = create_app(ServiceSettings(data_dir=data, database_url=pg_url, count_cache_seconds=0))
        with TestClient(app) as client:
            services = app.state.services
            with services.db.write() as s:
                token = create_key(s, role="reader", name="reads").token
            rng = random.Random(5)
            cases = {}
            for i in range(N):
                rec = synthetic_record(rng, i)
                cases[add_case(services, rec, T0 + dt.timedelta(seconds=i // 3))] = rec
            yield client, {"Authorization": f"Bearer {token}"}, services, cases
        services.db.dispose()



def in_list_order(services, cases: dict) -> list[str]:
    with services.db.read() as s:
        keyed = [(repo.get_case(s, case_id=c).created_at, c) for c in cases]
    return [c for _, c in sorted(keyed)]


def test_a_case_is_its_stored_record_with_ids_and_version(api, case_schema):
    client, h, services, cases = api
    for case_id, record in list(cases.items())[:10]:
        r = client.get(f"/v1/cases/{case_id}", headers=h)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        got = r.json()
        doc_id = got["document_id"]
        assert got == {**record, "id": case_id, "document_id": doc_id, "version": 1}
        schemas.CaseOut.model_validate(got)
        case_schema.validate({k: v for k, v in got.items() if k not in ("id", "document_id", "version")})
    assert client.get(f"/v1/cases/{uuid.uuid4()}", headers=h).status_code == 404


def test_cursor_walk_gives_every_case_once_in_order_and_matches_page_numbers(api):
    client, h, services, cases = api
    order = in_list_order(services, cases)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"per_page": 5, **({"cursor": cursor} if cursor else {"page": 1})}
        body = client.get("/v1/cases", params=params, headers=h).json()
        pages += 1
        assert body["total"] == N and body["per_page"] == 5
        assert body["page"] == (None if cursor else 1)
        by_number = client.get("/v1/cases", params={"per_page": 5, "page": pages}, headers=h).json()
        assert [c["id"] for c in by_number["items"]] == [c["id"] for c in body["items"]]
        seen += [c["id"] for c in body["items"]]
        for c in body["items"]:
            assert c == {**cases[c["id"]], "id": c["id"], "document_id": c["document_id"], "version": 1}
        cursor = body["next_cursor"]
        if cursor is None:
            assert len(body["items"]) < 5
            break
    assert seen == order and pages == N // 5 + 1


def test_deep_pages_by_number_start_where_the_cursor_walk_says(api):
    """Pages past PageStarts.EXACT_PAGES are read by keyset from the cached page starts: the same pages."""
    client, h, services, cases = api
    order = in_list_order(services, cases)
    app = client.app
    saved, app.state.page_starts = app.state.page_starts, PageStarts(10)
    try:
        for review in (None, True):
            want = [c for c in order if review is None or cases[c]["review"]["required"]]
            pages = [want[i:i + 2] for i in range(0, len(want), 2)]
            assert len(pages) > PageStarts.EXACT_PAGES or review, "enough cases for deep pages"
            for number, expected in enumerate(pages, start=1):
                params = {"per_page": 2, "page": number, **({"review": "true"} if review else {})}
                body = client.get("/v1/cases", params=params, headers=h).json()
                assert [c["id"] for c in body["items"]] == expected, (review, number)
            past = client.get("/v1/cases", params={**params, "page": len(pages) + 3}, headers=h).json()
            assert past["items"] == [] and past["next_cursor"] is None
        assert (None, None, 2) in app.state.page_starts  # the deep pages did use the walk
    finally:
        app.state.page_starts = saved


def test_filters_page_the_same_way(api):
    client, h, services, cases = api
    order = in_list_order(services, cases)
    want = [c for c in order if cases[c]["review"]["required"]]
    assert want, "the generated cases include some that need review"
    seen, cursor = [], None
    while True:
        body = client.get("/v1/cases", params={"review": "true", "per_page": 2, **({"cursor": cursor} if cursor
                                                                                   else {})}, headers=h).json()
        assert body["total"] == len(want)
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == want
    outcome = cases[order[0]]["relief"]["outcome"]
    listed = client.get("/v1/cases", params={"outcome": outcome, "per_page": 200}, headers=h).json()
    assert [c["id"] for c in listed["items"]] == [c for c in order if cases[c]["relief"]["outcome"] == outcome]


def test_a_cursor_that_the_service_did_not_give_is_a_422(api):
    client, h, _, _ = api
    for bad in ("nonsense", "W10", "WyIyMDI0IiwgMV0", "a" * 150):
        r = client.get("/v1/cases", params={"cursor": bad}, headers=h)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", bad


def test_stored_text_and_parsed_record_give_the_same_json():
    rng = random.Random(9)
    for i in range(200):
        rec = synthetic_record(rng, i)
        for text in (json.dumps(rec), json.dumps(rec, ensure_ascii=False, indent=1), "  " + json.dumps(rec)):
            view = repo.CaseJsonView("c-1", "d-1", 3, T0, text)
            assert json.loads(case_json(view)) == {**rec, "id": "c-1", "document_id": "d-1", "version": 3}
    # the slow way: a record naming an added key (the added one wins), a non-JSON number, an empty record
    odd = repo.CaseJsonView("c-2", "d-2", 1, T0, json.dumps({"id": "stale", "version": 9, "x": float("nan")}))
    assert json.loads(case_json(odd)) == {"id": "c-2", "document_id": "d-2", "version": 1, "x": None}
    empty = repo.CaseJsonView("c-3", "d-3", 1, T0, "{}")
    assert json.loads(case_json(empty)) == {"id": "c-3", "document_id": "d-3", "version": 1}
    assert decode_cursor(__import__("ocr_service.api.routes.cases", fromlist=["x"]).encode_cursor(view)) \
        == (T0, "c-1")


def test_the_total_is_counted_again_once_its_cache_expires(tmp_path):
    now = [0.0]
    app = create_app(ServiceSettings(data_dir=tmp_path))
    assert app.state.case_counts.ttl_s == 10  # the documented default (docs/service.md)
    app.state.case_counts = CaseCounts(10, clock=lambda: now[0])
    with TestClient(app) as client:
        services = app.state.services
        with services.db.write() as s:
            h = {"Authorization": f"Bearer {create_key(s, role='reader', name='r').token}"}
        rng = random.Random(1)
        add_case(services, synthetic_record(rng, 0), T0)
        assert client.get("/v1/cases", headers=h).json()["total"] == 1
        add_case(services, synthetic_record(rng, 1), T0 + dt.timedelta(seconds=1))
        body = client.get("/v1/cases", headers=h).json()
        assert len(body["items"]) == 2 and body["total"] == 1  # the items are fresh, the total is cached
        now[0] += 10.5
        assert client.get("/v1/cases", headers=h).json()["total"] == 2


def test_middleware_counts_and_logs_every_request_by_route_template_and_status(tmp_path):
    app = create_app(ServiceSettings(data_dir=tmp_path))

    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError("DOE, JOHN")

    stream = io.StringIO()
    configure("INFO", stream=stream)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            with app.state.services.db.write() as s:
                h = {"Authorization": f"Bearer {create_key(s, role='reader', name='m').token}"}
            case_id = str(uuid.uuid4())
            assert client.get(f"/v1/cases/{case_id}", headers=h).status_code == 404
            assert client.get("/v1/cases", headers=h).status_code == 200
            assert client.get("/v1/cases").status_code == 401
            assert client.get("/boom-for-test").status_code == 500
            metrics = client.get("/metrics").text
    finally:
        configure("WARNING")
    for line in ('cleardocket_http_requests_total{method="GET",route="/v1/cases/{case_id}",status="404"} 1.0',
                 'cleardocket_http_requests_total{method="GET",route="/v1/cases",status="200"} 1.0',
                 'cleardocket_http_requests_total{method="GET",route="/v1/cases",status="401"} 1.0',
                 'cleardocket_http_requests_total{method="GET",route="/boom-for-test",status="500"} 1.0',
                 'cleardocket_http_request_seconds_count{route="/v1/cases"} 2.0'):
        assert line in metrics, line
    logged = [json.loads(x) for x in stream.getvalue().splitlines() if '"http.request"' in x]
    assert {(x["route"], x["http_status"]) for x in logged} >= {
        ("/v1/cases/{case_id}", 404), ("/v1/cases", 200), ("/v1/cases", 401), ("/boom-for-test", 500)}
    assert case_id not in stream.getvalue() and "DOE" not in stream.getvalue()
    assert all(isinstance(x["duration_ms"], float) for x in logged)
