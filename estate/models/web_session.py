"""A signed-in browser: the dashboard's session, bound to the API token it signed in with, or
to the person an OpenID Connect provider vouched for (with the role their groups gave them)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from estate.models.base import UTCDateTime, created_timestamp, enum_type
from estate.status import Role


class WebSession(SQLModel, table=True):
    """Only the session id's SHA-256 is kept. Revoking the token ends its sessions: every page
    request joins the token and refuses a revoked one."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True)
    token_id: int | None = Field(
        default=None, foreign_key="api_tokens.id", index=True, ondelete="CASCADE"
    )
    # A person's session (no token): who, and the role decided at sign-in.
    person: str | None = Field(default=None, max_length=255)
    role: Role | None = Field(default=None, sa_type=enum_type(Role))
    # The synchronizer token every form of this session carries.
    csrf_token: str = Field(max_length=64)
    created_at: datetime = created_timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
