"""Every query the service makes, as keyword-only functions over a Session.

Functions return plain frozen views, never table rows, so nothing outside storage holds a row.
The caller owns the transaction (`Database.read()` / `Database.write()`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Text, and_, cast, func, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from ocr_service.storage.models import ApiKey, AuditEntry, Batch, BatchDocument, Case, Document


# ---------------------------------------------------------------- views
@dataclass(frozen=True, slots=True)
class KeyView:
    id: str
    name: str
    role: str
    salt: str
    secret_hash: str
    created_at: dt.datetime
    created_by: str | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    file: str
    sha256: str | None
    size: int
    kind: str | None
    blob_key: str | None
    status: str
    attempts: int
    claimed_by: str | None
    lease_until: dt.datetime | None
    error_code: str | None
    error_message: str | None
    pages: int | None
    policy: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    case_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchItemView:
    position: int
    file: str
    duplicate: bool
    document: DocumentView


@dataclass(frozen=True, slots=True)
class BatchView:
    id: str
    created_at: dt.datetime
    created_by: str | None
    items: tuple[BatchItemView, ...]


@dataclass(frozen=True, slots=True)
class CaseView:
    id: str
    document_id: str
    record: dict[str, Any]
    outcome: str | None
    review_required: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CaseJsonView:
    """A case as the API sends it: its ids, version, place in the list order, and the record as the
    JSON text the database keeps (not parsed: the API passes it on as it is)."""

    id: str
    document_id: str
    version: int
    created_at: dt.datetime
    record_json: str


# the record as stored text: PostgreSQL's json type and SQLite both keep the text as written
_JSON_COLUMNS = (Case.id, Case.document_id, Case.version, Case.created_at, cast(Case.record, Text))


@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    at: dt.datetime
    actor: str | None
    actor_name: str | None
    action: str
    target: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: dict[str, Any] | None


def _key(k: ApiKey) -> KeyView:
    return KeyView(k.id, k.name, k.role, k.salt, k.secret_hash, k.created_at, k.created_by, k.revoked_at)


def _doc(d: Document, case_ids: Sequence[str] = ()) -> DocumentView:
    return DocumentView(d.id, d.file, d.sha256, d.size, d.kind, d.blob_key, d.status, d.attempts, d.claimed_by,
                        d.lease_until, d.error_code, d.error_message, d.pages, d.policy, d.created_at,
                        d.finished_at, tuple(case_ids))


def _case(c: Case) -> CaseView:
    return CaseView(c.id, c.document_id, dict(c.record), c.outcome, c.review_required, c.version, c.created_at,
                    c.updated_at)


def _audit(a: AuditEntry) -> AuditView:
    return AuditView(a.id, a.at, a.actor, a.actor_name, a.action, a.target, a.before, a.after, a.detail)


# ---------------------------------------------------------------- keys
def create_key(s: Session, *, key_id: str, name: str, role: str, salt: str, secret_hash: str,
               created_by: str | None, now: dt.datetime) -> KeyView:
    row = ApiKey(id=key_id, name=name, role=role, salt=salt, secret_hash=secret_hash, created_at=now,
                 created_by=created_by)
    s.add(row)
    s.flush()
    return _key(row)


def get_key(s: Session, *, key_id: str) -> KeyView | None:
    row = s.get(ApiKey, key_id)
    return _key(row) if row else None


def list_keys(s: Session) -> list[KeyView]:
    return [_key(k) for k in s.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))]


def revoke_key(s: Session, *, key_id: str, now: dt.datetime) -> KeyView | None:
    row = s.get(ApiKey, key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now
        s.flush()
    return _key(row)


# ---------------------------------------------------------------- batches and documents
def create_batch(s: Session, *, batch_id: str, created_by: str | None, now: dt.datetime) -> None:
    s.add(Batch(id=batch_id, created_at=now, created_by=created_by))
    s.flush()


def find_document_by_sha256(s: Session, *, sha256: str) -> DocumentView | None:
    row = s.scalar(select(Document).where(Document.dedup_key == sha256))
    return _doc(row, _case_ids(s, [row.id]).get(row.id, ())) if row else None


def add_document(s: Session, *, document_id: str, file: str, sha256: str | None, size: int, kind: str | None,
                 blob_key: str | None, policy: str | None, now: dt.datetime, error_code: str | None = None,
                 error_message: str | None = None) -> DocumentView:
    """A queued document (stored file), or a failed one (a rejected upload: give `error_code`)."""
    accepted = error_code is None
    row = Document(id=document_id, file=file, sha256=sha256, dedup_key=sha256 if accepted else None, size=size,
                   kind=kind, blob_key=blob_key, status="queued" if accepted else "failed", attempts=0,
                   available_at=now, error_code=error_code, error_message=error_message, policy=policy,
                   created_at=now, finished_at=None if accepted else now)
    s.add(row)
    s.flush()
    return _doc(row)


def link_document(s: Session, *, batch_id: str, position: int, document_id: str, file: str,
                  duplicate: bool) -> None:
    s.add(BatchDocument(batch_id=batch_id, position=position, document_id=document_id, file=file,
                        duplicate=duplicate))
    s.flush()


def _case_ids(s: Session, doc_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for chunk_start in range(0, len(doc_ids), 500):
        chunk = doc_ids[chunk_start:chunk_start + 500]
        for doc_id, case_id in s.execute(select(Case.document_id, Case.id).where(Case.document_id.in_(chunk))):
            out.setdefault(doc_id, []).append(case_id)
    return {k: tuple(v) for k, v in out.items()}


def get_document(s: Session, *, document_id: str) -> DocumentView | None:
    row = s.get(Document, document_id)
    return _doc(row, _case_ids(s, [row.id]).get(row.id, ())) if row else None


def get_batch(s: Session, *, batch_id: str) -> BatchView | None:
    b = s.get(Batch, batch_id)
    if b is None:
        return None
    rows = s.execute(select(BatchDocument, Document).join(Document, Document.id == BatchDocument.document_id)
                     .where(BatchDocument.batch_id == batch_id).order_by(BatchDocument.position)).all()
    cases = _case_ids(s, [d.id for _, d in rows])
    items = tuple(BatchItemView(bd.position, bd.file, bd.duplicate, _doc(d, cases.get(d.id, ()))) for bd, d in rows)
    return BatchView(b.id, b.created_at, b.created_by, items)


def batch_owner(s: Session, *, batch_id: str) -> str | None:
    return s.scalar(select(Batch.created_by).where(Batch.id == batch_id))


# ---------------------------------------------------------------- the job queue
def _claimable(now: dt.datetime, max_attempts: int):
    expired = and_(Document.status == "processing", Document.lease_until < now)
    return and_(or_(and_(Document.status == "queued", Document.available_at <= now), expired),
                Document.attempts < max_attempts)


def claim_document(s: Session, *, document_id: str, worker: str, now: dt.datetime, lease_until: dt.datetime,
                   max_attempts: int) -> DocumentView | None:
    """Take a queued document (or one whose worker's lease ran out) for `worker`; None if not claimable.

    One atomic UPDATE with the condition in its WHERE: of two workers, exactly one gets a row.
    """
    res = s.execute(update(Document)
                    .where(Document.id == document_id, _claimable(now, max_attempts))
                    .values(status="processing", claimed_by=worker, claimed_at=now, lease_until=lease_until,
                            attempts=Document.attempts + 1)
                    .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        return None
    return _doc(s.get(Document, document_id, populate_existing=True))


def next_claimable_ids(s: Session, *, now: dt.datetime, max_attempts: int, limit: int = 4) -> list[str]:
    """Candidates for `claim_document`, oldest first (a poller tries them in turn)."""
    return list(s.scalars(select(Document.id).where(_claimable(now, max_attempts))
                          .order_by(Document.available_at, Document.created_at).limit(limit)))


def renew_lease(s: Session, *, document_id: str, worker: str, lease_until: dt.datetime) -> bool:
    res = s.execute(update(Document)
                    .where(Document.id == document_id, Document.status == "processing",
                           Document.claimed_by == worker)
                    .values(lease_until=lease_until).execution_options(synchronize_session=False))
    return res.rowcount == 1


def _finish(s: Session, *, document_id: str, worker: str, values: dict[str, Any]) -> bool:
    res = s.execute(update(Document)
                    .where(Document.id == document_id, Document.status == "processing",
                           Document.claimed_by == worker)
                    .values(lease_until=None, **values)  # claimed_by stays: who did it last
                    .execution_options(synchronize_session=False))
    return res.rowcount == 1


def complete_document(s: Session, *, document_id: str, worker: str, case_id: str, record: dict[str, Any],
                      pages: int, now: dt.datetime) -> bool:
    """Mark done and store the case, in the caller's one transaction. False if the claim was lost."""
    if not _finish(s, document_id=document_id, worker=worker,
                   values={"status": "done", "pages": pages, "finished_at": now, "error_code": None,
                           "error_message": None}):
        return False
    s.add(Case(id=case_id, document_id=document_id, record=record, outcome=_outcome(record),
               review_required=_review_required(record), version=1, created_at=now, updated_at=now))
    s.flush()  # the unique document_id constraint fires here, inside the transaction
    return True


def fail_document(s: Session, *, document_id: str, worker: str, code: str, message: str, now: dt.datetime,
                  pages: int | None = None) -> bool:
    return _finish(s, document_id=document_id, worker=worker,
                   values={"status": "failed", "error_code": code, "error_message": message, "finished_at": now,
                           "pages": pages})


def release_document(s: Session, *, document_id: str, worker: str, available_at: dt.datetime,
                     code: str, message: str) -> bool:
    """Give a claimed document back to the queue after a transient failure (retried at `available_at`)."""
    return _finish(s, document_id=document_id, worker=worker,
                   values={"status": "queued", "available_at": available_at, "error_code": code,
                           "error_message": message})


def fail_exhausted(s: Session, *, now: dt.datetime, max_attempts: int, code: str, message: str) -> list[str]:
    """Documents whose worker died on every attempt: failed, so one poison file cannot loop forever."""
    ids = list(s.scalars(select(Document.id).where(
        Document.attempts >= max_attempts,
        or_(Document.status == "queued", and_(Document.status == "processing", Document.lease_until < now)))))
    if ids:
        s.execute(update(Document).where(Document.id.in_(ids))
                  .values(status="failed", error_code=code, error_message=message, finished_at=now, claimed_by=None,
                          lease_until=None).execution_options(synchronize_session=False))
    return ids


def due_for_enqueue(s: Session, *, now: dt.datetime, resend_before: dt.datetime, max_attempts: int,
                    limit: int = 500) -> list[str]:
    """Claimable documents with no recent queue message (never sent, lost, or their worker died)."""
    return list(s.scalars(select(Document.id).where(
        _claimable(now, max_attempts),
        or_(Document.enqueued_at.is_(None), Document.enqueued_at < resend_before))
        .order_by(Document.created_at).limit(limit)))


def mark_enqueued(s: Session, *, document_ids: Sequence[str], now: dt.datetime) -> None:
    if document_ids:
        s.execute(update(Document).where(Document.id.in_(list(document_ids))).values(enqueued_at=now)
                  .execution_options(synchronize_session=False))


# ---------------------------------------------------------------- cases
def _outcome(record: dict[str, Any]) -> str | None:
    return (record.get("relief") or {}).get("outcome")


def _review_required(record: dict[str, Any]) -> bool:
    return bool((record.get("review") or {}).get("required"))


_CASE_COLUMNS = (Case.id, Case.document_id, Case.record, Case.outcome, Case.review_required, Case.version,
                 Case.created_at, Case.updated_at)


def get_case(s: Session, *, case_id: str) -> CaseView | None:
    # a plain SELECT of the columns: no ORM object, identity map or later flush for a read
    row = s.execute(select(*_CASE_COLUMNS).where(Case.id == case_id)).first()
    return CaseView(row[0], row[1], dict(row[2]), *row[3:]) if row else None


def get_case_json(s: Session, *, case_id: str) -> CaseJsonView | None:
    row = s.execute(select(*_JSON_COLUMNS).where(Case.id == case_id)).first()
    return CaseJsonView(*row) if row else None


def _case_filter(q, *, outcome: str | None, review: bool | None):
    if outcome is not None:
        q = q.where(Case.outcome == outcome)
    if review is not None:
        q = q.where(Case.review_required == review)
    return q


def list_cases(s: Session, *, outcome: str | None = None, review: bool | None = None, page: int = 1,
               per_page: int = 50) -> tuple[list[CaseView], int]:
    """A page of cases (parsed records) in list order, and how many match."""
    q = _case_filter(select(Case), outcome=outcome, review=review)
    total = count_cases(s, outcome=outcome, review=review)
    rows = s.scalars(q.order_by(Case.created_at, Case.id).offset((page - 1) * per_page).limit(per_page))
    return [_case(c) for c in rows], total


def list_case_json(s: Session, *, outcome: str | None = None, review: bool | None = None, page: int = 1,
                   per_page: int = 50, after: tuple[dt.datetime, str] | None = None) -> list[CaseJsonView]:
    """A page of cases in list order (created_at, id), filtered by outcome and review.

    With `after` (the (created_at, id) of the last case of the previous page) the page starts just
    after it: a keyset page, as fast at the millionth case as at the first. Without it, `page` counts
    from the start (OFFSET): the rows skipped are found by their ids alone, on the list order's index
    (index-only where the database can), and only the page's own rows are read whole.
    """
    order = (Case.created_at, Case.id)
    if after is not None:
        q = _case_filter(select(*_JSON_COLUMNS), outcome=outcome, review=review)
        q = q.where(tuple_(Case.created_at, Case.id) > after)  # each value bound with its column's type
        rows = s.execute(q.order_by(*order).limit(per_page))
    else:
        ids = _case_filter(select(Case.id), outcome=outcome, review=review) \
            .order_by(*order).offset((page - 1) * per_page).limit(per_page)
        rows = s.execute(select(*_JSON_COLUMNS).where(Case.id.in_(ids.scalar_subquery())).order_by(*order))
    return [CaseJsonView(*r) for r in rows]


def page_starts(s: Session, *, outcome: str | None = None, review: bool | None = None, per_page: int = 50,
                limit: int = 5000) -> list[tuple[dt.datetime, str]]:
    """The (created_at, id) of the last case of page 1, 2, ... (at most `limit` pages): what `after`
    must be to read page 2, 3, ... by keyset. One walk of the list order's index."""
    n = func.row_number().over(order_by=(Case.created_at, Case.id)).label("n")
    walk = _case_filter(select(Case.created_at, Case.id, n), outcome=outcome, review=review).subquery()
    q = select(walk.c.created_at, walk.c.id).where(walk.c.n % per_page == 0).order_by(walk.c.n).limit(limit)
    return [(at, case_id) for at, case_id in s.execute(q)]


def count_cases(s: Session, *, outcome: str | None = None, review: bool | None = None) -> int:
    return s.scalar(_case_filter(select(func.count()).select_from(Case), outcome=outcome, review=review)) or 0


def iter_cases(s: Session, *, chunk: int = 200) -> Iterator[CaseView]:
    """All cases, oldest first, fetched in chunks (keyset paging) so memory stays flat."""
    last: tuple[dt.datetime, str] | None = None
    while True:
        q = select(Case).order_by(Case.created_at, Case.id).limit(chunk)
        if last is not None:
            q = q.where(or_(Case.created_at > last[0], and_(Case.created_at == last[0], Case.id > last[1])))
        rows = [_case(c) for c in s.scalars(q)]
        s.expunge_all()
        if not rows:
            return
        yield from rows
        last = (rows[-1].created_at, rows[-1].id)


def update_case(s: Session, *, case_id: str, record: dict[str, Any], expected_version: int,
                now: dt.datetime) -> CaseView | None:
    """Replace a case's record if nobody changed it since `expected_version`; None on a conflict."""
    res = s.execute(update(Case).where(Case.id == case_id, Case.version == expected_version)
                    .values(record=record, outcome=_outcome(record), review_required=_review_required(record),
                            version=expected_version + 1, updated_at=now)
                    .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        return None
    return _case(s.get(Case, case_id, populate_existing=True))


# ---------------------------------------------------------------- audit
def add_audit(s: Session, *, at: dt.datetime, actor: str | None, actor_name: str | None, action: str,
              target: str | None, before: dict | None = None, after: dict | None = None,
              detail: dict | None = None) -> None:
    # a Core INSERT: the ORM's unit of work costs more than the row for this append-only table
    s.execute(insert(AuditEntry).values(at=at, actor=actor, actor_name=actor_name, action=action, target=target,
                                        before=before, after=after, detail=detail))


def list_audit(s: Session, *, action: str | None = None, actor: str | None = None, target: str | None = None,
               page: int = 1, per_page: int = 100) -> tuple[list[AuditView], int]:
    q = select(AuditEntry)
    if action:
        q = q.where(AuditEntry.action == action)
    if actor:
        q = q.where(AuditEntry.actor == actor)
    if target:
        q = q.where(AuditEntry.target == target)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(q.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return [_audit(a) for a in rows], total


# ---------------------------------------------------------------- figures for /metrics
def status_counts(s: Session) -> dict[str, int]:
    return {st: n for st, n in s.execute(select(Document.status, func.count()).group_by(Document.status))}


def review_queue_size(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(Case).where(Case.review_required.is_(True))) or 0


def pages_done(s: Session, *, since: dt.datetime | None = None) -> int:
    q = select(func.coalesce(func.sum(Document.pages), 0)).where(Document.status.in_(("done", "failed")))
    if since is not None:
        q = q.where(Document.finished_at >= since)
    return int(s.scalar(q) or 0)


# ---------------------------------------------------------------- the reviewer's desk (ocr_service/web)
def _reasons_text():
    return cast(Case.record[("review", "reasons")], String)


def _has_reason(reason: str):
    # reasons are stable codes ([a-z_]); their quoted form cannot match inside another code
    return _reasons_text().like(f'%"{reason}"%')


def review_queue(s: Session, *, reason: str | None = None, page: int = 1,
                 per_page: int = 50) -> tuple[list[CaseView], int]:
    """Cases whose review is required, oldest first, optionally only those with `reason`; paged."""
    q = select(Case).where(Case.review_required.is_(True))
    if reason:
        q = q.where(_has_reason(reason))
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(q.order_by(Case.created_at, Case.id).offset((page - 1) * per_page).limit(per_page))
    return [_case(c) for c in rows], total


def review_reason_counts(s: Session) -> dict[str, int]:
    """How many cases waiting for review carry each reason."""
    counts: dict[str, int] = {}
    for reasons, in s.execute(select(Case.record[("review", "reasons")]).where(Case.review_required.is_(True))):
        for r in dict.fromkeys(reasons or ()):
            counts[str(r)] = counts.get(str(r), 0) + 1
    return counts


def next_in_queue(s: Session, *, after_case_id: str | None = None, reason: str | None = None) -> str | None:
    """The queued case after `after_case_id` in queue order (oldest first), wrapping to the first; None if empty."""
    q = select(Case.id, Case.created_at).where(Case.review_required.is_(True))
    if reason:
        q = q.where(_has_reason(reason))
    current = s.get(Case, after_case_id) if after_case_id else None
    if current is not None:
        later = q.where(or_(Case.created_at > current.created_at,
                            and_(Case.created_at == current.created_at, Case.id > current.id)))
        row = s.execute(later.order_by(Case.created_at, Case.id).limit(1)).first()
        if row is not None:
            return row.id
        q = q.where(Case.id != current.id)
    row = s.execute(q.order_by(Case.created_at, Case.id).limit(1)).first()
    return row.id if row else None


def queue_position(s: Session, *, case_id: str) -> tuple[int, int] | None:
    """(1-based position, queue size) of a queued case, or None when it is not in the queue."""
    c = s.get(Case, case_id)
    if c is None or not c.review_required:
        return None
    base = select(func.count()).select_from(Case).where(Case.review_required.is_(True))
    before = s.scalar(base.where(or_(Case.created_at < c.created_at,
                                     and_(Case.created_at == c.created_at, Case.id < c.id)))) or 0
    return before + 1, s.scalar(base) or 0


def pages_finished_since(s: Session, *, since: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """(finished_at, pages) of every document finished since `since` (for pages per hour)."""
    rows = s.execute(select(Document.finished_at, Document.pages)
                     .where(Document.finished_at >= since, Document.pages.is_not(None))
                     .order_by(Document.finished_at))
    return [(at, int(n)) for at, n in rows]


def corrected_case_ids(s: Session) -> list[str]:
    """Ids of the cases a reviewer corrected, in the order of their first correction."""
    rows = s.execute(select(AuditEntry.target, func.min(AuditEntry.id))
                     .where(AuditEntry.action == "case.correct", AuditEntry.target.is_not(None))
                     .group_by(AuditEntry.target).order_by(func.min(AuditEntry.id)))
    return [t for t, _ in rows]
