"""The devices page: what a capital assets team acts on. The devices due now (the API's
`GET /devices?due=true`, so its headline is that list's total), the forecast split into overdue,
the rest of this financial year, next and later, a page of the devices due with why, and the
forecast's long tables folded away.

Reads the same estate functions as the API's routes, on the same day (`date.today()`, as the
device list judges `due`), so every figure is the API's. Who holds a device is never shown here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.deps import SessionDep
from api.web import charts
from api.web.params import Problems, as_at_of, choice, offset_of
from api.web.session import User, settings_of
from api.web.templating import render, started
from estate.devices.forecast import DeviceFilter, Forecast
from estate.devices.forecast_at import forecast_at
from estate.devices.processors import shipped_lists
from estate.devices.split import SplitForecast, forecast_split
from estate.inventory.devices import DeviceQuery, list_devices
from estate.inventory.kinds_at import list_devices_at
from estate.status import DeviceType

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
# 12 a page keeps the page within about three screens on the demo (15 made it 2,870 px, each
# row three lines of reasons once Windows 11 readiness joined them).
DUE_PER_PAGE = 12
Text = Annotated[str | None, Query()]


def by_year_and_department(result: Forecast) -> list[dict[str, object]]:
    """The forecast's quarter-by-type rows summed per financial year and department."""
    sums: dict[tuple[str, str | None], list[float]] = defaultdict(lambda: [0, 0.0, 0])
    for row in result.rows:
        totals = sums[(row.financial_year, row.department)]
        totals[0] += row.count
        totals[1] += row.cost
        totals[2] += row.uncosted
    ordered = sorted(sums.items(), key=lambda i: (i[0][0], i[0][1] is None, i[0][1] or ""))
    return [
        {"year": year, "department": department, "count": int(n), "cost": cost, "uncosted": int(u)}
        for (year, department), (n, cost, u) in ordered
    ]


def due_query(department: str | None, kind: DeviceType | None, offset: int) -> DeviceQuery:
    """The API's `GET /devices?due=true` with the page's filters: longest overdue first, the id
    breaking ties (order_by adds it), so the pages never shuffle."""
    return DeviceQuery(
        due=True,
        department=department,
        device_type=kind,
        sort="replacement_due_on",
        limit=DUE_PER_PAGE,
        offset=offset,
    )


@router.get("/devices")
def devices_page(
    request: Request,
    session: SessionDep,
    user: User,
    department: Text = None,
    device_type: Text = None,
    offset: Text = None,
    as_at: Text = None,
) -> Response:
    problems = Problems()
    settings = settings_of(request)
    moment = as_at_of(as_at, settings, problems)
    kind = choice(device_type, DeviceType, "device_type", problems)
    start = offset_of(offset, "offset", problems)
    wanted = (department or "").strip() or None
    today = date.today()
    filters = DeviceFilter(department=wanted, device_type=kind)
    policy = settings.replacement
    if moment is None:
        result: SplitForecast = forecast_split(session, filters, policy, today)
        due = list_devices(session, due_query(wanted, kind, start), today, personal=False)
    else:
        result = forecast_at(session, filters, policy, moment)
        due = list_devices_at(session, due_query(wanted, kind, start), moment, personal=False)
    lines = result.split.lines()
    context = {
        "title": "Devices due for replacement",
        "section": "/devices",
        "forecast": result,
        "lines": lines,
        # In £ thousands: a council's millions do not fit the axis's labels.
        "split_chart": charts.bar_chart([s.label for s in lines], [s.cost / 1000 for s in lines]),
        "cost_chart": charts.bar_chart(
            [y.financial_year for y in result.years], [y.cost / 1000 for y in result.years]
        ),
        "rows": by_year_and_department(result),
        "processor_lists": min(p.as_of for p in shipped_lists()),
        "due": due.items,
        "due_total": due.total,
        "offset": start,
        "per_page": DUE_PER_PAGE,
        "department": wanted or "",
        "device_type": kind.value if kind else "",
        "device_types": list(DeviceType),
        "as_at": moment.day if moment else None,
        # What the pages of devices due keep: the filters, and the day where one is asked.
        "keep": {"department": wanted or "", "device_type": kind.value if kind else ""}
        | ({"as_at": moment.day.isoformat()} if moment else {}),
        "today": settings.today(),
        "errors": problems.errors,
    }
    return render(request, "devices.html", context, user=user, status_code=problems.status)
