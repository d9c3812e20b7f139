"""An open-loop HTTP load generator: requests at a fixed arrival rate over keep-alive connections.

    result = asyncio.run(open_loop("127.0.0.1", 8000, paths, rate=200, seconds=30, headers={...}))

Request i is due at t0 + i / rate whether or not earlier ones have answered; when every connection is
busy it waits for one, and that wait counts in its latency (so a slow server is not hidden by a
polite client: no coordinated omission). The HTTP/1.1 client is a few lines over asyncio streams,
GET only, because general-purpose clients (httpx) spend more CPU per request than the server under
test on a 2-core machine. Plain wrk has no fixed-rate mode and wrk2 is not packaged in Debian.
"""
from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class LoadResult:
    rate: float
    seconds: float
    sent: int
    ok: int
    errors: dict[str, int]  # by HTTP status or exception; "unanswered": still open after the drain time
    achieved_rps: float  # answered with 200 per second of the run
    latency_ms: dict[str, float]  # from the moment each request was due
    service_ms: dict[str, float]  # from the moment each request was written to its connection
    connections: int  # connections it needed


def percentiles(values_s) -> dict[str, float]:
    """p50, p90, p99 and max of durations in seconds, in milliseconds."""
    if not len(values_s):
        return {k: float("nan") for k in ("p50", "p90", "p99", "max")}
    a = np.sort(np.asarray(values_s, dtype=float)) * 1000.0

    def at(q: float) -> float:  # linear interpolation, but an infinite neighbour gives infinity
        pos = q / 100 * (len(a) - 1)
        lo, hi = math.floor(pos), math.ceil(pos)
        if math.isinf(a[hi]):
            return math.inf
        return float(a[lo] + (a[hi] - a[lo]) * (pos - lo))

    return {"p50": at(50), "p90": at(90), "p99": at(99), "max": float(a[-1])}


class HttpError(Exception):
    pass


@dataclass
class Connection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads whole responses."""

    host: str
    port: int
    head: bytes  # header lines after the request line, each ending in CRLF
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.head + b"\r\n")
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.lower()
        body = b""
        if b"\r\ncontent-length:" in headers:
            length = int(headers.split(b"\r\ncontent-length:", 1)[1].split(b"\r\n", 1)[0])
            body = await self.reader.readexactly(length)
        elif b"\r\ntransfer-encoding: chunked" in headers:
            body = await self._chunked()
        else:
            raise HttpError("response without a length")
        if b"\r\nconnection: close" in headers:
            self.close()
        return status, body

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            data = await self.reader.readexactly(size + 2)
            if size == 0:
                return b"".join(parts)
            parts.append(data[:-2])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class _Tally:
    due: list[float] = field(default_factory=list)
    service: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def open_loop(host: str, port: int, paths: Iterator[str], *, rate: float, seconds: float,
                    headers: Mapping[str, str] | None = None, max_connections: int = 128,
                    timeout: float = 30.0, drain: float = 10.0) -> LoadResult:
    """Send int(rate * seconds) GETs, request i due at t0 + i / rate; see the module docstring."""
    head = f"Host: {host}:{port}\r\n".encode() + b"".join(
        f"{k}: {v}\r\n".encode() for k, v in (headers or {}).items())
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    made = 0
    tally = _Tally()
    loop = asyncio.get_running_loop()
    n = int(rate * seconds)

    async def take() -> Connection:
        nonlocal made
        if idle.empty() and made < max_connections:
            made += 1
            return Connection(host, port, head)
        return await idle.get()

    async def one(due: float, path: str) -> None:
        conn = await take()
        sent = loop.time()
        try:
            status, _ = await asyncio.wait_for(conn.get(path), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, HttpError, ValueError) as e:
            conn.close()
            tally.error(type(e).__name__)
        else:
            done = loop.time()
            if status == 200:
                tally.due.append(done - due)
                tally.service.append(done - sent)
            else:
                tally.error(str(status))
        idle.put_nowait(conn)

    t0 = loop.time() + 0.1
    tasks = []
    for i in range(n):
        due = t0 + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, next(paths))))
    # a server that cannot keep up is not waited for: what is unanswered `drain` seconds after the
    # last request was due counts as an error, and as an infinite latency in the percentiles
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, t0 + seconds + drain - loop.time()))
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if pending:
        tally.errors["unanswered"] = len(pending)
    elapsed = loop.time() - t0
    while not idle.empty():
        idle.get_nowait().close()
    ok = len(tally.due)
    return LoadResult(rate, seconds, n, ok, tally.errors, ok / elapsed,
                      percentiles(tally.due + [math.inf] * len(pending)), percentiles(tally.service), made)
