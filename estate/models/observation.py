from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from estate.models.base import JSONType, UTCDateTime


class Observation(SQLModel, table=True):
    """One source's view of one thing, linked to the entity reconciliation chose for it."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_observations_source_external_id"),
        Index("ix_observations_entity", "entity_kind", "entity_id"),
        Index("ix_observations_source_scope", "source", "scope"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100)
    source_kind: str = Field(max_length=40)
    external_id: str = Field(max_length=400)
    scope: str = Field(max_length=400)
    entity_kind: str = Field(max_length=20)
    entity_id: int | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    # The digest of the attributes: what the source says of the thing, readings left out.
    digest: str = Field(max_length=40)
    # The latest readings the source gave (estate.models.base.Reading), apart from the
    # attributes so that a new power draw or sync time is not a change of the thing.
    readings: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    first_seen: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_seen: datetime = Field(sa_type=UTCDateTime, nullable=False)
    missing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_run_id: int | None = None


class ObservationPublic(SQLModel):
    source: str
    source_kind: str
    external_id: str
    scope: str
    first_seen: datetime
    last_seen: datetime
    missing_since: datetime | None


class ReadingDay(SQLModel, table=True):
    """One entity's reading on one day, kept where a history is useful (Reading.series): the
    latest value of the day, its lowest and highest, and how many times it moved that day."""

    __tablename__ = "readings"
    __table_args__ = (
        UniqueConstraint("entity_kind", "entity_id", "name", "day", name="uq_readings_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity_kind: str = Field(max_length=20)
    entity_id: int
    name: str = Field(max_length=60)
    day: date
    value: float
    low: float
    high: float
    samples: int = 1
