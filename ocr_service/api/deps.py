"""Dependencies as `Annotated` aliases: the service handles and the caller, checked for one action."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ocr_service.api.errors import Forbidden, Unauthorized
from ocr_service.auth import Action, KeyCache, Principal, allowed, authenticate
from ocr_service.storage.context import Services

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cdk_...`")


# The light dependencies are `async def`: FastAPI runs a plain `def` dependency in the thread pool,
# one thread hand-off each, which cost more than the work they do.
async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def _authenticate(services: Services, token: str) -> Principal | None:
    with services.db.read() as s:
        return authenticate(s, token)


async def current_principal(request: Request, services: ServicesDep,
                            creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The caller of a request with a valid key; 401 without one. Verified keys are cached (auth.KeyCache)."""
    if creds is None or creds.scheme.lower() != "bearer":
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")
    cache: KeyCache = request.app.state.key_cache
    who = cache.get(creds.credentials)
    if who is None:
        who = await run_in_threadpool(_authenticate, services, creds.credentials)
        if who is None:
            raise Unauthorized("the API key is not valid")
        cache.put(creds.credentials, who)
    return who


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(action: Action):
    """A dependency that lets through only roles allowed `action` (403 otherwise)."""

    async def check(who: CurrentPrincipal) -> Principal:
        if not allowed(who.role, action):
            raise Forbidden(f"the role {who.role!r} may not {action.value.replace('_', ' ')}")
        return who

    return check


Uploader = Annotated[Principal, Depends(require(Action.CREATE_BATCH))]
BatchReader = Annotated[Principal, Depends(require(Action.READ_BATCH))]
DocumentReader = Annotated[Principal, Depends(require(Action.READ_DOCUMENT))]
PageReader = Annotated[Principal, Depends(require(Action.READ_PAGES))]
CaseReader = Annotated[Principal, Depends(require(Action.READ_CASE))]
Reviewer = Annotated[Principal, Depends(require(Action.REVIEW_QUEUE))]
Corrector = Annotated[Principal, Depends(require(Action.CORRECT_CASE))]
Exporter = Annotated[Principal, Depends(require(Action.EXPORT))]
Auditor = Annotated[Principal, Depends(require(Action.READ_AUDIT))]
KeyAdmin = Annotated[Principal, Depends(require(Action.MANAGE_KEYS))]
