"""API tokens and what each role may do. Tokens are random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.models import ApiToken
from estate.models.base import utcnow
from estate.models.status import Permission, Role
from estate.settings import AccessSettings

TOKEN_PREFIX = "estate_"
# last_used_at is a hint, not an audit trail: written at most this often per token.
_TOUCH_EVERY = timedelta(minutes=1)

_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.INFRA: frozenset({Permission.READ, Permission.EDIT_INVENTORY, Permission.SCAN}),
    Role.ASSETS: frozenset({Permission.READ, Permission.DECOMMISSION}),
    Role.ADMIN: frozenset(Permission) - {Permission.PERSONAL_DATA},
}


class TokenError(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name is the actor recorded on every change it makes."""

    name: str
    role: Role
    grants: frozenset[Permission]

    def may(self, permission: Permission) -> bool:
        return permission in self.grants


def grants_for(role: Role, access: AccessSettings) -> frozenset[Permission]:
    extra = {Permission.PERSONAL_DATA} if role.value in access.personal_data_roles else set()
    return _GRANTS[role] | extra


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, role: Role) -> str:
    """Store a new token's hash and return the token, which is never stored or shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, role=role, token_hash=hash_token(token)))
    try:
        session.flush()
    except IntegrityError:
        raise TokenError(f"a token named {name!r} already exists") from None
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.execute(select(ApiToken).order_by(col(ApiToken.name))).scalars())


def revoke_token(session: Session, name: str) -> None:
    token = session.execute(select(ApiToken).where(col(ApiToken.name) == name)).scalar()
    if token is None:
        raise TokenError(f"no token named {name!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def authenticate(
    session: Session, token: str, access: AccessSettings
) -> tuple[Principal | None, bool]:
    """The principal for a presented token (None if unknown or revoked), and whether its
    last-used stamp was written and wants committing."""
    found = session.execute(
        select(ApiToken).where(col(ApiToken.token_hash) == hash_token(token))
    ).scalar()
    if found is None or found.revoked_at is not None:
        return None, False
    now = utcnow()
    touched = found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY
    if touched:
        session.execute(
            update(ApiToken).where(col(ApiToken.id) == found.id).values(last_used_at=now)
        )
    return Principal(found.name, found.role, grants_for(found.role, access)), touched
