"""Putting the dashboard on the app: its pages, its stylesheet and its two page-level errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.web import decommission, devices, oidc_signin, outcomes, overview, scans, signin, tokens
from api.web.session import PageForbidden, SignInRequired, sign_in_url
from api.web.templating import STATIC, render


async def _sign_in_first(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(sign_in_url(exc.next_path), status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbidden)
    title = "Not allowed" if exc.status_code == 403 else "Not found"
    context = {"title": title, "message": str(exc), "back": "/"}
    user = getattr(request.state, "signed_in", None)
    return render(request, "problem.html", context, user=user, status_code=exc.status_code)


def add_dashboard(app: FastAPI) -> None:
    app.state.oidc = oidc_signin.make_client(app.state.settings)
    for module in (signin, oidc_signin, overview, devices, outcomes, decommission, scans, tokens):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(PageForbidden, _forbidden)
