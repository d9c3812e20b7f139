"""The database tables. They never leave the storage package: the API has its own models."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DOCUMENT_STATUSES = ("queued", "processing", "done", "failed")


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so store naive UTC, read back aware)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UtcDateTime(), dict[str, Any]: JSON()}


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)  # public key id, part of the token
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    salt: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str | None] = mapped_column(String(24))
    revoked_at: Mapped[dt.datetime | None]


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str | None] = mapped_column(String(24))


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    file: Mapped[str] = mapped_column(String(500))  # the name it was uploaded under
    sha256: Mapped[str | None] = mapped_column(String(64))
    # sha256 of a stored (accepted) file; NULL for a rejected upload, so rejects never deduplicate.
    dedup_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str | None] = mapped_column(String(10))
    blob_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    available_at: Mapped[dt.datetime]  # not claimable before (retry backoff)
    enqueued_at: Mapped[dt.datetime | None]  # last time a queue message was sent (distributed mode)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int | None] = mapped_column(Integer)
    policy: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_documents_status_available", "status", "available_at"),)


class BatchDocument(Base):
    """A document as one batch uploaded it; a duplicate file links the existing document."""

    __tablename__ = "batch_documents"

    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    file: Mapped[str] = mapped_column(String(500))
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # One document holds one case; the unique constraint is what makes a redelivered job harmless.
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), unique=True)
    record: Mapped[dict[str, Any]]
    outcome: Mapped[str | None] = mapped_column(String(20))
    review_required: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    # Lists are ordered by (created_at, id), whole or filtered by outcome or by review: one index per
    # order, so a page (keyset or offset) and a count walk an index instead of sorting the table.
    __table_args__ = (Index("ix_cases_created_at_id", "created_at", "id"),
                      Index("ix_cases_outcome_created_at_id", "outcome", "created_at", "id"),
                      Index("ix_cases_review_created_at_id", "review_required", "created_at", "id"))


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str | None] = mapped_column(String(24))  # key id; None for the command line
    actor_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
