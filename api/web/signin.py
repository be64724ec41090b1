"""Signing in with an API token (unless `[auth] token_signin = false`), and out again. Each
sign-in, refusal and sign-out is an access event."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.auth import request_id
from api.deps import SessionDep
from api.web import session as web
from api.web.templating import FieldError, render, started
from estate.access import events, sessions
from estate.access.tokens import TokenExpired
from estate.history.changelog import Actor
from estate.models.base import utcnow
from estate.status import AccessEventKind

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
# The sign-in form's CSRF cookie only has to outlive one visit to the form.
SIGNIN_SECONDS = 3600
# Tokens are 50 characters; anything much longer is not one.
MAX_TOKEN = 200
MAX_NEXT = 2000


def _form(request: Request, next_path: str, error: str | None = None) -> Response:
    csrf = secrets.token_urlsafe(32)
    errors = [FieldError(error, "token")] if error else []
    auth = web.settings_of(request).auth
    context = {
        "title": "Sign in",
        "csrf_token": csrf,
        "next": next_path,
        "errors": errors,
        "oidc": auth.oidc is not None,
        "token_signin": auth.token_signin,
    }
    response = render(
        request,
        "signin.html",
        context,
        user=None,
        status_code=401 if error else 200,
    )
    response.set_cookie(
        web.SIGNIN_COOKIE,
        csrf,
        max_age=SIGNIN_SECONDS,
        path="/signin",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


@router.get("/signin")
def sign_in_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    return _form(request, web.safe_next((next or "")[:MAX_NEXT]))


@router.post("/signin")
def sign_in(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    # Checked here rather than by Form(max_length=...): a form gets a page, not a JSON 422.
    next_path = web.safe_next(next[:MAX_NEXT])
    if not web.settings_of(request).auth.token_signin:
        raise web.PageForbidden("Signing in with a token is turned off: use your account.")
    expected = request.cookies.get(web.SIGNIN_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token, expected):
        return _form(request, next_path, "The form had expired: enter your token again.")
    if not token.strip():
        return _form(request, next_path, "Enter your API token.")
    unknown = "That token is unknown or has been revoked."
    if len(token) > MAX_TOKEN:
        return _refused(request, session, next_path, unknown, "unknown")
    try:
        started_session = sessions.sign_in(
            session, token.strip(), web.settings_of(request), utcnow()
        )
    except TokenExpired as exc:
        return _refused(request, session, next_path, f"That token has expired: {exc}.", exc.name)
    if started_session is None:
        return _refused(request, session, next_path, unknown, "unknown")
    user = started_session.signed_in.principal
    actor = Actor(user.name, request_id(request))
    events.record(session, AccessEventKind.SIGN_IN, actor, role=user.role, detail="token")
    session.commit()
    response = RedirectResponse(next_path, status_code=303)
    web.set_session_cookie(response, started_session.session_id, web.settings_of(request))
    response.delete_cookie(web.SIGNIN_COOKIE, path="/signin", secure=True, httponly=True)
    return response


def _refused(
    request: Request, session: Session, next_path: str, message: str, who: str
) -> Response:
    web.record_refusal(request, session, who, message)
    return _form(request, next_path, message)


@router.post("/signout")
def sign_out(request: Request, session: SessionDep, _form: web.CheckedForm) -> Response:
    session_id = request.cookies.get(web.SESSION_COOKIE)
    if session_id:
        user = request.state.principal
        actor = Actor(user.name, request_id(request))
        events.record(session, AccessEventKind.SIGN_OUT, actor, role=user.role)
        sessions.sign_out(session, session_id)
        session.commit()
    response = RedirectResponse("/signin", status_code=303)
    web.clear_session_cookie(response)
    return response
