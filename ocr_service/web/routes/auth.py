"""Sign-in with an API key (it becomes a session cookie) and sign-out."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ocr_service.api.deps import ServicesDep
from ocr_service.auth import Action, allowed, authenticate
from ocr_service.logging import event
from ocr_service.web.deps import CsrfRejected, MaybeUser, check_csrf, desk, render, safe_next
from ocr_service.web.session import CSRF_FIELD, SESSION_COOKIE, SIGNIN_COOKIE, new_token, tokens_match

router = APIRouter(include_in_schema=False)
log = logging.getLogger("cleardocket.web")

HOME_BY_ROLE = {"reviewer": "/review", "admin": "/review", "uploader": "/upload", "reader": "/dashboard"}


def secure_cookies(request: Request) -> bool:
    setting = desk(request).settings.cookie_secure
    return request.url.scheme == "https" if setting is None else setting


def home_of(role: str) -> str:
    return HOME_BY_ROLE.get(role, "/dashboard")


def signin_page(request: Request, *, next_path: str | None = None, message: str | None = None,
                status: int = 200) -> HTMLResponse:
    """The sign-in form, with a fresh double-submit token in a cookie and in the form."""
    token = new_token()
    resp = render(request, "signin.html", {"token": token, "next": safe_next(next_path) or "",
                                           "message": message}, status=status)
    resp.set_cookie(SIGNIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                    secure=secure_cookies(request), path="/")
    return resp


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    """The sign-in form (or, when signed in already, the user's home page)."""
    if user is not None:
        return RedirectResponse(safe_next(next) or home_of(user.role), status_code=303)
    return signin_page(request, next_path=next)


@router.post("/signin")
async def signin(request: Request, services: ServicesDep) -> Response:
    """Check the API key; a valid one becomes a signed, HttpOnly, SameSite=Strict session cookie."""
    form = await request.form()
    next_path = safe_next(str(form.get("next") or ""))
    if not tokens_match(request.cookies.get(SIGNIN_COOKIE), str(form.get(CSRF_FIELD) or "")):
        return signin_page(request, next_path=next_path, status=403,
                           message="The sign-in form had expired. Please enter your key again.")
    with services.db.read() as s:
        who = authenticate(s, str(form.get("api_key") or "").strip())
    if who is None:
        event(log, "web.signin_refused", logging.WARNING)
        return signin_page(request, next_path=next_path, status=401,
                           message="That key is not valid, or it was revoked. Check it and try again.")
    cookie, _ = desk(request).codec.issue(who.key_id)
    target = next_path or home_of(who.role)
    if next_path == "/review" and not allowed(who.role, Action.REVIEW_QUEUE):
        target = home_of(who.role)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(SESSION_COOKIE, cookie, max_age=int(desk(request).settings.session_hours * 3600),
                    httponly=True, samesite="strict", secure=secure_cookies(request), path="/")
    resp.delete_cookie(SIGNIN_COOKIE, path="/")
    event(log, "web.signin", key_id=who.key_id, role=who.role)
    return resp


@router.post("/signout")
async def signout(request: Request, user: MaybeUser) -> Response:
    """End the session (the cookie is cleared); needs the session's CSRF token."""
    form = await request.form()
    if user is not None:
        check_csrf(request, user, str(form.get(CSRF_FIELD) or ""))
    resp = RedirectResponse("/review", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=secure_cookies(request))
    return resp


__all__ = ["router", "signin_page", "home_of", "CsrfRejected"]
