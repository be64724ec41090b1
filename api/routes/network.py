"""Switches, routers and Wi-Fi access points and controllers, as SNMP sees them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import SessionDep, found
from api.errors import answers
from api.schemas import Page
from estate.db.paging import MAX_ID
from estate.inventory import network
from estate.inventory.network import NetworkDeviceDetail, NetworkDeviceQuery
from estate.models.network_device import NetworkDevicePublic

router = APIRouter(prefix="/network-devices", tags=["network devices"])


@router.get("", response_model=Page[NetworkDevicePublic])
def list_network_devices(
    session: SessionDep, query: Annotated[NetworkDeviceQuery, Query()]
) -> Page[NetworkDevicePublic]:
    return Page.of(network.list_network_devices(session, query))


@router.get("/{device_id}", response_model=NetworkDeviceDetail, responses=answers(404))
def get_network_device(
    session: SessionDep, device_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> NetworkDeviceDetail:
    return found(
        network.network_device_detail(session, device_id),
        f"no network device with id {device_id}",
        "device_id",
    )
