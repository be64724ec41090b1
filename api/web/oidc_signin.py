"""Signing in through the council's OpenID Connect provider (`[auth.oidc]`): off the provider
to sign in, back to the callback, and into the dashboard's usual server-side session with the
role the person's groups give (`[auth.roles]`). Every outcome is an access event.

The callback must bring the state this browser was given (its cookie) and that is still
waiting in `oidc_logins`, which it takes: a forged, replayed or stale callback is refused.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.auth import request_id
from api.deps import SessionDep
from api.web import session as web
from api.web.oidc import OidcClient, SignInFailed, client_secret
from api.web.templating import render, started
from estate.access import events, logins, sessions
from estate.access.logins import Pending
from estate.access.people import Refused, person_of, role_for
from estate.config import OidcSettings, Settings
from estate.history.changelog import Actor
from estate.models.base import utcnow
from estate.status import AccessEventKind

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
STATE_COOKIE = "estate_oidc"
CALLBACK = "/signin/oidc/callback"
MAX_PARAM = 2000


def make_client(settings: Settings) -> OidcClient | None:
    """The app's client, made as the app is (a missing or placeholder secret stops it
    starting); it reads the provider's discovery document at the first sign-in."""
    oidc = settings.auth.oidc
    return OidcClient(oidc, client_secret(oidc, settings)) if oidc else None


def _client(request: Request) -> OidcClient:
    client: OidcClient | None = request.app.state.oidc
    if client is None:
        raise web.PageForbidden("Sign-in through an identity provider is not set up.", 404)
    return client


def _redirect_uri(request: Request, oidc: OidcSettings) -> str:
    return oidc.redirect_uri or str(request.url.replace(path=CALLBACK, query=""))


@router.get("/signin/oidc")
def begin(
    request: Request, session: SessionDep, next: Annotated[str | None, Query()] = None
) -> Response:
    client = _client(request)
    redirect_uri = _redirect_uri(request, client.oidc)
    try:
        made = client.begin(redirect_uri)
    except SignInFailed as exc:
        return _refused(request, session, str(exc), "unknown", status_code=502)
    next_path = web.safe_next((next or "")[:MAX_PARAM])
    pending = Pending(made.nonce, made.code_verifier, redirect_uri, next_path)
    logins.remember(session, made.state, pending, utcnow())
    session.commit()
    response = RedirectResponse(made.url, status_code=303)
    # Lax: the provider's redirect back is a top-level GET from another site.
    response.set_cookie(
        STATE_COOKIE,
        made.state,
        max_age=logins.LOGIN_MINUTES * 60,
        path=CALLBACK,
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(CALLBACK)
def callback(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Query(max_length=MAX_PARAM)] = "",
    state: Annotated[str, Query(max_length=MAX_PARAM)] = "",
    error: Annotated[str, Query(max_length=MAX_PARAM)] = "",
) -> Response:
    client = _client(request)
    expected = request.cookies.get(STATE_COOKIE, "")
    pending = logins.take(session, state, utcnow()) if state else None
    if pending is None or not expected or not secrets.compare_digest(expected, state):
        reason = "This sign-in was not started here, was already used or has expired."
        return _refused(request, session, reason, "unknown", status_code=400)
    if error or not code:
        reason = f"The identity provider did not sign you in ({error or 'no code'})."
        return _refused(request, session, reason, "unknown", status_code=400)
    try:
        claims = client.finish(code, pending.code_verifier, pending.redirect_uri, pending.nonce)
        person = person_of(claims, client.oidc)
        role = role_for(person, web.settings_of(request).auth.roles)
    except SignInFailed as exc:
        return _refused(request, session, f"The sign-in was refused: {exc}.", "unknown", 400)
    except Refused as exc:
        return _refused(request, session, str(exc), exc.who, status_code=403)
    return _signed_in(request, session, person.name, role, pending.next_path)


def _signed_in(
    request: Request, session: Session, name: str, role: Any, next_path: str
) -> Response:
    settings: Settings = web.settings_of(request)
    actor = Actor(name, request_id(request))
    before = events.last_role(session, name)
    if before is not None and before != role:
        detail = f"{before} -> {role} (group mapping)"
        events.record(session, AccessEventKind.ROLE_CHANGED, actor, role=role, detail=detail)
    events.record(session, AccessEventKind.SIGN_IN, actor, role=role, detail="oidc")
    begun = sessions.sign_in_person(session, name, role, settings, utcnow())
    session.commit()
    response = RedirectResponse(next_path, status_code=303)
    web.set_session_cookie(response, begun.session_id, settings)
    response.delete_cookie(STATE_COOKIE, path=CALLBACK, secure=True, httponly=True)
    return response


def _refused(
    request: Request, session: Session, reason: str, who: str, status_code: int
) -> Response:
    web.record_refusal(request, session, who, reason)
    context = {"title": "You cannot sign in", "message": reason, "back": "/signin"}
    response = render(request, "problem.html", context, user=None, status_code=status_code)
    response.delete_cookie(STATE_COOKIE, path=CALLBACK, secure=True, httponly=True)
    return response
