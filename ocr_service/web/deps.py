"""The desk's request plumbing: who is signed in, what their role may open, CSRF checks, page rendering."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from ocr_service.api.deps import ServicesDep
from ocr_service.auth import Action, Principal, allowed
from ocr_service.storage import repo
from ocr_service.web import views
from ocr_service.web.session import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, SessionCodec, WebSettings, tokens_match

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
TEMPLATES.env.globals.update(outcome_labels=views.OUTCOME_LABELS, outcome_signs=views.OUTCOME_SIGNS,
                             reason_label=views.reason_label)

#: Pages of the desk, the action each needs, and the navigation label (in menu order).
PAGES: tuple[tuple[str, Action, str], ...] = (
    ("/review", Action.REVIEW_QUEUE, "Review queue"),
    ("/upload", Action.CREATE_BATCH, "Upload"),
    ("/dashboard", Action.READ_DOCUMENT, "Dashboard"),
)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


@dataclass
class Desk:
    """Per-app state of the desk: the cookie codec and its settings."""

    codec: SessionCodec
    settings: WebSettings


@dataclass(frozen=True, slots=True)
class WebUser:
    principal: Principal
    csrf: str

    @property
    def role(self) -> str:
        return self.principal.role

    def may(self, action: Action) -> bool:
        return allowed(self.principal.role, action)

    def pages(self) -> list[tuple[str, str]]:
        return [(path, label) for path, action, label in PAGES if self.may(action)]


class SignInRequired(Exception):
    """No valid session: the page answers with the sign-in form."""


class PageForbidden(Exception):
    def __init__(self, user: WebUser, what: str):
        super().__init__(what)
        self.user, self.what = user, what


class CsrfRejected(Exception):
    """A form or script request without the session's CSRF token."""


def desk(request: Request) -> Desk:
    return request.app.state.desk


def session_user(request: Request, services: ServicesDep) -> WebUser | None:
    """The signed-in user of this request, or None (no cookie, forged, expired, or the key revoked)."""
    data = desk(request).codec.read(request.cookies.get(SESSION_COOKIE))
    if data is None:
        return None
    with services.db.read() as s:
        key = repo.get_key(s, key_id=data.key_id)
    if key is None or key.revoked_at is not None:
        return None
    return WebUser(Principal(key.id, key.name, key.role), data.csrf)


MaybeUser = Annotated[WebUser | None, Depends(session_user)]


def page_user(action: Action, what: str):
    """A dependency: the signed-in user allowed `action`; the sign-in form or a 403 page otherwise."""

    def check(user: MaybeUser) -> WebUser:
        if user is None:
            raise SignInRequired()
        if not user.may(action):
            raise PageForbidden(user, what)
        return user

    return check


ReviewerUser = Annotated[WebUser, Depends(page_user(Action.REVIEW_QUEUE, "open the review queue"))]
CorrectorUser = Annotated[WebUser, Depends(page_user(Action.CORRECT_CASE, "correct cases"))]
PageImageUser = Annotated[WebUser, Depends(page_user(Action.READ_PAGES, "see page images"))]
UploaderUser = Annotated[WebUser, Depends(page_user(Action.CREATE_BATCH, "upload documents"))]
BatchUser = Annotated[WebUser, Depends(page_user(Action.READ_BATCH, "follow batches"))]
DashboardUser = Annotated[WebUser, Depends(page_user(Action.READ_DOCUMENT, "see the dashboard"))]


def check_csrf(request: Request, user: WebUser, form_token: str | None = None) -> None:
    """Refuse a state-changing request that lacks the session's token (form field or header)."""
    given = form_token if form_token is not None else request.headers.get(CSRF_HEADER)
    if not tokens_match(user.csrf, given):
        raise CsrfRejected()


def render(request: Request, template: str, context: dict[str, Any], *, user: WebUser | None = None,
           status: int = 200) -> HTMLResponse:
    ctx = {"user": user, "csrf_field": CSRF_FIELD, "path": request.url.path, **context}
    return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status, headers=SECURITY_HEADERS)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or request.url.path.startswith("/upload/batches")


def signin_location(next_path: str) -> str:
    return "/review?next=" + quote(next_path, safe="/")


def safe_next(value: str | None) -> str | None:
    """A local path to go to after signing in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def json_error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers={"Cache-Control": "no-store"})
