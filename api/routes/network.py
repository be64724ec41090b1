"""Switches, routers and Wi-Fi access points and controllers, as SNMP sees them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from api.deps import Limit, Offset, Search, SessionDep, Sort
from api.schemas import NetworkDeviceDetail, Page
from estate import inventory
from estate.inventory import MAX_ID
from estate.models import NetworkDevice
from estate.models.change import ChangePublic
from estate.models.network_device import NetworkDevicePublic
from estate.models.observation import ObservationPublic
from estate.models.status import EntityStatus

router = APIRouter(prefix="/network-devices", tags=["network devices"])

DeviceClass = Literal["switch", "router", "wireless-ap", "wireless-controller", "other"]


def public(device: NetworkDevice, sites: dict[int, str]) -> NetworkDevicePublic:
    site = sites.get(device.site_id) if device.site_id else None
    return NetworkDevicePublic.model_validate(device, update={"site": site})


@router.get("", response_model=Page[NetworkDevicePublic])
def list_network_devices(
    session: SessionDep,
    site: Annotated[str | None, Query(description="Site id or name.")] = None,
    device_class: DeviceClass | None = None,
    status: EntityStatus | None = None,
    q: Search = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[NetworkDevicePublic]:
    page = inventory.list_network_devices(
        session,
        site=site,
        device_class=device_class,
        status=status,
        q=q,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    sites = inventory.site_names(session, {d.site_id for d in page.items})
    items = [public(d, sites) for d in page.items]
    return Page(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/{device_id}", response_model=NetworkDeviceDetail)
def get_network_device(
    session: SessionDep, device_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> NetworkDeviceDetail:
    device = inventory.get(session, NetworkDevice, device_id)
    if device is None:
        raise HTTPException(404, f"no network device with id {device_id}")
    sites = inventory.site_names(session, {device.site_id})
    observations = inventory.observations_of(session, "network_device", device_id)
    changes = inventory.history_of(session, "network_device", device_id)
    return NetworkDeviceDetail.model_validate(
        public(device, sites).model_dump()
        | {
            "observations": [ObservationPublic.model_validate(o) for o in observations],
            "changes": [ChangePublic.model_validate(c) for c in changes],
        }
    )
