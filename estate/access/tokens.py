"""API tokens and what each role may do. Tokens are random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.config import AccessSettings
from estate.models import ApiToken
from estate.models.base import utcnow
from estate.status import Permission, Role

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


class TokenExpired(Exception):
    """A known, unrevoked token past its expiry: refused, with a message that says so."""

    def __init__(self, name: str, expired_at: datetime) -> None:
        super().__init__(f"the token expired at {expired_at:%Y-%m-%d %H:%M} UTC")
        self.name = name
        self.expired_at = expired_at


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


_DURATION = re.compile(r"^\s*(\d{1,6})\s*([dhm])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def expiry_after(text: str, max_days: int, now: datetime) -> datetime:
    """When a token given `--expires-in 30d` (or 12h, 45m) expires: no later than
    `[access] token_max_days` from now."""
    found = _DURATION.match(text)
    if found is None:
        raise TokenError(f"expires-in {text!r}: expected a number of days, hours or minutes (30d)")
    lifetime = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    if not timedelta(0) < lifetime <= timedelta(days=max_days):
        raise TokenError(f"expires-in {text!r}: between 1m and {max_days}d (access.token_max_days)")
    return now + lifetime


def roles_within(own: Role) -> list[Role]:
    """The roles someone may give a token of their own: those granting nothing their role does
    not (infra and assets are side by side, neither above the other)."""
    return [role for role in Role if _GRANTS[role] <= _GRANTS[own]]


def create_token(
    session: Session,
    name: str,
    role: Role,
    expires_at: datetime | None = None,
    owner: str | None = None,
) -> str:
    """Store a new token's hash and return the token, which is never stored or shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    made = ApiToken(
        name=name, role=role, token_hash=hash_token(token), expires_at=expires_at, owner=owner
    )
    session.add(made)
    try:
        session.flush()
    except IntegrityError:
        raise TokenError(f"a token named {name!r} already exists") from None
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.execute(select(ApiToken).order_by(col(ApiToken.name))).scalars())


def revoke_token(session: Session, name: str) -> None:
    """Revoke a token: at once in this process once the caller commits; within
    `access.token_cache_seconds` in every other (see PrincipalCache)."""
    token = session.execute(select(ApiToken).where(col(ApiToken.name) == name)).scalar()
    if token is None:
        raise TokenError(f"no token named {name!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    digest = token.token_hash

    def forget(_session: Any) -> None:
        principals.forget(digest)

    event.listen(session, "after_commit", forget, once=True)


def authenticate(
    session: Session, token: str, access: AccessSettings
) -> tuple[Principal | None, bool]:
    """The principal for a presented token (None if unknown or revoked), read from the
    database, and whether its last-used stamp was written and wants committing. A valid token
    is remembered for `remembered` to answer for the next few seconds; an expired one raises
    TokenExpired."""
    digest = hash_token(token)
    generation = principals.generation
    found = session.execute(select(ApiToken).where(col(ApiToken.token_hash) == digest)).scalar()
    if found is None or found.revoked_at is not None:
        return None, False
    now = utcnow()
    if found.expires_at is not None and found.expires_at <= now:
        raise TokenExpired(found.name, found.expires_at)
    touched = found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY
    if touched:
        session.execute(
            update(ApiToken).where(col(ApiToken.id) == found.id).values(last_used_at=now)
        )
    seconds = access.token_cache_seconds
    if found.expires_at is not None:  # never remembered past its expiry
        seconds = min(seconds, (found.expires_at - now).total_seconds())
    principals.put(digest, found.name, found.role, seconds, generation)
    return Principal(found.name, found.role, grants_for(found.role, access)), touched


def remembered(token: str, access: AccessSettings) -> Principal | None:
    """The principal of a token `authenticate` accepted within the last
    `access.token_cache_seconds`, with no database read; None: ask `authenticate`."""
    if access.token_cache_seconds <= 0:
        return None
    found = principals.get(hash_token(token))
    if found is None:
        return None
    name, role = found
    return Principal(name, role, grants_for(role, access))


class PrincipalCache:
    """Valid tokens by hash, for a few seconds, so that a busy API process does not read the
    token table on every request. Only accepted tokens are kept (an unknown one costs a read
    each time and takes no room). A revocation committed in this process takes effect here at
    once; another process (`estate token revoke`, another worker or replica) may accept the
    revoked token until its entry expires: the documented price of the cache."""

    def __init__(self, size: int = 4096) -> None:
        self._items: dict[str, tuple[float, str, Role]] = {}
        self._size = size
        self._lock = threading.Lock()
        # Bumped by each forget: a read that began before it must not put back what it read.
        self.generation = 0

    def get(self, digest: str) -> tuple[str, Role] | None:
        found = self._items.get(digest)
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1], found[2]

    def put(self, digest: str, name: str, role: Role, seconds: float, generation: int) -> None:
        if seconds <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if generation != self.generation:
                return
            if len(self._items) >= self._size:
                self._items = {k: v for k, v in self._items.items() if v[0] > now}
                if len(self._items) >= self._size:
                    self._items.clear()
            self._items[digest] = (now + seconds, name, role)

    def forget(self, digest: str) -> None:
        with self._lock:
            self.generation += 1
            self._items.pop(digest, None)


principals = PrincipalCache()
