"""Administration: the audit log and API keys (admin only; key changes are audited)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ocr_service import audit
from ocr_service.api import schemas
from ocr_service.api.deps import Auditor, KeyAdmin, ServicesDep
from ocr_service.api.errors import NotFound
from ocr_service.auth import create_key
from ocr_service.storage import repo

router = APIRouter(tags=["admin"])


def key_out(k: repo.KeyView) -> schemas.KeyOut:
    return schemas.KeyOut(id=k.id, name=k.name, role=k.role, created_at=k.created_at, revoked_at=k.revoked_at)


@router.get("/v1/audit", response_model=schemas.AuditList)
def read_audit(services: ServicesDep, who: Auditor, action: Annotated[str | None, Query(max_length=40)] = None,
               actor: Annotated[str | None, Query(max_length=24)] = None,
               target: Annotated[str | None, Query(max_length=200)] = None,
               page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
               per_page: Annotated[int, Query(ge=1, le=500)] = 100) -> schemas.AuditList:
    """Who did what, when: newest first, filtered by action, actor (key id) or target."""
    with services.db.read() as s:
        items, total = repo.list_audit(s, action=action, actor=actor, target=target, page=page, per_page=per_page)
    return schemas.AuditList(items=[schemas.AuditOut(id=a.id, at=a.at, actor=a.actor, actor_name=a.actor_name,
                                                     action=a.action, target=a.target, before=a.before,
                                                     after=a.after, detail=a.detail) for a in items],
                             page=page, per_page=per_page, total=total)


@router.get("/v1/keys", response_model=list[schemas.KeyOut])
def list_keys(services: ServicesDep, who: KeyAdmin) -> list[schemas.KeyOut]:
    """All API keys (ids, names, roles; never the secrets)."""
    with services.db.read() as s:
        return [key_out(k) for k in repo.list_keys(s)]


@router.post("/v1/keys", status_code=201, response_model=schemas.KeyCreated)
def new_key(body: schemas.KeyCreateIn, services: ServicesDep, who: KeyAdmin) -> schemas.KeyCreated:
    """Create a key; the answer holds its token, which is never shown again."""
    with services.db.write() as s:
        new = create_key(s, role=body.role, name=body.name, created_by=who.key_id)
        k = repo.get_key(s, key_id=new.principal.key_id)
        audit.record(s, who=who, action=audit.KEY_CREATE, target=k.id, after=audit.key_snapshot(k))
    return schemas.KeyCreated(key=key_out(k), token=new.token)


@router.delete("/v1/keys/{key_id}", response_model=schemas.KeyOut, responses={404: {"model": schemas.ErrorBody}})
def revoke_key(key_id: str, request: Request, services: ServicesDep, who: KeyAdmin) -> schemas.KeyOut:
    """Revoke a key: refused at once by this process, by other API processes within 30 s (their key cache)."""
    with services.db.write() as s:
        before = repo.get_key(s, key_id=key_id)
        if before is None:
            raise NotFound("no such key")
        k = repo.revoke_key(s, key_id=key_id, now=dt.datetime.now(dt.timezone.utc))
        audit.record(s, who=who, action=audit.KEY_REVOKE, target=key_id, before=audit.key_snapshot(before),
                     after=audit.key_snapshot(k))
    request.app.state.key_cache.forget(key_id)
    return key_out(k)
