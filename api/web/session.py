"""The dashboard's sign-in cookie, its CSRF checks and its role checks.

The session cookie is Secure, HttpOnly and SameSite=Lax: Lax so a link from a scheduled email
opens a signed-in page, while every form (sign-in included) carries a CSRF token that a
cross-site page cannot read.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from api.deps import SessionDep
from estate.access import events, sessions
from estate.access.sessions import SignedIn
from estate.config import Settings
from estate.history.changelog import Actor
from estate.models.base import utcnow
from estate.status import AccessEventKind, Permission

SESSION_COOKIE = "estate_session"
# Before sign-in there is no session to hold a CSRF token: the form's is also set as a
# short-lived cookie and the two must match (double submit).
SIGNIN_COOKIE = "estate_signin"
CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """No live session: the handler in api.web.pages sends the browser to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageForbidden(Exception):
    def __init__(self, message: str, status_code: int = 403) -> None:
        super().__init__(message)
        self.status_code = status_code


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def signed_in(request: Request, session: SessionDep) -> SignedIn:
    session_id = request.cookies.get(SESSION_COOKIE)
    user = None
    if session_id:
        user = sessions.resume(session, session_id, settings_of(request), utcnow())
    if user is None:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(wanted)
    request.state.principal = user.principal
    request.state.signed_in = user
    return user


User = Annotated[SignedIn, Depends(signed_in)]


def may(permission: Permission) -> Any:
    """Depends on a signed-in user whose role grants the permission; 403 page otherwise."""

    async def check(user: User) -> SignedIn:
        if not user.principal.may(permission):
            raise PageForbidden(
                f"Your role ({user.principal.role}) may not {permission.value.replace('-', ' ')}."
            )
        return user

    return Depends(check)


async def checked_form(request: Request, user: User) -> FormData:
    """The posted form, once its CSRF token matches this session's."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not isinstance(given, str) or not secrets.compare_digest(given, user.csrf_token):
        raise PageForbidden("The form had expired or did not come from this site: try again.")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def actor(request: Request, user: SignedIn) -> Actor:
    request_id = str(getattr(request.state, "request_id", "")) or uuid.uuid4().hex
    return Actor(user.principal.name, request_id)


def record_refusal(request: Request, session: Session, who: str, reason: str) -> None:
    """A refused sign-in, of a token or a person: its access event, committed now (the page
    that says so is all the request does)."""
    actor = Actor(who, str(getattr(request.state, "request_id", "")) or uuid.uuid4().hex)
    events.record(session, AccessEventKind.SIGN_IN_REFUSED, actor, detail=reason)
    session.commit()


def safe_next(value: str | None) -> str:
    """Only a path on this site: never `//elsewhere` or `https://elsewhere` (open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def sign_in_url(next_path: str) -> str:
    return "/signin" if next_path in ("", "/") else f"/signin?next={quote(next_path, safe='')}"


def set_session_cookie(response: Response, session_id: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=settings.web.session_hours * 3600,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
