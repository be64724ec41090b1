"""Sign-ins sent to an OpenID Connect provider and not yet back: each is found by its state
(kept as SHA-256) and taken once, so a replayed or forged callback finds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from estate.access.tokens import hash_token
from estate.models import OidcLogin
from estate.models.base import table_of

LOGINS = table_of(OidcLogin)
# Long enough to type a password and answer a second factor; short enough to be no use later.
LOGIN_MINUTES = 10


@dataclass(frozen=True)
class Pending:
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_path: str


def remember(session: Session, state: str, pending: Pending, now: datetime) -> None:
    """Keep a sign-in in flight; those that never came back are swept here."""
    session.execute(delete(LOGINS).where(LOGINS.c.expires_at <= now))
    session.execute(
        insert(LOGINS).values(
            state_hash=hash_token(state),
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            redirect_uri=pending.redirect_uri,
            next_path=pending.next_path,
            expires_at=now + timedelta(minutes=LOGIN_MINUTES),
        )
    )


def take(session: Session, state: str, now: datetime) -> Pending | None:
    """The sign-in this state began, removed so it cannot be used again; None if there is none
    (forged, replayed) or it is older than LOGIN_MINUTES."""
    digest = hash_token(state)
    row = session.execute(
        select(
            LOGINS.c.nonce, LOGINS.c.code_verifier, LOGINS.c.redirect_uri, LOGINS.c.next_path
        ).where(LOGINS.c.state_hash == digest, LOGINS.c.expires_at > now)
    ).first()
    session.execute(delete(LOGINS).where(LOGINS.c.state_hash == digest))
    return Pending(*row) if row is not None else None
