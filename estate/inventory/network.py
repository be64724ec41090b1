"""Network devices (switches, routers, Wi-Fi access points) as readers see them."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from estate.db import kept
from estate.db.paging import (
    Page,
    Search,
    SortedQuery,
    equal,
    site_id_filter,
    sort_by,
    sorted_page,
    text_search,
)
from estate.history.changes import history_of
from estate.inventory.observations import observations_of
from estate.inventory.sites import site_names
from estate.models import NetworkDevice
from estate.models.base import table_of
from estate.models.change import ChangePublic
from estate.models.network_device import NetworkDevicePublic
from estate.models.observation import ObservationPublic
from estate.status import EntityStatus, NetworkDeviceClass

NETWORK_DEVICE_SORTS = ("id", "name", "device_class", "location", "status", "updated_at")


class NetworkDeviceQuery(SortedQuery):
    """`GET /network-devices`."""

    sort: str | None = sort_by(NETWORK_DEVICE_SORTS)

    site: str | None = Field(default=None, description="Site id or name.")
    device_class: NetworkDeviceClass | None = None
    status: list[EntityStatus] | None = Field(default=None, description="One or more statuses.")
    q: Search = None


class NetworkDeviceDetail(NetworkDevicePublic):
    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []


def list_network_devices(session: Session, query: NetworkDeviceQuery) -> Page:
    """A page of network devices (kept: estate.db.kept)."""
    key = ("network-devices", query.model_dump_json())
    return kept.page(session, key, lambda: _list_network_devices(session, query))


def _list_network_devices(session: Session, query: NetworkDeviceQuery) -> Page:
    found = select(NetworkDevice).where(
        *network_device_filters(session, query, table_of(NetworkDevice).c)
    )
    page = sorted_page(session, found, NetworkDevice, query, NETWORK_DEVICE_SORTS)
    sites = site_names(session, {d.site_id for d in page.items})
    return page.with_items([public(d, sites) for d in page.items])


def network_device_filters(session: Session, query: NetworkDeviceQuery, table: Any) -> list[Any]:
    """The query's conditions on the network devices table or the same as at a day."""
    given = (
        equal(table.site_id, site_id_filter(session, query.site)),
        equal(table.device_class, query.device_class),
        table.status.in_(query.status) if query.status else None,
        text_search(query.q, table.name, table.serial, table.sys_descr),
    )
    return [condition for condition in given if condition is not None]


def public(device: NetworkDevice, sites: dict[int, str]) -> NetworkDevicePublic:
    site = sites.get(device.site_id) if device.site_id else None
    return NetworkDevicePublic.model_validate(device, update={"site": site})


def network_device_detail(session: Session, device_id: int) -> NetworkDeviceDetail | None:
    device = session.get(NetworkDevice, device_id)
    if device is None:
        return None
    return NetworkDeviceDetail.model_validate(
        public(device, site_names(session, {device.site_id})).model_dump()
        | {
            "observations": observations_of(session, "network_device", device_id),
            "changes": history_of(session, "network_device", device_id),
        }
    )
