"""Kept aggregates: migration progress counts now and per day, and hosting figures per site
and day. Rebuilt by estate.migration.refresh (after each scan and each write) so reads sum a
few hundred rows instead of grouping every server on each request."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from estate.models.base import UTCDateTime, enum_type
from estate.status import MigrationStatus


class StatusCount(SQLModel):
    """Servers in one migration status within one group: dimension all (key None), wave (wave
    id), strategy (its value), application (application id) or site (site id); key None is
    'not set'."""

    dimension: str = Field(max_length=20)
    key: str | None = Field(default=None, max_length=40)
    status: MigrationStatus = Field(sa_type=enum_type(MigrationStatus))
    servers: int


class ProgressCount(StatusCount, table=True):
    """The counts now, every group's."""

    __tablename__ = "progress_counts"
    __table_args__ = (Index("ix_progress_counts_group", "dimension", "key"),)

    id: int | None = Field(default=None, primary_key=True)


class ProgressApplications(SQLModel, table=True):
    """Applications with servers in a group, and those whose servers there are all migrated."""

    __tablename__ = "progress_applications"
    __table_args__ = (Index("ix_progress_applications_group", "dimension", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    dimension: str = Field(max_length=20)
    key: str | None = Field(default=None, max_length=40)
    applications: int
    migrated: int


class ProgressSnapshot(StatusCount, table=True):
    """A day's counts, overall (dimension all), per wave (the burn-down) and per site (the
    exit forecast)."""

    __tablename__ = "progress_snapshots"
    __table_args__ = (Index("ix_progress_snapshots_day", "day", "dimension", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date


class SiteMeasures(SQLModel):
    """What a site hosts (or how that changed): a day's kept row, and the API's figures."""

    servers: int
    physical_servers: int
    virtual_servers: int
    physical_hosts: int
    racks: int
    rack_units: int
    watts: float
    # None where no network device at the site is known, so "none" and "unknown" differ.
    access_points: int | None


class HostingFigures(SiteMeasures, table=True):
    """What a site hosted on a day (the latest refresh of that day wins)."""

    __tablename__ = "hosting_figures"
    __table_args__ = (Index("ix_hosting_figures_site_day", "site_id", "day", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    site_id: int = Field(foreign_key="sites.id")


class AggregateState(SQLModel, table=True):
    """One row per kept aggregate: a new version on every rebuild, so API replicas can cache
    what they serve and know when it is stale."""

    __tablename__ = "aggregate_state"

    name: str = Field(max_length=40, primary_key=True)
    version: str = Field(max_length=32)
    refreshed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
