"""Switches, routers and Wi-Fi access points and controllers, as SNMP sees them; the list
and one device as at a past day (`as_at`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import AsAt, SessionDep, found
from api.errors import answers
from api.schemas import Page
from estate.db.paging import MAX_ID
from estate.inventory import kinds_at, network
from estate.inventory.network import NetworkDeviceDetail, NetworkDeviceQuery
from estate.models.network_device import NetworkDevicePublic

router = APIRouter(prefix="/network-devices", tags=["network devices"])


@router.get("", response_model=Page[NetworkDevicePublic])
def list_network_devices(
    session: SessionDep, moment: AsAt, query: Annotated[NetworkDeviceQuery, Query()]
) -> Page[NetworkDevicePublic]:
    if moment is not None:
        return Page.of(kinds_at.list_network_devices_at(session, query, moment))
    return Page.of(network.list_network_devices(session, query))


@router.get("/{device_id}", response_model=NetworkDeviceDetail, responses=answers(404))
def get_network_device(
    session: SessionDep, moment: AsAt, device_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> NetworkDeviceDetail:
    """The network device; as at a day, as it stood then."""
    missing = f"no network device with id {device_id}"
    if moment is not None:
        return found(kinds_at.network_device_at(session, device_id, moment), missing, "device_id")
    return found(network.network_device_detail(session, device_id), missing, "device_id")
