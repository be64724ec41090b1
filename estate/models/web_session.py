"""A signed-in browser: the dashboard's session, bound to the API token it signed in with."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from estate.models.base import UTCDateTime, created_timestamp


class WebSession(SQLModel, table=True):
    """Only the session id's SHA-256 is kept. Revoking the token ends its sessions: every page
    request joins the token and refuses a revoked one."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True)
    token_id: int = Field(foreign_key="api_tokens.id", index=True, ondelete="CASCADE")
    # The synchronizer token every form of this session carries.
    csrf_token: str = Field(max_length=64)
    created_at: datetime = created_timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
