"""The access audit (UK GDPR accountability) and the sign-ins in flight to an OIDC provider."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from estate.models.base import UTCDateTime, enum_type, utcnow
from estate.status import AccessEventKind, Role


class AccessEventBase(SQLModel):
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    kind: AccessEventKind = Field(sa_type=enum_type(AccessEventKind), index=True)
    # Who: a person's email or subject, or a token's name.
    actor: str = Field(max_length=255, index=True)
    role: Role | None = Field(default=None, sa_type=enum_type(Role))
    request_id: str = Field(max_length=64)
    # Rows of personal data the read or export answered with.
    records: int | None = None
    detail: str | None = Field(default=None, max_length=500)


class AccessEvent(AccessEventBase, table=True):
    """One sign-in, sign-out, refusal, role change, token event or read of personal data."""

    __tablename__ = "access_events"

    id: int | None = Field(default=None, primary_key=True)


class AccessEventPublic(AccessEventBase):
    id: int


class OidcLogin(SQLModel, table=True):
    """A sign-in sent to the provider and not yet back: its state (kept as SHA-256, and also in
    the browser's cookie), nonce and PKCE verifier. Used once: the callback deletes it."""

    __tablename__ = "oidc_logins"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    redirect_uri: str = Field(max_length=2000)
    next_path: str = Field(max_length=2000)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
