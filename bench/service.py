"""`make bench-service`: the API under load on PostgreSQL with 100,000 cases, and a 1,000-file upload.

    python -m bench.service [--cases 100000] [--rate 200] [--seconds 30] [--api-workers 2] [--files 1000]

1. A fresh PostgreSQL database (created here, dropped at the end), migrated by the product's own
   Alembic migrations, seeded with synthetic documents and case records by bulk inserts into the
   storage layer's tables (`ocr_service.storage.models`).
2. The real API: `uvicorn --factory ocr_service.api.app:app_from_environment --workers W` on loopback
   (what `cleardocket serve --api-workers W` runs).
3. An open-loop load generator (`bench.loadgen`, asyncio, keep-alive HTTP/1.1, in this process):
   request i is due at t0 + i / rate whether or not earlier ones have answered, so a slow server is
   not hidden by a waiting client (no coordinated omission). Latency is counted from the moment a
   request was due; the time from its actual send is printed as well. One scenario at a time:
   GET /v1/cases/{random id} and GET /v1/cases?page= (first 10 pages) at a light 20 req/s for 10 s
   (the service time without queueing), then at the full rate for 30 s each: GET /v1/cases/{random id},
   GET /v1/cases?page= (first 10 pages), GET /v1/cases?page= (any page), GET /v1/cases?cursor= (any
   page, by the cursor its previous page gives: keyset paging). CPU seconds of the API
   processes and of the database's PostgreSQL backends are read around each scenario; with
   `--profile`, py-spy records every API worker (samples that hold the GIL: Python CPU) during the
   light scenarios, where a sample is work and not a wait in a queue.
4. Uploads: one POST /v1/batches with 100 files, then one with 1,000 (distinct PNG files, about
   200 kB each, streamed by the client), sampling the resident memory of every API process.

Plain wrk cannot hold a fixed request rate (and wrk2 is not packaged in Debian), hence the generator.
The API, PostgreSQL and the generator share the machine's cores (loopback, as the issue asks).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.loadgen import LoadResult, open_loop

ROOT = Path(__file__).resolve().parents[1]
PG = "127.0.0.1:5432"


# ----------------------------------------------------------------------------------- database
def admin_url() -> str:
    """A URL to an existing database as a superuser (trust auth on loopback), or exit."""
    import psycopg

    for user in ("postgres", "root"):
        for db in ("postgres", "test"):
            url = f"postgresql://{user}@{PG}/{db}"
            with contextlib.suppress(psycopg.Error), psycopg.connect(url, connect_timeout=3):
                return url
    raise SystemExit(f"bench.service needs PostgreSQL at {PG} with a superuser (postgres or root)")


def fresh_database():
    """A new, empty database for this run; dropped afterwards."""
    from ocr_service.storage.db import temporary_postgres_database

    return temporary_postgres_database(admin_url(), "cd_bench_")


OUTCOMES = ("dismiss_and_seal", "not_applicable", "needs_review", "not_eligible", "redesignate")
REASONS = ("low_ocr_confidence", "unknown_statute", "missing_disposition_date", "conflicting_disposition")
STATUTES = (("HS", "11357", "b"), ("HS", "11358", None), ("HS", "11359", None), ("HS", "11360", "a"),
            ("PC", "484", None), ("VC", "23152", "a"), ("PC", "245", "a"), ("HS", "11350", None))


def synthetic_record(rng: random.Random, index: int) -> dict:
    """One case record in the contract's shape, invented (names from the sample generator's lists)."""
    from samples.generator.content import FIRST_NAMES, SURNAMES

    charges = []
    for count in range(1, rng.randint(1, 4) + 1):
        code, section, sub = rng.choice(STATUTES)
        outcome = rng.choice(OUTCOMES) if code == "HS" and section.startswith("1135") else "not_applicable"
        day = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randint(0, 15000))
        charges.append({
            "count": count, "code": code, "section": section, "subdivision": sub, "attempt": False,
            "level": rng.choice(("felony", "misdemeanor")), "disposition": rng.choice(("convicted", "dismissed")),
            "disposition_date": day.isoformat(), "text": f"{section}{f'({sub.upper()})' if sub else ''} {code} COUNT",
            "confidence": round(rng.uniform(0.5, 0.99), 2),
            "evidence": {"page": 1, "bbox": [400, 1200 + 60 * count, 1600, 1240 + 60 * count]},
            "relief": {"outcome": outcome, "rule": "la-county/cannabis-conviction", "citation": "HS 11361.8(e)",
                       "reason": "synthetic"}})
    order = {o: i for i, o in enumerate(("dismiss_and_seal", "redesignate", "needs_review", "not_eligible",
                                         "not_applicable"))}
    outcome = min((c["relief"]["outcome"] for c in charges), key=order.__getitem__)
    reasons = rng.sample(REASONS, rng.randint(1, 2)) if outcome == "needs_review" or rng.random() < 0.15 else []
    return {
        "schema_version": "1",
        "source": {"file": f"BENCH{index:07d}.pdf", "sha256": f"{index:064x}", "pages": rng.randint(1, 3)},
        "case_number": f"A{rng.randint(100000, 999999)}",
        "court": "MUNICIPAL COURT OF LOS ANGELES JUDICIAL DISTRICT",
        "defendant": {"name": f"{rng.choice(SURNAMES)}, {rng.choice(FIRST_NAMES)}",
                      "dob": (dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 15000))).isoformat()},
        "filing_date": (dt.date(1975, 1, 1) + dt.timedelta(days=rng.randint(0, 15000))).isoformat(),
        "charges": charges,
        "flags": {"pc290_registrant": False, "super_strike_prior": False},
        "relief": {"policy": "la-county", "outcome": outcome},
        "review": {"required": bool(reasons), "reasons": reasons},
        "confidence": round(rng.uniform(0.5, 0.99), 2),
    }


def seed(url: str, n: int, *, chunk: int = 5000, seed_value: int = 64) -> tuple[list[str], float]:
    """Migrate the database and insert `n` done documents with one case each; their case ids and seconds."""
    from sqlalchemy import insert

    from ocr_service.storage.db import Database, database_url
    from ocr_service.storage.models import Case, Document

    db = Database(database_url(data_dir=Path("."), database_url=url))
    db.migrate()
    rng = random.Random(seed_value)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    ids: list[str] = []
    t0 = time.perf_counter()
    for lo in range(0, n, chunk):
        docs, cases = [], []
        for i in range(lo, min(n, lo + chunk)):
            rec = synthetic_record(rng, i)
            at = start + dt.timedelta(seconds=i)
            doc_id, case_id = str(uuid.UUID(int=rng.getrandbits(128))), str(uuid.UUID(int=rng.getrandbits(128)))
            docs.append({"id": doc_id, "file": rec["source"]["file"], "sha256": rec["source"]["sha256"],
                         "dedup_key": rec["source"]["sha256"], "size": 100_000, "kind": "pdf",
                         "blob_key": f"scans/{rec['source']['sha256'][:2]}/{rec['source']['sha256']}.pdf",
                         "status": "done", "attempts": 1, "available_at": at, "created_at": at,
                         "finished_at": at, "pages": rec["source"]["pages"], "policy": "la-county"})
            cases.append({"id": case_id, "document_id": doc_id, "record": rec, "outcome": rec["relief"]["outcome"],
                          "review_required": rec["review"]["required"], "version": 1, "created_at": at,
                          "updated_at": at})
            ids.append(case_id)
        with db.write() as s:
            s.execute(insert(Document), docs)
            s.execute(insert(Case), cases)
    db.dispose()
    import psycopg

    # what autovacuum does after a bulk load (PostgreSQL 13+ vacuums insert-only tables too): statistics
    # and the visibility map, without which no index-only scan is possible
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
    return ids, time.perf_counter() - t0


# ----------------------------------------------------------------------------------- the server
def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARDOCKET_")}
    env.update({"CLEARDOCKET_DATABASE_URL": url, "CLEARDOCKET_DATA_DIR": str(data_dir),
                "CLEARDOCKET_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"})
    return env


def create_key(role: str, env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-m", "ocr_service.cli_service", "keys", "create", "--role", role,
                          "--name", f"bench {role}"], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def api_server(env: dict[str, str], workers: int) -> Iterator[tuple[str, subprocess.Popen]]:
    """The real API under uvicorn on a free loopback port; stopped at the end."""
    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "ocr_service.api.app:app_from_environment",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--no-access-log", "--log-level", "warning"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the API did not start: {proc.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("the API did not answer /healthz within 60 s")
            time.sleep(0.3)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ----------------------------------------------------------------------------------- load
def paths_case(ids: Sequence[str], rng: random.Random) -> Iterator[str]:
    while True:
        yield f"/v1/cases/{rng.choice(ids)}"


def paths_list(pages: int, rng: random.Random) -> Iterator[str]:
    while True:
        yield f"/v1/cases?page={rng.randint(1, pages)}"


def page_cursors(url: str, per_page: int) -> list[str]:
    """The `cursor` that asks for each page after the first (what the previous page's `next_cursor` says)."""
    import psycopg

    from ocr_service.api.routes.cases import encode_cursor
    from ocr_service.storage.repo import CaseJsonView

    with psycopg.connect(url) as c:
        rows = c.execute("SELECT created_at, id FROM (SELECT created_at, id, row_number() OVER "
                         "(ORDER BY created_at, id) AS n FROM cases) t WHERE n %% %s = 0", (per_page,)).fetchall()
    return [encode_cursor(CaseJsonView(case_id, "", 0, at.replace(tzinfo=dt.UTC), "")) for at, case_id in rows]


def paths_cursor(cursors: Sequence[str], rng: random.Random) -> Iterator[str]:
    while True:
        yield f"/v1/cases?cursor={rng.choice(cursors)}"


# ----------------------------------------------------------------------------------- uploads
def make_pngs(folder: Path, n: int, side: int = 450, seed_value: int = 7) -> list[Path]:
    """n distinct PNG files of about side*side bytes (noise does not compress)."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed_value)
    out = []
    for i in range(n):
        path = folder / f"upload_{i:05d}.png"
        Image.fromarray(rng.integers(0, 256, (side, side), dtype=np.uint8), "L").save(path, compress_level=1)
        out.append(path)
    return out


def multipart(files: Sequence[Path], boundary: str, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """A multipart/form-data body (field `files`), read from disk lazily, chunk by chunk."""
    for f in files:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{f.name}\"\r\n"
               "Content-Type: image/png\r\n\r\n").encode()
        with open(f, "rb") as fh:
            while data := fh.read(chunk):
                yield data
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()


def rss_of_tree(pid: int) -> dict[int, int]:
    """Resident memory (bytes) of a process and its descendants."""
    import psutil

    out = {}
    try:
        root = psutil.Process(pid)
        for p in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                out[p.pid] = p.memory_info().rss
    except psutil.Error:
        pass
    return out


@dataclass(frozen=True)
class UploadResult:
    files: int
    megabytes: float
    seconds: float
    status: int
    documents: int
    baseline_mb: float  # the largest API process before the upload
    peak_mb: float  # the largest API process during it
    growth_mb: float  # the largest growth of any one API process


def upload(base: str, key: str, files: Sequence[Path], server_pid: int) -> UploadResult:
    import threading

    import httpx

    before = rss_of_tree(server_pid)
    peaks = dict(before)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid, rss in rss_of_tree(server_pid).items():
                peaks[pid] = max(peaks.get(pid, 0), rss)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    boundary = uuid.uuid4().hex
    size = sum(f.stat().st_size for f in files)
    t0 = time.perf_counter()
    r = httpx.post(f"{base}/v1/batches", content=multipart(files, boundary), timeout=600,
                   headers={"Authorization": f"Bearer {key}",
                            "Content-Type": f"multipart/form-data; boundary={boundary}"})
    seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    docs = len(r.json().get("documents", [])) if r.status_code == 202 else 0
    growth = max((peaks[p] - before.get(p, peaks[p]) for p in peaks), default=0)
    return UploadResult(len(files), size / 1e6, seconds, r.status_code, docs,
                        max(before.values(), default=0) / 2**20, max(peaks.values(), default=0) / 2**20,
                        growth / 2**20)


# ----------------------------------------------------------------------------------- report
@dataclass(frozen=True)
class Scenario:
    name: str
    result: LoadResult
    target_p99_ms: float | None
    api_cpu_ms: float  # CPU of the API processes per answered request
    pg_cpu_ms: float  # CPU of this database's PostgreSQL backends per answered request
    load_1min: float = float("nan")  # the machine's 1-minute load average at the end of the scenario
    api_wait_ms: float = float("nan")  # time API threads waited for a core, per answered request


def _ms(x: float) -> str:
    return "unanswered" if math.isinf(x) else f"{x:.1f}"


def render(env: dict, loads: Sequence[Scenario], uploads: Sequence[UploadResult],
           profiles: Sequence[tuple[str, str]] = ()) -> str:
    lines = ["## Service under load (`make bench-service`)", "",
             f"- Run: {env['date']}, `{env['command']}`",
             (f"- {env['cases']:,} synthetic cases in PostgreSQL {env['pg']} (seeded in {env['seed_s']:.0f} s); "
             f"API: uvicorn, {env['api_workers']} worker processes; load generator `bench.loadgen` on the same "
             f"machine (open loop, keep-alive); load average before {env['load']}"),
             (f"- The machine has {os.cpu_count()} cores, shared with other jobs: \"load (1 min)\" is its load "
              f"average at the end of each scenario; above {os.cpu_count()}, the API, PostgreSQL and the load "
              "generator waited for a core, and latency includes that wait. \"API waited for a core\": time "
              "the API's threads were ready to run but had no core (Linux schedstat), summed over the "
              "scenario, divided by the requests answered. CPU per request is much less affected."),
             ("- Latency is from the moment a request was due (a request that waited for a connection counts "
             "its wait); \"from send\" is from the moment it was written to its connection. CPU per request: "
             "user + system time of the API processes, and of this database's PostgreSQL backends, over the "
             "scenario, divided by the requests answered."),
             "",
             ("| scenario | rate (req/s) | achieved | ok / sent | errors | p50 ms | p90 ms | p99 ms | "
             "p99 from send ms | API CPU ms/req | PostgreSQL CPU ms/req | API waited for a core ms/req | "
             "load (1 min) | target p99 | |"),
             "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for sc in loads:
        r, target = sc.result, sc.target_p99_ms
        ok = target is not None and r.latency_ms["p99"] < target and not r.errors
        lines.append(f"| {sc.name} | {r.rate:.0f} | {r.achieved_rps:.0f} | {r.ok} / {r.sent} | "
                     f"{', '.join(f'{k}: {v}' for k, v in r.errors.items()) or 'none'} | "
                     f"{_ms(r.latency_ms['p50'])} | {_ms(r.latency_ms['p90'])} | {_ms(r.latency_ms['p99'])} | "
                     f"{_ms(r.service_ms['p99'])} | {sc.api_cpu_ms:.1f} | {sc.pg_cpu_ms:.1f} | {sc.api_wait_ms:.1f} | "
                     f"{sc.load_1min:.1f} | "
                     f"{'< ' + format(target, '.0f') if target else ''} | "
                     f"{'' if target is None else 'met' if ok else '**missed**'} |")
    lines += ["", ("| upload | MB | seconds | status | documents | largest API process before, MB | "
              "during, MB | largest growth of one process, MB |"),
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for u in uploads:
        lines.append(f"| {u.files} files | {u.megabytes:.0f} | {u.seconds:.1f} | {u.status} | {u.documents} | "
                     f"{u.baseline_mb:.0f} | {u.peak_mb:.0f} | {u.growth_mb:.1f} |")
    for name, text in profiles:
        lines += ["", (f"py-spy --gil, API workers during \"{name}\" (share of the samples in which a worker "
                  "held the GIL, i.e. ran Python; inclusive):"), "", "```", text.rstrip(), "```"]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------- resources
def cpu_seconds(api_pid: int, db_name: str) -> dict[str, dict[int, float]]:
    """User + system CPU seconds so far, per process, of the API's processes ("api") and of the
    PostgreSQL backends serving `db_name` ("pg", found by their process title)."""
    import psutil

    def per_pid(procs) -> dict[int, float]:
        out = {}
        for p in procs:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                out[p.pid] = t.user + t.system
        return out

    try:
        root = psutil.Process(api_pid)
        api = [root, *root.children(recursive=True)]
    except psutil.Error:
        api = []
    pg = []
    for p in psutil.process_iter(["name", "cmdline"]):
        with contextlib.suppress(psutil.Error, TypeError):
            if p.info["name"] == "postgres" and db_name in " ".join(p.info["cmdline"] or ()):
                pg.append(p)
    return {"api": per_pid(api), "pg": per_pid(pg)}


def runqueue_wait(api_pid: int) -> dict[tuple[int, int], float]:
    """Seconds each thread of the API's processes has spent ready to run but waiting for a core
    (Linux /proc/PID/task/TID/schedstat, second field): what a loaded machine adds to latency."""
    import psutil

    out: dict[tuple[int, int], float] = {}
    try:
        root = psutil.Process(api_pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return out
    for p in procs:
        for task in Path(f"/proc/{p.pid}/task").glob("*"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                out[(p.pid, int(task.name))] = int((task / "schedstat").read_text().split()[1]) / 1e9
    return out


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots: processes that started in between count in full;
    processes that ended in between are lost (the pool keeps its connections, so these are rare)."""
    return sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in after.items())


