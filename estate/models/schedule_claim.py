"""One row per scheduled job and slot: whoever inserts it runs the slot, so any number of
scheduler replicas run each slot once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from estate.models.base import UTCDateTime, created_timestamp


class ScheduleClaim(SQLModel, table=True):
    __tablename__ = "schedule_claims"
    __table_args__ = (UniqueConstraint("job", "slot_at", name="uq_schedule_claims_job_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    # "source:<name>" or "report:<name>".
    job: str = Field(max_length=200)
    slot_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    claimed_at: datetime = created_timestamp()
    # host:pid of the scheduler that ran it.
    claimed_by: str = Field(max_length=200)
