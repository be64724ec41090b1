"""Dashboard sessions: a browser signs in once, with an API token or as a person an OpenID
Connect provider vouched for, and gets a session id.

The session id (like a token) is random, handed over once and kept only as SHA-256. Each
session has its own CSRF token for the forms it posts. A session ends when it expires, when
its browser signs out, or when its token is revoked or expires (every lookup joins the token).
A person's session carries the role their groups gave them at sign-in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from estate.access.tokens import Principal, authenticate, grants_for, hash_token
from estate.config import Settings
from estate.models import ApiToken, WebSession
from estate.models.base import table_of
from estate.status import Role

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
    """A new session for a valid token, or None (unknown or revoked); an expired token raises
    TokenExpired."""
    principal, _touched = authenticate(session, token, settings.access)
    if principal is None:
        return None
    token_id = session.execute(
        select(TOKENS.c.id).where(TOKENS.c.token_hash == hash_token(token))
    ).scalar_one()
    return _start(session, principal, settings, now, token_id=token_id)


def sign_in_person(
    session: Session, person: str, role: Role, settings: Settings, now: datetime
) -> Started:
    """A new session for a person the provider vouched for, with the role their groups gave."""
    principal = Principal(person, role, grants_for(role, settings.access))
    return _start(session, principal, settings, now, person=person, role=role)


def _start(
    session: Session, principal: Principal, settings: Settings, now: datetime, **owner: object
) -> Started:
    # Expired sessions are swept here, so the table holds only live ones and a few stale ones.
    session.execute(delete(SESSIONS).where(SESSIONS.c.expires_at <= now))
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    session.execute(
        insert(SESSIONS).values(
            session_hash=hash_token(session_id),
            csrf_token=csrf_token,
            created_at=now,
            expires_at=now + timedelta(hours=settings.web.session_hours),
            **owner,
        )
    )
    return Started(session_id, SignedIn(principal, csrf_token))


# A token's session lives while its token does; a person's (no token) until it expires.
_LIVE = select(
    func.coalesce(TOKENS.c.name, SESSIONS.c.person),
    func.coalesce(TOKENS.c.role, SESSIONS.c.role),
    SESSIONS.c.csrf_token,
).outerjoin(TOKENS, TOKENS.c.id == SESSIONS.c.token_id)


def resume(session: Session, session_id: str, settings: Settings, now: datetime) -> SignedIn | None:
    """The live session behind a cookie's id: one indexed lookup, nothing written."""
    row = session.execute(
        _LIVE.where(
            SESSIONS.c.session_hash == hash_token(session_id),
            SESSIONS.c.expires_at > now,
            or_(
                SESSIONS.c.token_id.is_(None),
                TOKENS.c.revoked_at.is_(None)
                & or_(TOKENS.c.expires_at.is_(None), TOKENS.c.expires_at > now),
            ),
        )
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    name, role, csrf_token = row
    role = Role(role)
    return SignedIn(Principal(name, role, grants_for(role, settings.access)), csrf_token)


def sign_out(session: Session, session_id: str) -> None:
    session.execute(delete(SESSIONS).where(SESSIONS.c.session_hash == hash_token(session_id)))
