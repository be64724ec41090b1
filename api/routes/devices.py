from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from api.auth import Reader
from api.deps import Limit, Offset, Search, SessionDep, Sort
from api.schemas import DeviceDetail, DevicePersonalDetail, Page
from estate import inventory
from estate.access import Principal
from estate.models import Device
from estate.models.change import ChangePublic
from estate.models.device import DevicePersonal, DevicePublic
from estate.models.observation import ObservationPublic
from estate.models.status import DeviceType, EntityStatus, Permission

router = APIRouter(prefix="/devices", tags=["devices"])

# Who holds a device is personal data (UK GDPR): its history is hidden like the field itself.
PERSONAL = {"assigned_to"}


def public(device: Device, sites: dict[int, str], principal: Principal) -> DevicePublic:
    """The device as this caller may see it: with who holds it only if granted personal data."""
    site = sites.get(device.site_id) if device.site_id else None
    shape = DevicePersonal if principal.may(Permission.PERSONAL_DATA) else DevicePublic
    return shape.model_validate(device, update={"site": site})


@router.get("", response_model=Page[DevicePersonal | DevicePublic])
def list_devices(
    session: SessionDep,
    principal: Reader,
    site: Annotated[str | None, Query(description="Site id or name.")] = None,
    status: EntityStatus | None = None,
    device_type: DeviceType | None = None,
    os: Annotated[
        str | None, Query(description="Operating system name or version contains.")
    ] = None,
    department: str | None = None,
    q: Search = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DevicePersonal | DevicePublic]:
    page = inventory.list_devices(
        session,
        site=site,
        status=status,
        device_type=device_type,
        os=os,
        department=department,
        q=q,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    sites = inventory.site_names(session, {d.site_id for d in page.items})
    return Page(
        items=[public(d, sites, principal) for d in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/{device_id}", response_model=DevicePersonalDetail | DeviceDetail)
def get_device(
    session: SessionDep, principal: Reader, device_id: Annotated[int, Path(ge=1)]
) -> DevicePersonalDetail | DeviceDetail:
    device = inventory.get(session, Device, device_id)
    if device is None:
        raise HTTPException(404, f"no device with id {device_id}")
    sites = inventory.site_names(session, {device.site_id})
    shape = DevicePersonalDetail if principal.may(Permission.PERSONAL_DATA) else DeviceDetail
    return shape.model_validate(
        public(device, sites, principal).model_dump()
        | {
            "observations": [
                ObservationPublic.model_validate(o)
                for o in inventory.observations_of(session, "device", device_id)
            ],
            "changes": [
                ChangePublic.model_validate(c)
                for c in inventory.history_of(session, "device", device_id)
                if c.field not in PERSONAL or principal.may(Permission.PERSONAL_DATA)
            ],
        }
    )
