"""A scan asked for through the API, queued here until a scheduler picks it up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from estate.models.base import created_timestamp, enum_type, timestamp
from estate.status import RequestStatus


class ScanRequestCreate(SQLModel):
    source: str = Field(min_length=1, max_length=100)


class ScanRequestBase(SQLModel):
    source: str = Field(max_length=100, index=True)
    status: RequestStatus = Field(
        default=RequestStatus.QUEUED, sa_type=enum_type(RequestStatus), index=True
    )
    requested_by: str = Field(max_length=200)
    request_id: str | None = Field(default=None, max_length=64)
    requested_at: datetime = created_timestamp()
    started_at: datetime | None = timestamp()
    finished_at: datetime | None = timestamp()
    # The run it made (its status says how the scan went); none while queued or if it could
    # not start (see error).
    scan_run_id: int | None = Field(default=None, foreign_key="scan_runs.id")
    error: str | None = Field(default=None, sa_type=Text)


class ScanRequest(ScanRequestBase, table=True):
    __tablename__ = "scan_requests"

    id: int | None = Field(default=None, primary_key=True)
    claimed_by: str | None = Field(default=None, max_length=200)


class ScanRequestPublic(ScanRequestBase):
    id: int
