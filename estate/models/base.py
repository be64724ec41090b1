"""Column helpers shared by the tables: timezone-aware UTC timestamps and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, Index, Table, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


@dataclass(frozen=True)
class Reference:
    """A record field that names another row instead of holding a value: a server's site by
    name, a VM's host or a workload's origin by serial, FQDN or host name. The row's id goes in
    `link`; where the row may only arrive on a later run, what the source said is kept in
    `given` (`<field>_ref`) so ingest can resolve it then (estate.inventory.links). The field
    keeps its name everywhere else: in the change history and in the API."""

    field: str
    physical_only: bool = False
    deferred: bool = True

    @property
    def link(self) -> str:
        return f"{self.field}_id"

    @property
    def given(self) -> str | None:
        return f"{self.field}_ref" if self.deferred else None

    @property
    def column(self) -> str:
        """Where ingest writes the record's value: what was given, or the id looked up now."""
        return self.given or self.link


# Every entity's site is named in its records and looked up (created if new) at ingest.
SITE = Reference("site", deferred=False)


@dataclass(frozen=True)
class Reading:
    """A field that moves on every scan without the thing changing (a power draw, a last sync
    time): kept as the latest value, with no change row; `series` keeps a compact daily
    history of it (the `readings` table) where one is useful."""

    field: str
    series: bool = False


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as UTC; SQLite hands back naive values, so they are made aware on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; estate stores timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def timestamp(*, index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, index=index, nullable=nullable)


def created_timestamp(*, index: bool = False) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=index)


class Tracked(SQLModel):
    """What every inventory table keeps of its rows: since when no source has seen one (None
    while one does), and when it was first and last written."""

    missing_since: datetime | None = timestamp()
    # Indexed: a list as at a day counts the rows made by then (estate.history.as_at).
    created_at: datetime = created_timestamp(index=True)
    updated_at: datetime = created_timestamp()


def enum_type(enum_cls: type[StrEnum]) -> Enum:
    """A StrEnum stored as its value in a VARCHAR: no native types to migrate on PostgreSQL."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=max(len(member.value) for member in enum_cls),
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class, typed for bulk statements."""
    return model.__table__  # type: ignore[attr-defined]


def sort_indexes(table: str, *columns: str) -> tuple[Index, ...]:
    """An index on (column, id) for each column a list sorts by: the first page in that order,
    and each keyset page after it, is then read from the index (migration 0022). Columns a scan
    rewrites every run (readings such as last_seen_at) are left out on purpose: an index on
    one would make every sighting's UPDATE write each of the table's indexes."""
    return tuple(Index(f"ix_{table}_{column}_id", column, "id") for column in columns)
