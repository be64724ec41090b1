"""End-user devices: the list (and its spreadsheet download), one device, a person's decisions
about one, its history, and the replacement forecast; the list and one device as at a past
day (`as_at`). Who holds a device is shown only to roles granted
personal data (`[access] personal_data_roles`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from api.auth import CurrentActor, CurrentPrincipal, Reader, personal_read
from api.deps import AsAt, SessionDep, SettingsDep
from api.errors import answers, problem
from api.export import EXPORT_RESPONSES, ExportFormat, export_rows
from api.schemas import Page
from estate.access.tokens import Principal
from estate.db.paging import MAX_ID, BadQuery, PageQuery
from estate.devices import store
from estate.devices.forecast import ForecastQuery
from estate.devices.forecast_at import ForecastAt, forecast_at
from estate.devices.split import SplitForecast, forecast_split
from estate.devices.store import UPDATE_NEEDS, DeviceUpdate
from estate.files import MONEY, Column
from estate.history.changes import PERSONAL_FIELDS
from estate.history.timeline import TimelineEntry, timeline
from estate.inventory import devices, kinds_at
from estate.inventory.devices import DeviceDetail, DevicePersonalDetail, DeviceQuery
from estate.models.device import DevicePersonal, DevicePublic
from estate.status import EntityKind, Permission

router = APIRouter(prefix="/devices", tags=["devices"])
forecast_router = APIRouter(prefix="/devices", tags=["devices"])
DeviceId = Annotated[int, Path(ge=1, le=MAX_ID)]

COLUMNS: list[tuple[str, str] | Column] = [
    ("asset_tag", "Asset tag"),
    ("serial", "Serial"),
    ("hostname", "Host name"),
    ("device_type", "Type"),
    ("manufacturer", "Manufacturer"),
    ("model", "Model"),
    ("os_name", "Operating system"),
    ("os_version", "OS version"),
    ("cpu_model", "Processor"),
    ("windows11_ready", "Windows 11 ready"),
    ("assigned_to", "Assigned to"),
    ("department", "Department"),
    ("site", "Site"),
    ("purchased_on", "Purchased"),
    Column("purchase_cost", "Purchase cost", MONEY),
    ("warranty_expires_on", "Warranty ends"),
    ("last_seen_at", "Last seen"),
    ("replacement_due_on", "Replacement due"),
    ("reasons", "Reasons"),
    ("replacement_explicit", "Date set by a person"),
    ("status", "Status"),
]


@router.get("", response_model=Page[DevicePersonal | DevicePublic], responses=EXPORT_RESPONSES)
def list_devices(
    request: Request,
    session: SessionDep,
    principal: Reader,
    actor: CurrentActor,
    moment: AsAt,
    query: Annotated[DeviceQuery, Query()],
    format: ExportFormat = ExportFormat.JSON,
) -> Any:
    """Devices; with `?format=csv|xlsx` every matching device as a spreadsheet download. A
    read or export that shows who holds the devices is an access event."""
    personal = principal.may(Permission.PERSONAL_DATA)
    if moment is not None:
        if format != ExportFormat.JSON:
            raise BadQuery("as_at", "a download is of today's devices; leave out as_at")
        then = kinds_at.list_devices_at(session, query, moment, personal)
        if personal and then.items:
            personal_read(session, principal, actor, len(then.items), "devices list as at")
        return Page.response(then)
    if format != ExportFormat.JSON:
        rows = devices.export_rows(request.app.state.engine, query, date.today(), personal)
        if personal:
            count = devices.count_devices(session, query, date.today())
            personal_read(session, principal, actor, count, f"devices export ({format})")
        columns = [c for c in COLUMNS if personal or c[0] not in PERSONAL_FIELDS]
        return export_rows(rows, columns, format, "devices", "Devices")
    page = devices.list_devices(session, query, date.today(), personal)
    if personal and page.items:
        personal_read(session, principal, actor, len(page.items), "devices list")
    return Page.response(page)


@forecast_router.get("/replacement-forecast", response_model=SplitForecast | ForecastAt)
def replacement_forecast(
    session: SessionDep,
    settings: SettingsDep,
    moment: AsAt,
    query: Annotated[ForecastQuery, Query()],
) -> SplitForecast:
    """Devices falling due and their replacement cost per UK financial year (April to March)
    and quarter, by department and type, and `split` as at `on`: overdue (due on or before
    that day, as the device list's `due=true`), the rest of this financial year, next, and
    later. Gone and disposed-of devices are left out. As at a day, counted from the devices as
    they stood then (`source` says from what)."""
    if moment is not None:
        return forecast_at(session, query.filter(session), settings.replacement, moment)
    return forecast_split(session, query.filter(session), settings.replacement, date.today())


@router.get(
    "/{device_id}", response_model=DevicePersonalDetail | DeviceDetail, responses=answers(404)
)
def get_device(
    session: SessionDep,
    principal: Reader,
    actor: CurrentActor,
    moment: AsAt,
    device_id: DeviceId,
) -> DevicePersonalDetail | DeviceDetail:
    """The device; as at a day, as it stood then."""
    personal = principal.may(Permission.PERSONAL_DATA)
    if moment is not None:
        detail = kinds_at.device_at(session, device_id, moment, personal)
    else:
        detail = devices.device_detail(session, device_id, personal)
    if detail is None:  # not `found`: mypy would join the two shapes into their base
        raise problem(404, f"no device with id {device_id}", ("path", "device_id"))
    if personal:
        personal_read(session, principal, actor, 1, f"device {device_id}")
    return detail


@router.get("/{device_id}/history", response_model=Page[TimelineEntry])
def device_history(
    session: SessionDep,
    principal: Reader,
    actor: CurrentActor,
    device_id: DeviceId,
    page: Annotated[PageQuery, Query()],
) -> Page[TimelineEntry]:
    """Every change of the device's fields and each source's sightings, newest first; who
    held it only with the personal-data grant (and never once it is disposed of)."""
    personal = principal.may(Permission.PERSONAL_DATA)
    found = timeline(session, EntityKind.DEVICE, device_id, page, personal=personal)
    if personal and found.items:
        personal_read(session, principal, actor, 1, f"device {device_id} history")
    return Page.of(found)


async def may_update_devices(principal: CurrentPrincipal) -> Principal:
    """The operation is authorised before its body is read: a role that may set none of a
    device's fields is refused whatever it sends, an empty body included."""
    if not any(principal.may(needed) for needed in UPDATE_NEEDS.values()):
        raise problem(403, f"the {principal.role} role may not change devices")
    return principal


@router.patch(
    "/{device_id}",
    response_model=DevicePersonalDetail | DeviceDetail,
    responses=answers(400, 403, 404, 413),
)
def update_device(
    session: SessionDep,
    settings: SettingsDep,
    principal: Annotated[Principal, Depends(may_update_devices)],
    actor: CurrentActor,
    body: DeviceUpdate,
    device_id: DeviceId,
) -> DevicePersonalDetail | DeviceDetail:
    for field in body.model_dump(exclude_unset=True):
        if not principal.may(UPDATE_NEEDS[field]):
            raise problem(403, f"the {principal.role} role may not set {field}", ("body", field))
    personal = principal.may(Permission.PERSONAL_DATA)
    found = store.update_device(
        session, settings.replacement, actor, device_id, body, date.today(), personal
    )
    session.commit()
    return found
