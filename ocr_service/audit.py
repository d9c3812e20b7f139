"""The audit trail: who read, corrected or exported which case, and who changed which key.

Entries are written in the same transaction as the change they describe (a correction is never
stored without its entry), and before the data of a read or an export leaves the service.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from ocr_service.auth import Principal
from ocr_service.storage import repo

CASE_READ = "case.read"
CASE_LIST = "case.list"
REVIEW_QUEUE = "review.queue"
CASE_CORRECT = "case.correct"
EXPORT = "export"
KEY_CREATE = "key.create"
KEY_REVOKE = "key.revoke"
ACTIONS = (CASE_READ, CASE_LIST, REVIEW_QUEUE, CASE_CORRECT, EXPORT, KEY_CREATE, KEY_REVOKE)


def record(s: Session, *, who: Principal | None, action: str, target: str | None = None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           detail: dict[str, Any] | None = None) -> None:
    """Add one entry; `who` None means the operator at the command line."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    repo.add_audit(s, at=dt.datetime.now(dt.timezone.utc), actor=who.key_id if who else None,
                   actor_name=who.name if who else "command line", action=action, target=target, before=before,
                   after=after, detail=detail)


def key_snapshot(k: repo.KeyView) -> dict[str, Any]:
    """What the log keeps of a key: never its secret or hash."""
    return {"id": k.id, "name": k.name, "role": k.role,
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None}
