from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from estate.models.base import SITE, Reference, Tracked, enum_type
from estate.status import EntityStatus


class NetworkDeviceBase(SQLModel):
    name: str | None = Field(default=None, max_length=255)
    sys_descr: str | None = None
    sys_object_id: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=255)
    serial: str | None = Field(default=None, max_length=100)
    interface_count: int | None = None
    device_class: str | None = Field(default=None, max_length=30, index=True)
    management_address: str | None = Field(default=None, max_length=100)
    site_id: int | None = Field(default=None, foreign_key="sites.id", index=True)
    status: EntityStatus = Field(
        default=EntityStatus.ACTIVE, sa_type=enum_type(EntityStatus), index=True
    )


class NetworkDevice(NetworkDeviceBase, Tracked, table=True):
    __tablename__ = "network_devices"
    references: ClassVar[tuple[Reference, ...]] = (SITE,)
    __table_args__ = (
        Index("ix_network_devices_serial_key", "serial_key"),
        Index("ix_network_devices_name_key", "name_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    serial_key: str | None = Field(default=None, max_length=100)
    name_key: str | None = Field(default=None, max_length=255)


class NetworkDevicePublic(NetworkDeviceBase):
    id: int
    site: str | None = None
    missing_since: datetime | None
    created_at: datetime
    updated_at: datetime
