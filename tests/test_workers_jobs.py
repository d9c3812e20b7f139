"""The job queue's guarantees, on a real SQLite database: one claim wins, leases expire, one result per document."""
from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest

from ocr_service.errors import CorruptFile
from ocr_service.storage import repo
from ocr_service.storage.context import Services, ServiceSettings
from ocr_service.workers.jobs import Processed, run_document, sweep
from ocr_service.workers.local import drain
from tests.test_service_support import STAND_IN, png_bytes, stand_in_processor

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def services(tmp_path) -> Services:
    s = Services(ServiceSettings(data_dir=tmp_path, processor=STAND_IN, lease_seconds=30, max_attempts=3,
                                 retry_backoff_seconds=0.0))
    s.db.migrate()
    return s


def queued(services: Services, name: str = "a.png", data: bytes | None = None) -> str:
    import hashlib

    data = data or png_bytes(name)
    sha = hashlib.sha256(data).hexdigest()
    key = f"scans/{sha[:2]}/{sha}.png"
    services.blobs.put_bytes(key, data)
    with services.db.write() as s:
        return repo.add_document(s, document_id=str(uuid.uuid4()), file=name, sha256=sha, size=len(data),
                                 kind="png", blob_key=key, policy=None,
                                 now=dt.datetime.now(dt.timezone.utc)).id


def claim(services: Services, doc_id: str, worker: str, now: dt.datetime, lease_s: float = 30):
    with services.db.write() as s:
        return repo.claim_document(s, document_id=doc_id, worker=worker, now=now,
                                   lease_until=now + dt.timedelta(seconds=lease_s), max_attempts=3)


def test_only_one_of_many_concurrent_claims_wins(services):
    doc = queued(services)
    now = dt.datetime.now(dt.timezone.utc)
    won: list[str] = []
    barrier = threading.Barrier(6)

    def go(i: int) -> None:
        barrier.wait()
        if claim(services, doc, f"w{i}", now):
            won.append(f"w{i}")

    threads = [threading.Thread(target=go, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    with services.db.read() as s:
        d = repo.get_document(s, document_id=doc)
    assert (d.status, d.claimed_by, d.attempts) == ("processing", won[0], 1)


def test_an_expired_lease_can_be_claimed_again_and_the_old_holder_cannot_finish(services):
    doc = queued(services)
    now = dt.datetime.now(dt.timezone.utc)
    assert claim(services, doc, "dead", now, lease_s=1)
    assert claim(services, doc, "other", now) is None  # lease still held
    later = now + dt.timedelta(seconds=5)
    assert claim(services, doc, "other", later).attempts == 2
    with services.db.write() as s:
        assert not repo.complete_document(s, document_id=doc, worker="dead", case_id="c1", record={}, pages=1,
                                          now=later)
    with services.db.write() as s:
        assert repo.complete_document(s, document_id=doc, worker="other", case_id="c2",
                                      record={"relief": {"outcome": "not_applicable"}}, pages=1, now=later)
    with services.db.read() as s:
        d = repo.get_document(s, document_id=doc)
    assert d.status == "done" and d.case_ids == ("c2",)


def test_a_second_result_for_a_document_is_refused_by_the_database(services):
    from sqlalchemy.exc import IntegrityError

    from ocr_service.storage.models import Case

    doc = queued(services)
    assert run_document(doc, services=services).kind == "done"
    with pytest.raises(IntegrityError), services.db.write() as s:
        s.add(Case(id="dup", document_id=doc, record={}, outcome=None, review_required=False, version=1,
                   created_at=NOW, updated_at=NOW))
        s.flush()
    assert run_document(doc, services=services).kind == "skipped"  # a redelivered message does nothing
    with services.db.read() as s:
        assert len(repo.get_document(s, document_id=doc).case_ids) == 1


def test_a_bad_document_fails_with_its_code_and_pages_are_stored(services):
    def corrupt(path, **_kw):
        raise CorruptFile("truncated")

    good, bad = queued(services, "good.png"), queued(services, "bad.png")
    assert run_document(good, services=services).kind == "done"
    assert services.blobs.exists(f"pages/{good}/0001.png")
    assert run_document(bad, services=services, processor=corrupt).kind == "failed"
    with services.db.read() as s:
        d = repo.get_document(s, document_id=bad)
    assert (d.status, d.error_code, d.attempts) == ("failed", "corrupt_file", 1)


def test_a_crashing_stage_is_retried_then_fails_as_internal_error(services):
    doc = queued(services, "crash.png")
    kinds = [run_document(doc, services=services).kind for _ in range(4)]
    assert kinds == ["retry", "retry", "failed", "skipped"]
    with services.db.read() as s:
        d = repo.get_document(s, document_id=doc)
    assert (d.status, d.error_code, d.attempts) == ("failed", "internal_error", 3)


def test_retry_backoff_holds_the_document_back(tmp_path):
    services = Services(ServiceSettings(data_dir=tmp_path, processor=STAND_IN, retry_backoff_seconds=60))
    services.db.migrate()
    doc = queued(services, "crash.png")
    out = run_document(doc, services=services)
    assert out.kind == "retry" and out.countdown == 60
    assert run_document(doc, services=services).kind == "skipped"  # not before its time


def test_sweep_fails_a_document_whose_worker_died_on_every_attempt(services):
    doc = queued(services)
    for i in range(3):  # three workers that each died at once (their leases already ran out)
        assert claim(services, doc, f"w{i}", dt.datetime.now(dt.timezone.utc), lease_s=-60)
    sent: list[list[str]] = []
    assert sweep(services, enqueue=sent.append)["failed"] == 1
    with services.db.read() as s:
        assert repo.get_document(s, document_id=doc).error_code == "worker_crashed"
    assert sent == []


def test_sweep_resends_documents_without_a_recent_message(services):
    a, b = queued(services, "a.png"), queued(services, "b.png")
    sent: list[list[str]] = []
    sweep(services, enqueue=sent.append)
    assert sorted(sent[0]) == sorted([a, b])
    sweep(services, enqueue=sent.append)
    assert len(sent) == 1  # marked as sent: not again until resend_after_seconds


def test_drain_processes_everything_once(services):
    ids = [queued(services, f"d{i}.png") for i in range(5)]
    assert drain(services) == 5
    with services.db.read() as s:
        assert all(repo.get_document(s, document_id=i).status == "done" for i in ids)
        assert sum(len(repo.get_document(s, document_id=i).case_ids) for i in ids) == 5


def test_stand_in_processor_gives_a_contract_record(services, case_schema, tmp_path):
    p = tmp_path / "x.png"
    p.write_bytes(png_bytes("x"))
    out = stand_in_processor(p, file="x.png", policy=None, settings=services.settings, on_page=lambda n, im: None)
    assert isinstance(out, Processed)
    case_schema.validate(out.record)


def test_a_result_that_breaks_the_record_contract_is_a_coded_failure_not_a_stored_case(services):
    from ocr_service.workers.jobs import Processed

    def broken(path, **_kw):  # a bug that drops the relief decision
        return Processed({"schema_version": "1", "source": {"file": "x.png"}, "charges": [], "confidence": 0.5,
                          "review": {"required": False, "reasons": []}}, 1)

    doc = queued(services, "broken.png")
    assert run_document(doc, services=services, processor=broken).kind == "failed"
    with services.db.read() as s:
        d = repo.get_document(s, document_id=doc)
    assert (d.status, d.error_code, d.case_ids) == ("failed", "internal_error", ())
