"""Devices, network devices and workloads as at a past day: the live lists' filters, sort and
page (estate.inventory.devices, .network, .workloads) run on the entities rebuilt from the
change log (estate.history.as_at). Who held a device stays personal data: shown only with the
grant, and a disposed device's holder is erased from its history, so it is blank here too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, select
from sqlalchemy.orm import Session

from estate.db.paging import Page, fields_of
from estate.history.as_at import Moment, rebuilt
from estate.inventory import devices, network, workloads
from estate.inventory.as_at import (
    changes_before,
    observations_at,
    page_at,
    scanned_facts,
    servers_at,
)
from estate.inventory.sites import site_names
from estate.models import Device, NetworkDevice, Workload
from estate.models.server import ServerRef
from estate.models.workload import WorkloadPublic
from estate.status import EntityKind


def entities_at(session: Session, model: type[Any], kind: str, moment: Moment) -> Subquery:
    """The model's table as it stood at the moment (estate.history.as_at.rebuilt)."""
    return rebuilt(session, model, kind, moment, scanned_facts(kind))


def _one(session: Session, table: Subquery, model: type[Any], entity_id: int) -> Any:
    row = session.execute(select(table).where(table.c.id == entity_id)).first()
    return None if row is None else model(**row._mapping)


def list_devices_at(
    session: Session, query: devices.DeviceQuery, moment: Moment, personal: bool
) -> Page:
    """`GET /devices?as_at=`: due for replacement is judged on that day."""

    def filters(table: Any) -> list[Any]:
        return devices.device_filters(session, query, moment.day, table)

    kind = EntityKind.DEVICE
    page = page_at(session, Device, kind, moment, filters, query, devices.DEVICE_SORTS)
    sites = site_names(session, {d.site_id for d in page.items})
    return page.with_items([devices.public(d, sites, personal) for d in page.items])


def device_at(
    session: Session, device_id: int, moment: Moment, personal: bool
) -> devices.DevicePersonalDetail | devices.DeviceDetail | None:
    device = _one(
        session, entities_at(session, Device, EntityKind.DEVICE, moment), Device, device_id
    )
    if device is None:
        return None
    shape = devices.DevicePersonalDetail if personal else devices.DeviceDetail
    return shape.model_validate(
        devices.public(device, site_names(session, {device.site_id}), personal).model_dump()
        | {
            "observations": observations_at(session, EntityKind.DEVICE, device_id, moment),
            "changes": changes_before(
                session, EntityKind.DEVICE, device_id, moment, personal=personal
            ),
        }
    )


def list_network_devices_at(
    session: Session, query: network.NetworkDeviceQuery, moment: Moment
) -> Page:
    def filters(table: Any) -> list[Any]:
        return network.network_device_filters(session, query, table)

    kind, sorts = EntityKind.NETWORK_DEVICE, network.NETWORK_DEVICE_SORTS
    page = page_at(session, NetworkDevice, kind, moment, filters, query, sorts)
    sites = site_names(session, {d.site_id for d in page.items})
    shown = [network.public(NetworkDevice(**d._mapping), sites) for d in page.items]
    return page.with_items(shown)


def network_device_at(
    session: Session, device_id: int, moment: Moment
) -> network.NetworkDeviceDetail | None:
    kind = EntityKind.NETWORK_DEVICE
    device = _one(
        session, entities_at(session, NetworkDevice, kind, moment), NetworkDevice, device_id
    )
    if device is None:
        return None
    return network.NetworkDeviceDetail.model_validate(
        network.public(device, site_names(session, {device.site_id})).model_dump()
        | {
            "observations": observations_at(session, kind, device_id, moment),
            "changes": changes_before(session, kind, device_id, moment),
        }
    )


def list_workloads_at(session: Session, query: workloads.WorkloadQuery, moment: Moment) -> Page:
    """`GET /workloads?as_at=`: the origin filters look at the servers as they stood then."""
    then = servers_at(session, moment)

    def filters(table: Any) -> list[Any]:
        return workloads.workload_filters(session, query, table, then.c)

    kind, sorts = EntityKind.WORKLOAD, workloads.WORKLOAD_SORTS
    page = page_at(session, Workload, kind, moment, filters, query, sorts)
    return page.with_items([WorkloadPublic.model_validate(fields_of(w)) for w in page.items])


def workload_at(
    session: Session, workload_id: int, moment: Moment
) -> workloads.WorkloadDetail | None:
    kind = EntityKind.WORKLOAD
    workload = _one(session, entities_at(session, Workload, kind, moment), Workload, workload_id)
    if workload is None:
        return None
    origin_id = workload.migrated_from_server_id
    origin = _one(session, servers_at(session, moment), dict, origin_id) if origin_id else None
    return workloads.WorkloadDetail.model_validate(
        WorkloadPublic.model_validate(workload).model_dump()
        | {
            "migrated_from_server": ServerRef(id=origin["id"], hostname=origin["hostname"])
            if origin
            else None,
            "observations": observations_at(session, kind, workload_id, moment),
            "changes": changes_before(session, kind, workload_id, moment),
        }
    )
