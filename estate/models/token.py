from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from estate.models.base import created_timestamp, enum_type, timestamp
from estate.status import Role


class ApiTokenBase(SQLModel):
    name: str = Field(max_length=100, unique=True)
    role: Role = Field(sa_type=enum_type(Role))


class ApiToken(ApiTokenBase, table=True):
    """A bearer token. Only its SHA-256 is kept: the token itself is shown once, at creation."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_timestamp()
    last_used_at: datetime | None = timestamp()
    revoked_at: datetime | None = timestamp()
    # None: never expires.
    expires_at: datetime | None = timestamp()
    # Who made it from the dashboard, for their own list; None: made with `estate token`.
    owner: str | None = Field(default=None, max_length=255, index=True)


class ApiTokenPublic(ApiTokenBase):
    id: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None
