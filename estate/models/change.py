from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from estate.models.base import JSONType, UTCDateTime, enum_type, utcnow
from estate.status import ChangeCause


class ChangeBase(SQLModel):
    entity_kind: str = Field(max_length=20)
    entity_id: int
    field: str = Field(max_length=60)
    old: Any = Field(default=None, sa_type=JSONType, nullable=True)
    new: Any = Field(default=None, sa_type=JSONType, nullable=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    cause: ChangeCause = Field(sa_type=enum_type(ChangeCause))
    scan_run_id: int | None = Field(default=None, foreign_key="scan_runs.id", index=True)
    actor: str | None = Field(default=None, max_length=200, index=True)
    request_id: str | None = Field(default=None, max_length=64, index=True)


class Change(ChangeBase, table=True):
    __tablename__ = "changes"
    # The reads as at a day (estate.history.as_at): a kind's changes after the day, field by
    # field; one entity's in time order.
    __table_args__ = (
        Index("ix_changes_kind_field_at", "entity_kind", "field", "at"),
        Index("ix_changes_entity_at", "entity_kind", "entity_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)


class ChangePublic(ChangeBase):
    id: int
