from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from estate.models.base import JSONType, UTCDateTime, enum_type, timestamp, utcnow
from estate.status import RunStatus


class ScanRunBase(SQLModel):
    source: str = Field(max_length=100, index=True)
    kind: str = Field(max_length=40)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = timestamp()
    status: RunStatus = Field(default=RunStatus.RUNNING, sa_type=enum_type(RunStatus), index=True)
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    missing: int = 0
    # Observations that brought only new readings (a power draw, a sync time): not changes.
    readings: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Each problem: {"scope", "reason", "row", "column", "target"}.
    errors: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    # Each scope the run touched and whether it completed.
    scopes: dict[str, bool] = Field(default_factory=dict, sa_type=JSONType)
    # Where the run works (recorded before it starts) and when it last said it was alive:
    # how a run whose process died or lost its database is told from one still going
    # (estate.inventory.liveness).
    host: str | None = Field(default=None, max_length=255)
    pid: int | None = None
    heartbeat_at: datetime | None = timestamp()


class ScanRun(ScanRunBase, table=True):
    __tablename__ = "scan_runs"

    id: int | None = Field(default=None, primary_key=True)


class ScanRunPublic(ScanRunBase):
    id: int
