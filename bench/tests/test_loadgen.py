"""The load generator against a real HTTP/1.1 server in a thread (keep-alive, fixed and slow answers)."""
from __future__ import annotations

import asyncio
import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from bench.loadgen import open_loop


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self):
        _Handler.seen.append((self.path, self.headers.get("Authorization", "")))
        if self.path.startswith("/slow"):
            time.sleep(0.2)
        status = 404 if self.path == "/missing" else 200
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a slow answer closes its end: expected here


@pytest.fixture()
def server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    _Handler.seen.clear()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def test_fixed_rate_all_answered_with_headers_and_keep_alive(server):
    paths = (f"/x/{i}" for i in itertools.count())
    t0 = time.perf_counter()
    r = asyncio.run(open_loop("127.0.0.1", server, paths, rate=100, seconds=1.0, headers={"Authorization": "Bearer k"}))
    took = time.perf_counter() - t0
    assert r.sent == 100 and r.ok == 100 and not r.errors
    assert 0.9 <= took < 10.0  # paced over about a second, not sent at once
    assert r.connections < 50  # fast answers: connections are reused
    assert [p for p, _ in _Handler.seen] == [f"/x/{i}" for i in range(100)]
    assert all(auth == "Bearer k" for _, auth in _Handler.seen)
    assert r.latency_ms["p50"] < 1000


def test_slow_answers_count_from_when_the_request_was_due(server):
    # 20 requests/s of 0.2 s each over at most 2 connections: requests queue, and the queueing shows
    r = asyncio.run(open_loop("127.0.0.1", server, itertools.repeat("/slow"), rate=20, seconds=1.0,
                              max_connections=2))
    assert r.ok == 20
    assert r.service_ms["p50"] >= 190
    assert r.latency_ms["p99"] > 1000  # the last ones waited for a free connection
    assert r.latency_ms["p99"] > r.service_ms["p99"] * 3


def test_non_200_answers_are_errors(server):
    r = asyncio.run(open_loop("127.0.0.1", server, itertools.repeat("/missing"), rate=50, seconds=0.2))
    assert r.ok == 0 and r.errors == {"404": 10}


def test_a_server_that_cannot_keep_up_is_not_waited_for(server):
    # 0.2 s answers over one connection cannot serve 20/s; after the drain time the rest is unanswered
    t0 = time.perf_counter()
    r = asyncio.run(open_loop("127.0.0.1", server, itertools.repeat("/slow"), rate=20, seconds=1.0,
                              max_connections=1, drain=0.5))
    assert time.perf_counter() - t0 < 10.0
    assert 0 < r.ok < 20
    assert r.errors["unanswered"] == 20 - r.ok
    assert r.latency_ms["p99"] == float("inf")
