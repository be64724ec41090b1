"""Personal API tokens: made, listed and revoked from the dashboard by the person they belong
to, with an expiry and a role no higher than their own. Nothing here commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.access.tokens import create_token, revoke_token, roles_within
from estate.models import ApiToken
from estate.status import Role

DEFAULT_DAYS = 90
MAX_LABEL = 40


class PersonalTokenError(ValueError):
    """A refused request, naming the form field it is about."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def create_personal(
    session: Session,
    owner: str,
    own_role: Role,
    label: str,
    role: Role,
    days: int,
    max_days: int,
    now: datetime,
) -> str:
    """A new token named `owner/label`, so that changes made with it say whose it is; the
    token itself is returned once."""
    label = label.strip()
    if not label or len(label) > MAX_LABEL:
        raise PersonalTokenError(f"Give the token a name of 1 to {MAX_LABEL} characters.", "name")
    name = f"{owner}/{label}"
    if len(name) > 100:
        raise PersonalTokenError("Your account name and the token's are too long together.", "name")
    if role not in roles_within(own_role):
        raise PersonalTokenError(f"A role no higher than your own ({own_role}).", "role")
    if not 1 <= days <= max_days:
        raise PersonalTokenError(f"Between 1 and {max_days} days.", "days")
    if session.execute(select(col(ApiToken.id)).where(col(ApiToken.name) == name)).first():
        raise PersonalTokenError(f"You already have a token named {label!r}.", "name")
    return create_token(session, name, role, now + timedelta(days=days), owner)


def list_personal(session: Session, owner: str) -> list[ApiToken]:
    """The person's own tokens, newest first (ties by id), never anyone else's."""
    found = select(ApiToken).where(col(ApiToken.owner) == owner)
    ordered = found.order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    return list(session.execute(ordered).scalars())


def revoke_personal(session: Session, owner: str, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens; someone else's is as good as unknown."""
    found = session.get(ApiToken, token_id)
    if found is None or found.owner != owner:
        raise PersonalTokenError("You have no such token.", "tokens")
    revoke_token(session, found.name)
    return found
