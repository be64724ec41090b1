"""The read-only pages: migration progress and hosting per site (devices: api.web.devices).

Each reads the same estate functions as its API route, so the figures are the API's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.web import charts
from api.web.params import Problems, as_at_of, offset_of
from api.web.session import User, settings_of
from api.web.templating import render, started
from estate.config import Settings
from estate.history.as_at import Moment
from estate.inventory.servers import ServerQuery, list_servers
from estate.inventory.sites import all_sites
from estate.migration import applications, forecast, hosting, progress
from estate.migration.applications import ApplicationQuery
from estate.migration.as_at import hosting_at, progress_at, site_forecast_at
from estate.models import Site
from estate.status import EntityStatus, ServerKind

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
APPLICATIONS_PER_PAGE = 50
SMALLER_SHOWN = 50
Text = Annotated[str | None, Query()]


@router.get("/")
def home() -> Response:
    return RedirectResponse("/migration", status_code=303)


@router.get("/migration")
def migration_page(
    request: Request,
    session: SessionDep,
    user: User,
    apps_offset: Text = None,
    as_at: Text = None,
) -> Response:
    problems = Problems()
    offset = offset_of(apps_offset, "apps_offset", problems)
    settings = settings_of(request)
    moment = as_at_of(as_at, settings, problems)
    kept = progress.read(session) if moment is None else progress_at(session, moment)
    days = progress.history(session, None, moment.day if moment else None)
    burn_down = charts.line_chart(
        [f"{d.day:%d %b}" for d in days],
        [
            ("Still to migrate", [d.remaining for d in days]),
            ("Migrated", [d.migrated for d in days]),
        ],
    )
    page = applications.list_applications(
        session, ApplicationQuery(sort="name", limit=APPLICATIONS_PER_PAGE, offset=offset)
    )
    below = settings.outcomes.oversized_below_percent
    smaller = list_servers(session, _smaller_query(below))
    context = {
        "title": "Migration",
        "section": "/migration",
        "progress": kept,
        "days": days,
        "burn_down": burn_down,
        "applications": page.items,
        "apps_total": page.total,
        "apps_offset": offset,
        "per_page": APPLICATIONS_PER_PAGE,
        "smaller": smaller.items,
        "smaller_total": smaller.total,
        "smaller_below": below,
        "as_at": moment.day if moment else None,
        "today": settings.today(),
        "errors": problems.errors,
    }
    return render(request, "migration.html", context, user=user, status_code=problems.status)


def _smaller_query(below: float) -> ServerQuery:
    """The VMs still here using least of what they were given: the API's filter for them."""
    return ServerQuery(
        kind=ServerKind.VIRTUAL,
        status=[EntityStatus.ACTIVE],
        usage_below=below,
        sort="cpu_usage_percent",
        limit=SMALLER_SHOWN,
    )


def _chosen_site(
    request: Request, sites: list[Site], given: str | None, problems: Problems
) -> Site | None:
    """The site asked for, else the first declared in the configuration (the Civic Centre in
    the council's), else the first by name."""
    if given:
        for site in sites:
            if str(site.id) == given or site.name.lower() == given.strip().lower():
                return site
        problems.add(f"There is no site {given!r}: showing the default site.", "site")
    declared = [s.name for s in settings_of(request).sites]
    by_name = {s.name: s for s in sites}
    for name in declared:
        if name in by_name:
            return by_name[name]
    return sites[0] if sites else None


@router.get("/hosting")
def hosting_page(
    request: Request, session: SessionDep, user: User, site: Text = None, as_at: Text = None
) -> Response:
    problems = Problems()
    settings = settings_of(request)
    moment = as_at_of(as_at, settings, problems)
    sites = all_sites(session)
    chosen = _chosen_site(request, sites, site, problems)
    figures = None
    exit_forecast = None
    series: dict[str, charts.Chart] = {}
    if chosen is not None:
        figures, exit_forecast = _site_figures(session, settings, chosen.id or 0, moment)
        months = [f"{m.on:%b %Y}" for m in figures.months]
        then = figures.baseline
        series = {
            "servers": charts.line_chart(
                months,
                [("Servers", [m.servers for m in figures.months])],
                then.servers if then else None,
            ),
            "rack_units": charts.line_chart(
                months,
                [("Rack units", [m.rack_units for m in figures.months])],
                then.rack_units if then else None,
            ),
            "kw": charts.line_chart(
                months,
                [("kW", [m.watts / 1000 for m in figures.months])],
                then.watts / 1000 if then else None,
            ),
            "forecast": _forecast_chart(exit_forecast),
        }
    context = {
        "title": f"Hosting at {chosen.name}" if chosen else "Hosting",
        "section": "/hosting",
        "sites": sites,
        "site": chosen,
        "hosting": figures,
        "forecast": exit_forecast,
        "charts": series,
        "as_at": moment.day if moment else None,
        "today": settings.today(),
        "errors": problems.errors,
    }
    return render(request, "hosting.html", context, user=user, status_code=problems.status)


def _site_figures(
    session: Session, settings: Settings, site_id: int, moment: Moment | None
) -> tuple[hosting.Hosting, forecast.Forecast]:
    """The site's hosting and exit forecast now, or as at the moment (as the API gives them)."""
    baseline, factors = settings.migration.baseline_date, settings.outcomes
    if moment is None:
        figures = hosting.site_hosting(session, site_id, baseline, factors)
        found = forecast.forecast(session, site_id, factors, settings.today(), baseline)
    else:
        figures = hosting_at(session, site_id, baseline, factors, moment)
        found = site_forecast_at(session, site_id, factors, baseline, moment)
    assert figures is not None and found is not None  # the site exists
    return figures, found


def _forecast_chart(found: forecast.Forecast) -> charts.Chart:
    """Servers still to migrate at each month's end, by the plan and by the trend, against
    how many there were at the baseline."""
    lines = [("Plan", [float(m.plan.servers) for m in found.months])]
    if found.trend_per_month is not None:
        lines.append(("Trend", [float(m.trend.servers if m.trend else 0) for m in found.months]))
    months = [f"{m.month:%b %Y}" for m in found.months]
    return charts.line_chart(months, lines, found.baseline_servers)
