from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select
from sqlmodel import Session

from api.auth import CurrentActor, CurrentPrincipal, Reader
from api.deps import Limit, Offset, Search, SessionDep, SettingsDep, Sort
from api.export import EXPORT_RESPONSES, ExportFormat, export_rows
from api.schemas import DeviceDetail, DevicePersonalDetail, Page
from estate import inventory
from estate.access import Principal
from estate.audit import record_changes
from estate.inventory import MAX_ID
from estate.models import Device, Site
from estate.models.change import ChangePublic
from estate.models.device import DevicePersonal, DevicePublic
from estate.models.observation import ObservationPublic
from estate.models.status import DeviceType, EntityStatus, Permission
from estate.replacement import dispose_devices, set_override
from estate.replacement.forecast import DeviceFilter, Forecast, forecast
from estate.replacement.policy import Policy

router = APIRouter(prefix="/devices", tags=["devices"])
forecast_router = APIRouter(prefix="/devices", tags=["devices"])


class DeviceUpdate(BaseModel):
    """A person's decisions about a device: a replacement date that beats the policy's (null
    clears it; needs edit-inventory), and its disposal (needs decommission), which also
    forgets who held it."""

    model_config = ConfigDict(extra="forbid")

    replacement_override_on: date | None = None
    disposed_on: date | None = None


Rule = Literal[
    "override", "lifespan", "warranty", "os-end-of-support", "windows-11-hardware", "stale"
]

# Who holds a device is personal data (UK GDPR): its history is hidden like the field itself.
PERSONAL = {"assigned_to"}


def public(device: Device, sites: dict[int, str], principal: Principal) -> DevicePublic:
    """The device as this caller may see it: with who holds it only if granted personal data."""
    site = sites.get(device.site_id) if device.site_id else None
    shape = DevicePersonal if principal.may(Permission.PERSONAL_DATA) else DevicePublic
    return shape.model_validate(device, update={"site": site})


@router.get("", response_model=Page[DevicePersonal | DevicePublic], responses=EXPORT_RESPONSES)
def list_devices(
    request: Request,
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
    due: Annotated[
        bool | None, Query(description="Due for replacement now (on or before today), or not.")
    ] = None,
    due_from: Annotated[date | None, Query(description="Replacement due on or after.")] = None,
    due_before: Annotated[date | None, Query(description="Replacement due before.")] = None,
    reason: Annotated[Rule | None, Query(description="A rule among its reasons.")] = None,
    disposed: bool | None = None,
    format: ExportFormat = ExportFormat.JSON,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Devices; with `?format=csv|xlsx` every matching device as a spreadsheet download."""
    filters = inventory.DeviceQuery(
        site=site,
        status=status,
        device_type=device_type,
        os=os,
        department=department,
        q=q,
        due=due,
        due_from=due_from,
        due_before=due_before,
        reason=reason,
        disposed=disposed,
    )
    today = date.today()
    if format != ExportFormat.JSON:
        query = inventory.devices_query(session, filters, today)
        query = query.order_by(*inventory.order_by(Device, sort, inventory.DEVICE_SORTS))
        rows = _export_rows(request.app.state.engine, query, principal)
        return export_rows(rows, _columns(principal), format, "devices")
    page = inventory.list_devices(session, filters, today, sort=sort, limit=limit, offset=offset)
    sites = inventory.site_names(session, {d.site_id for d in page.items})
    return Page(
        items=[public(d, sites, principal) for d in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


_COLUMNS = [
    ("asset_tag", "Asset tag"),
    ("serial", "Serial"),
    ("hostname", "Host name"),
    ("device_type", "Type"),
    ("manufacturer", "Manufacturer"),
    ("model", "Model"),
    ("os_name", "Operating system"),
    ("os_version", "OS version"),
    ("assigned_to", "Assigned to"),
    ("department", "Department"),
    ("site", "Site"),
    ("purchased_on", "Purchased"),
    ("purchase_cost", "Purchase cost (GBP)"),
    ("warranty_expires_on", "Warranty ends"),
    ("last_seen_at", "Last seen"),
    ("replacement_due_on", "Replacement due"),
    ("reasons", "Reasons"),
    ("replacement_explicit", "Date set by a person"),
    ("status", "Status"),
]


def _columns(principal: Principal) -> list[tuple[str, str]]:
    if principal.may(Permission.PERSONAL_DATA):
        return _COLUMNS
    return [c for c in _COLUMNS if c[0] not in PERSONAL]


def _export_rows(engine: Engine, query: Any, principal: Principal) -> Iterator[dict[str, Any]]:
    """Every matching device, read in batches on a session of its own that lives as long as
    the download streams."""
    with Session(engine) as session:
        sites = {site.id: site.name for site in session.execute(select(Site)).scalars()}
        for device in session.execute(query.execution_options(yield_per=1000)).scalars():
            row = public(device, sites, principal).model_dump()
            row["reasons"] = [r["detail"] for r in row.get("replacement_reasons") or []]
            yield row


@forecast_router.get("/replacement-forecast", response_model=Forecast)
def replacement_forecast(
    session: SessionDep,
    settings: SettingsDep,
    department: str | None = None,
    device_type: DeviceType | None = None,
    site: Annotated[str | None, Query(description="Site id or name.")] = None,
    due_from: Annotated[date | None, Query(description="Due on or after.")] = None,
    due_before: Annotated[date | None, Query(description="Due before.")] = None,
) -> Forecast:
    """Devices falling due and their replacement cost per UK financial year (April to March)
    and quarter, by department and type. Gone and disposed-of devices are left out."""
    filters = DeviceFilter(
        department=department,
        device_type=device_type,
        site_id=inventory.site_id_filter(session, site),
        due_from=due_from,
        due_to=due_before - timedelta(days=1) if due_before else None,
    )
    return forecast(session, filters, settings.replacement)


@router.get("/{device_id}", response_model=DevicePersonalDetail | DeviceDetail)
def get_device(
    session: SessionDep, principal: Reader, device_id: Annotated[int, Path(ge=1, le=MAX_ID)]
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


@router.patch("/{device_id}", response_model=DevicePersonalDetail | DeviceDetail)
def update_device(
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    actor: CurrentActor,
    body: DeviceUpdate,
    device_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> DevicePersonalDetail | DeviceDetail:
    wanted = body.model_dump(exclude_unset=True)
    needs = {
        "replacement_override_on": Permission.EDIT_INVENTORY,
        "disposed_on": Permission.DECOMMISSION,
    }
    for field in wanted:
        if not principal.may(needs[field]):
            raise HTTPException(403, f"the {principal.role} role may not set {field}")
    device = inventory.get(session, Device, device_id)
    if device is None:
        raise HTTPException(404, f"no device with id {device_id}")
    if device.disposed_on is not None and "disposed_on" in wanted and wanted["disposed_on"] is None:
        raise HTTPException(422, "a disposal cannot be undone")
    before = {field: getattr(device, field) for field in wanted}
    policy = Policy.from_settings(settings.replacement)
    if "replacement_override_on" in wanted:
        set_override(session, [device_id], wanted["replacement_override_on"], policy, date.today())
    if wanted.get("disposed_on") is not None:
        dispose_devices(session, [device_id], wanted["disposed_on"], policy, date.today())
    session.refresh(device)
    after = {field: getattr(device, field) for field in before}
    record_changes(session, actor, "device", device_id, before, after)
    session.commit()
    return get_device(session, principal, device_id)
