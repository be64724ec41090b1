"""Response shapes that combine estate's public models: pages and detail views."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

from estate.migration import Explanation
from estate.models.change import ChangePublic
from estate.models.device import DevicePersonal, DevicePublic
from estate.models.network_device import NetworkDevicePublic
from estate.models.observation import ObservationPublic
from estate.models.server import ServerPublic
from estate.models.workload import WorkloadPublic

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ServerRef(BaseModel):
    id: int
    hostname: str | None


class ServerDetail(ServerPublic):
    host: ServerRef | None = None
    workloads: list[WorkloadPublic] = []
    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []
    # Why the server has its migration status, derived now from the facts.
    migration: Explanation | None = None


class DeviceDetail(DevicePublic):
    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []


class DevicePersonalDetail(DevicePersonal):
    """For readers granted personal data: adds who holds the device."""

    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []


class WorkloadDetail(WorkloadPublic):
    migrated_from_server: ServerRef | None = None
    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []


class NetworkDeviceDetail(NetworkDevicePublic):
    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []
