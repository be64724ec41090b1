from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from estate.models.base import JSONType, UTCDateTime, created_timestamp, enum_type, timestamp
from estate.models.status import EntityStatus


class WorkloadBase(SQLModel):
    provider: str = Field(max_length=20, index=True)
    account_id: str | None = Field(default=None, max_length=40, index=True)
    region: str | None = Field(default=None, max_length=40, index=True)
    resource_type: str = Field(max_length=60, index=True)
    # The ARN where the provider has one.
    resource_id: str = Field(max_length=400, unique=True)
    name: str | None = Field(default=None, max_length=400)
    state: str | None = Field(default=None, max_length=40)
    size: str | None = Field(default=None, max_length=100)
    launched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tags: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    resilient: bool | None = None
    flexible: bool | None = None
    efficient: bool | None = None
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    migrated_from_server_id: int | None = Field(default=None, foreign_key="servers.id", index=True)
    status: EntityStatus = Field(
        default=EntityStatus.ACTIVE, sa_type=enum_type(EntityStatus), index=True
    )


class Workload(WorkloadBase, table=True):
    __tablename__ = "workloads"

    id: int | None = Field(default=None, primary_key=True)
    source_server_ref: str | None = Field(default=None, max_length=255)
    missing_since: datetime | None = timestamp()
    created_at: datetime = created_timestamp()
    updated_at: datetime = created_timestamp()


class WorkloadPublic(WorkloadBase):
    id: int
    missing_since: datetime | None
    created_at: datetime
    updated_at: datetime
