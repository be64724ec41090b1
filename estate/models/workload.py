from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import false
from sqlmodel import Field, SQLModel

from estate.models.base import (
    JSONType,
    Reading,
    Reference,
    Tracked,
    UTCDateTime,
    enum_type,
    sort_indexes,
)
from estate.status import EntityStatus


class WorkloadBase(SQLModel):
    provider: str = Field(max_length=20, index=True)
    account_id: str | None = Field(default=None, max_length=40, index=True)
    region: str | None = Field(default=None, max_length=40, index=True)
    resource_type: str = Field(max_length=60, index=True)
    # The ARN where the provider has one.
    resource_id: str = Field(max_length=400, unique=True)
    name: str | None = Field(default=None, max_length=400)
    state: str | None = Field(default=None, max_length=40)
    # Its provider state is terminal (estate.inventory.records.WorkloadRecord.ended).
    ended: bool = Field(default=False, index=True, sa_column_kwargs={"server_default": false()})
    size: str | None = Field(default=None, max_length=100)
    launched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tags: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    # The strategy's outcomes, derived from the facts by estate.migration.outcomes (None where
    # the facts do not say), with why each holds or not.
    resilient: bool | None = Field(default=None, index=True)
    flexible: bool | None = Field(default=None, index=True)
    efficient: bool | None = Field(default=None, index=True)
    oversized: bool | None = Field(default=None, index=True)
    idle: bool | None = Field(default=None, index=True)
    outcome_evidence: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, sa_type=JSONType
    )
    cpu_p95: float | None = None
    # How many hourly figures `cpu_p95` is of: too few say too little to call it oversized.
    cpu_hours: int | None = None
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    migrated_from_server_id: int | None = Field(default=None, foreign_key="servers.id", index=True)
    status: EntityStatus = Field(
        default=EntityStatus.ACTIVE, sa_type=enum_type(EntityStatus), index=True
    )


# The list's sorts and filters not indexed by their own column (estate.models.base.sort_indexes).
WORKLOAD_SORT_INDEXES = ("name", "state", "launched_at", "updated_at")


class Workload(WorkloadBase, Tracked, table=True):
    __tablename__ = "workloads"
    __table_args__ = sort_indexes("workloads", *WORKLOAD_SORT_INDEXES)
    references: ClassVar[tuple[Reference, ...]] = (Reference("migrated_from_server"),)
    readings: ClassVar[tuple[Reading, ...]] = (
        Reading("cpu_p95", series=True),
        Reading("cpu_hours"),
    )

    id: int | None = Field(default=None, primary_key=True)
    migrated_from_server_ref: str | None = Field(default=None, max_length=255)


class WorkloadPublic(WorkloadBase):
    id: int
    missing_since: datetime | None
    created_at: datetime
    updated_at: datetime
