"""Dashboard sessions: a browser signs in once with an API token and gets a session id.

The session id (like a token) is random, handed over once and kept only as SHA-256. Each
session has its own CSRF token for the forms it posts. A session ends when it expires, when
its browser signs out, or when its token is revoked (every lookup joins the token).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from estate.access.tokens import Principal, authenticate, grants_for, hash_token
from estate.config import Settings
from estate.models import ApiToken, WebSession
from estate.models.base import table_of

SESSIONS = table_of(WebSession)
TOKENS = table_of(ApiToken)


@dataclass(frozen=True)
class SignedIn:
    """A live session: who it is, and the CSRF token its forms must carry."""

    principal: Principal
    csrf_token: str


@dataclass(frozen=True)
class Started:
    session_id: str
    signed_in: SignedIn


def sign_in(session: Session, token: str, settings: Settings, now: datetime) -> Started | None:
    """A new session for a valid token, or None (unknown or revoked). Expired sessions are
    swept here, so the table holds only live ones and a few stale ones at most."""
    principal, _touched = authenticate(session, token, settings.access)
    if principal is None:
        return None
    session.execute(delete(SESSIONS).where(SESSIONS.c.expires_at <= now))
    token_id = session.execute(
        select(TOKENS.c.id).where(TOKENS.c.token_hash == hash_token(token))
    ).scalar_one()
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    session.execute(
        insert(SESSIONS).values(
            session_hash=hash_token(session_id),
            token_id=token_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=now + timedelta(hours=settings.web.session_hours),
        )
    )
    return Started(session_id, SignedIn(principal, csrf_token))


_LIVE = (
    select(TOKENS.c.name, TOKENS.c.role, SESSIONS.c.csrf_token)
    .join(TOKENS, TOKENS.c.id == SESSIONS.c.token_id)
    .where(TOKENS.c.revoked_at.is_(None))
)


def resume(session: Session, session_id: str, settings: Settings, now: datetime) -> SignedIn | None:
    """The live session behind a cookie's id: one indexed lookup, nothing written."""
    row = session.execute(
        _LIVE.where(SESSIONS.c.session_hash == hash_token(session_id), SESSIONS.c.expires_at > now)
    ).first()
    if row is None:
        return None
    name, role, csrf_token = row
    return SignedIn(Principal(name, role, grants_for(role, settings.access)), csrf_token)


def sign_out(session: Session, session_id: str) -> None:
    session.execute(delete(SESSIONS).where(SESSIONS.c.session_hash == hash_token(session_id)))
