"""A server's way out: the capital assets team's decision on it, then its removal."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from estate.models.base import UTCDateTime, enum_type
from estate.status import DecommissionDecision


class Decommission(SQLModel, table=True):
    """One row per server that has been reviewed; the latest decision and the completion.

    Every step is also in the change log (entity server, fields decommission_*), with who
    made it and the request it came in.
    """

    __tablename__ = "decommissions"

    server_id: int = Field(foreign_key="servers.id", primary_key=True)
    decision: DecommissionDecision = Field(sa_type=enum_type(DecommissionDecision), index=True)
    note: str | None = Field(default=None, max_length=2000)
    reviewer: str = Field(max_length=200)
    reviewed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    removed_on: date | None = None
    disposal_reference: str | None = Field(default=None, max_length=200)
    data_sanitisation_reference: str | None = Field(default=None, max_length=200)
    completed_by: str | None = Field(default=None, max_length=200)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