def start_profilers(api_pid: int, seconds: float, folder: Path) -> list[tuple[subprocess.Popen, Path]]:
    """py-spy (raw stacks) on every API worker process for `seconds`."""
    import psutil

    folder.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).parent / "py-spy"
    out = []
    for child in psutil.Process(api_pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "spawn_main" not in " ".join(child.cmdline()):
                continue
            path = folder / f"{child.pid}-{uuid.uuid4().hex[:6]}.txt"
            proc = subprocess.Popen([str(spy), "record", "--pid", str(child.pid), "--duration", str(int(seconds)),
                                     "--rate", "200", "--gil", "--format", "raw", "--nonblocking", "-o", str(path)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            out.append((proc, path))
    return out


def finish_profilers(spies: list[tuple[subprocess.Popen, Path]], top: int = 18) -> str:
    """The recorded stacks summed over workers: the frames of this project and the libraries it
    calls that are on the stack in the most samples (inclusive)."""
    from collections import Counter

    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for proc, path in spies:
        proc.wait(timeout=120)
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            if not n.isdigit():
                continue
            frames = stack.split(";")
            total += int(n)
            own[_library(frames[-1])] += int(n)
            for f in set(frames):
                inclusive[f] += int(n)
    if not total:
        return "(no samples: py-spy could not attach)"
    rows = [(c, f) for f, c in inclusive.most_common() if _interesting(f)][:top]
    libs = ", ".join(f"{lib} {100 * c / total:.0f} %" for lib, c in own.most_common(8))
    return (f"{total} samples; self time by package: {libs}\n"
            + "\n".join(f"{100 * c / total:5.1f} %  {f}" for c, f in rows))


def _library(frame: str) -> str:
    """The package a frame's file belongs to ("sqlalchemy", "pydantic", "ocr_service", "stdlib:json")."""
    path = frame[frame.rfind("(") + 1:].split(":")[0]
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/" in path:
        return path.split("/", 1)[0] if not path.startswith("/") else "stdlib"
    return "stdlib:" + path.split(".")[0]


def _interesting(frame: str) -> bool:
    """Frames that say where the work is: this project's, and the big library entry points."""
    keep = ("ocr_service/", "sqlalchemy/orm/session.py", "sqlalchemy/engine/base.py", "sqlalchemy/pool/",
            "psycopg/cursor.py", "psycopg/connection.py", "pydantic/main.py", "fastapi/routing.py",
            "fastapi/encoders.py", "fastapi/_compat", "json/", "logging/__init__.py", "starlette/middleware",
            "anyio/to_thread.py")
    return any(k in frame for k in keep) and "(multiprocessing" not in frame


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.service", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--rate", type=float, default=200.0, help="requests per second")
    ap.add_argument("--seconds", type=float, default=30.0, help="per scenario")
    ap.add_argument("--api-workers", type=int, default=2)
    ap.add_argument("--files", type=int, default=1000, help="files in the large upload (0: no upload test)")
    ap.add_argument("--profile", action="store_true",
                    help="record every API worker with py-spy (--gil: Python CPU only) during the light scenarios")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md",
                    help="markdown file whose service section is replaced ('-': none)")
    a = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="cleardocket-bench-service-"))
    rng = random.Random(11)
    profiles: list[tuple[str, str]] = []
    per_page = 50
    try:
        with fresh_database() as url:
            print(f"seeding {a.cases:,} cases ...", file=sys.stderr, flush=True)
            ids, seed_s = seed(url, a.cases)
            env = service_env(url, work / "data")
            reader, uploader = create_key("reader", env), create_key("uploader", env)
            import psycopg

            with psycopg.connect(url) as c:
                pg_version = c.execute("SHOW server_version").fetchone()[0]
            info = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "cases": a.cases, "pg": pg_version,
                    "seed_s": seed_s, "api_workers": a.api_workers,
                    "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
                    "command": f"python -m bench.service --cases {a.cases} --rate {a.rate:.0f} "
                               f"--seconds {a.seconds:.0f} --api-workers {a.api_workers} --files {a.files}"}
            with api_server(env, a.api_workers) as (base, proc):
                port = int(base.rsplit(":", 1)[1])
                pages = max(1, a.cases // per_page)
                light = min(20.0, a.rate)
                light_s = 20.0 if a.profile else 10.0
                scenarios = [
                    ("warm-up", paths_case(ids, rng), a.rate, min(5.0, a.seconds), None),
                    (f"GET /v1/cases/{{id}}, {light:.0f} req/s", paths_case(ids, rng), light, light_s, None),
                    (f"GET /v1/cases?page= (pages 1-10), {light:.0f} req/s", paths_list(10, rng), light, light_s,
                     None),
                    ("GET /v1/cases/{id}", paths_case(ids, rng), a.rate, a.seconds, 20.0),
                    ("GET /v1/cases?page= (pages 1-10)", paths_list(10, rng), a.rate, a.seconds, 50.0),
                    (f"GET /v1/cases?page= (any of {pages:,})", paths_list(pages, rng), a.rate, a.seconds, 50.0),
                    (f"GET /v1/cases?cursor= (any of {pages:,})", paths_cursor(page_cursors(url, per_page), rng),
                     a.rate, a.seconds, 50.0)]
                loads = []
                db_name = url.rsplit("/", 1)[1]
                for name, paths, rate, seconds, target in scenarios:
                    print(f"{name}: {rate:.0f} req/s for {seconds:.0f} s ...", file=sys.stderr, flush=True)
                    profiled = a.profile and target is None and name != "warm-up"
                    spies = start_profilers(proc.pid, seconds, work / "spy") if profiled else []
                    cpu0, wait0 = cpu_seconds(proc.pid, db_name), runqueue_wait(proc.pid)
                    r = asyncio.run(open_loop("127.0.0.1", port, paths, rate=rate, seconds=seconds,
                                              headers={"Authorization": f"Bearer {reader}"}))
                    cpu1, wait1 = cpu_seconds(proc.pid, db_name), runqueue_wait(proc.pid)
                    cpu = {k: 1000 * cpu_used(cpu0[k], cpu1[k]) / max(1, r.ok) for k in cpu0}
                    cpu["wait"] = 1000 * cpu_used(wait0, wait1) / max(1, r.ok)
                    print(f"    p50 {r.latency_ms['p50']:.1f} ms, p99 {r.latency_ms['p99']:.1f} ms, "
                          f"{r.ok}/{r.sent} ok, errors {r.errors}, {r.connections} connections; CPU ms per "
                          f"request: API {cpu['api']:.1f}, PostgreSQL {cpu['pg']:.1f}; API waited for a core "
                          f"{cpu['wait']:.1f} ms per request", file=sys.stderr, flush=True)
                    if spies:
                        profiles.append((name, finish_profilers(spies)))
                        print(profiles[-1][1], file=sys.stderr, flush=True)
                    if name != "warm-up":
                        loads.append(Scenario(name, r, target, cpu["api"], cpu["pg"], os.getloadavg()[0],
                                              cpu["wait"]))
                uploads = []
                if a.files:
                    for n in sorted({min(100, a.files), a.files}):
                        files = make_pngs(work / f"up{n}", n, seed_value=n)
                        print(f"upload of {n} files ...", file=sys.stderr, flush=True)
                        u = upload(base, uploader, files, proc.pid)
                        print(f"    {u.status}, {u.documents} documents, {u.seconds:.1f} s, growth {u.growth_mb:.1f} MB",
                              file=sys.stderr, flush=True)
                        uploads.append(u)
                        shutil.rmtree(work / f"up{n}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    text = render(info, loads, uploads, profiles)
    print(text)
    if str(a.out) != "-":
        write_section(a.out, text)
        print(f"written to {a.out}", file=sys.stderr)
    return 0


def write_section(path: Path, text: str) -> None:
    """Replace (or append) the service section of the benchmarks file, leaving the rest as it is."""
    from bench.report import with_service_section

    old = path.read_text() if path.is_file() else "# Benchmarks\n"
    path.write_text(with_service_section(old, text))


if __name__ == "__main__":
    raise SystemExit(main())
