"""Email waiting to go, going, gone or refused: every message is stored before it is sent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from estate.models.base import (
    JSONType,
    UTCDateTime,
    created_timestamp,
    enum_type,
    timestamp,
    utcnow,
)


class MessageStatus(StrEnum):
    """pending -> sending (claimed by one sender) -> sent, or back to pending to retry, or
    failed when the server refused it for good (5xx); a failed message keeps its error."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessageBase(SQLModel):
    # What made it: "report:<name>", "alert" or "recovery".
    kind: str = Field(max_length=100, index=True)
    subject: str = Field(max_length=500)
    recipients: list[str] = Field(default_factory=list, sa_type=JSONType)
    message_id: str = Field(max_length=255)
    status: MessageStatus = Field(
        default=MessageStatus.PENDING, sa_type=enum_type(MessageStatus), index=True
    )
    attempts: int = 0
    created_at: datetime = created_timestamp()
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    sent_at: datetime | None = timestamp()
    last_error: str | None = Field(default=None, sa_type=Text)


class OutboxMessage(OutboxMessageBase, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    # Makes enqueueing idempotent: a report slot or an alert is stored once however often
    # (and by however many schedulers) it is enqueued.
    dedupe_key: str | None = Field(default=None, max_length=300, unique=True)
    # The whole RFC 5322 message as composed, so a retry sends the very same bytes.
    message: str = Field(sa_type=Text)
    # The sender holding the claim and until when; a lapsed claim returns to pending.
    claimed_by: str | None = Field(default=None, max_length=200)
    claimed_until: datetime | None = timestamp()


class OutboxMessagePublic(OutboxMessageBase):
    id: int
