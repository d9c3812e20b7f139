"""The reviewer's desk: server-rendered pages in the service (Jinja2 templates, a little vanilla JS).

    from ocr_service.web import mount
    mount(app)   # /review, /review/cases/{id}, /upload, /dashboard, /signin, /signout, /assets

Sign-in turns an API key into a signed session cookie (`web.session`); every page checks the key's
role with the same permissions as the API (`ocr_service.auth`), every form carries a CSRF token,
and corrections go through the API's own correction code, so they are validated, recomputed and
audited exactly as `POST /v1/cases/{id}/corrections` does.
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from ocr_service.web.deps import HERE, CsrfRejected, Desk, PageForbidden, SignInRequired, json_error, render, wants_json
from ocr_service.web.routes import auth, dashboard, review, upload
from ocr_service.web.session import SessionCodec, WebSettings, load_secret

__all__ = ["mount"]


def mount(app: FastAPI, settings: WebSettings | None = None) -> None:
    """Add the desk's pages, its static files and its error pages to the API app."""
    settings = settings or WebSettings()
    services = app.state.services
    secret = load_secret(settings, services.settings.data_dir)
    app.state.desk = Desk(SessionCodec(secret, settings.session_hours * 3600), settings)
    for r in (auth.router, review.router, upload.router, dashboard.router):
        app.include_router(r)
    app.mount("/assets", StaticFiles(directory=HERE / "static"), name="desk-assets")

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _e: SignInRequired) -> Response:
        if wants_json(request):
            return json_error(401, "unauthorized", "sign in first")
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return auth.signin_page(request, next_path=nxt if request.method == "GET" else None)

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, e: PageForbidden) -> Response:
        if wants_json(request):
            return json_error(403, "forbidden", f"the role {e.user.role!r} may not {e.what}")
        return render(request, "message.html", {
            "title": "Not for your role",
            "message": f"You are signed in with a {e.user.role} key, which may not {e.what}."}, user=e.user,
            status=403)

    @app.exception_handler(CsrfRejected)
    async def csrf(request: Request, _e: CsrfRejected) -> Response:
        if wants_json(request):
            return json_error(403, "csrf_failed", "the request lacks this session's CSRF token; reload the page")
        return render(request, "message.html", {
            "title": "Please try again",
            "message": "This form was out of date (or did not come from this site), so nothing was saved. "
                       "Reload the page and try again."}, status=403)
