"""Sites, and what each one hosts now (or as at a past day) against the baseline, month by
month."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.cache import kept_json
from api.deps import AsAt, SessionDep, found
from api.errors import answers, problem
from api.schemas import Page
from estate.config import Settings
from estate.db.paging import MAX_ID
from estate.inventory import sites
from estate.inventory.sites import SiteQuery
from estate.migration import forecast, hosting
from estate.migration.as_at import HostingAt, SiteForecastAt, hosting_at, site_forecast_at
from estate.migration.figure_links import link_hosting
from estate.models.site import SitePublic

router = APIRouter(prefix="/sites", tags=["sites"])
SiteId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("", response_model=Page[SitePublic])
def list_sites(session: SessionDep, query: Annotated[SiteQuery, Query()]) -> Page[SitePublic]:
    return Page.of(sites.list_sites(session, query))


@router.get("/{site_id}", response_model=SitePublic, responses=answers(404))
def get_site(session: SessionDep, site_id: SiteId) -> SitePublic:
    return found(sites.site(session, site_id), f"no site with id {site_id}", "site_id")


@router.get(
    "/{site_id}/hosting", response_model=hosting.Hosting | HostingAt, responses=answers(404)
)
def get_hosting(request: Request, session: SessionDep, moment: AsAt, site_id: SiteId) -> Response:
    """Servers (physical, virtual), physical hosts, racks, rack units, watts and Wi-Fi access
    points on site now, against the baseline day (`[migration] baseline_date`), and the
    last figures kept in each month; as at a day, the figures kept up to it (`source` says
    whether that day's were kept or are counted from the history)."""
    # Read from the app, not SettingsDep: a dependency is one more thread hop on a hot path.
    settings: Settings = request.app.state.settings
    baseline = settings.migration.baseline_date
    today = settings.today()
    if moment is not None:
        then = hosting_at(session, site_id, baseline, settings.outcomes, moment)
        linked = link_hosting(found(then, f"no site with id {site_id}", "site_id"), today)
        return Response(linked.model_dump_json(), media_type="application/json")

    def build() -> hosting.Hosting:
        found = hosting.site_hosting(session, site_id, baseline, settings.outcomes)
        if found is None:
            raise problem(404, f"no site with id {site_id}", ("path", "site_id"))
        return link_hosting(found, today)

    # Today is in the key: a day kept as today's is linked live, and as at it from tomorrow.
    return kept_json(request, session, ("hosting", site_id, baseline, today), build)


@router.get(
    "/{site_id}/forecast", response_model=forecast.Forecast | SiteForecastAt, responses=answers(404)
)
def get_forecast(request: Request, session: SessionDep, moment: AsAt, site_id: SiteId) -> Response:
    """When the site will hold no server still to migrate, by the waves' planned ends and by
    the rate achieved over the last `[outcomes] trend_days` of snapshots, month by month in
    servers, rack units and kW; and how many days the trend runs behind the plan. Where the
    plan or the trend gives no day, the answer says why. As at a day, from the servers and
    waves as they stood then and the snapshots kept up to it."""
    settings: Settings = request.app.state.settings
    today = settings.today()
    if moment is not None:
        baseline = settings.migration.baseline_date
        then = site_forecast_at(session, site_id, settings.outcomes, baseline, moment)
        body = found(then, f"no site with id {site_id}", "site_id").model_dump_json()
        return Response(body, media_type="application/json")

    def build() -> forecast.Forecast:
        baseline = settings.migration.baseline_date
        found = forecast.forecast(session, site_id, settings.outcomes, today, baseline)
        if found is None:
            raise problem(404, f"no site with id {site_id}", ("path", "site_id"))
        return found

    return kept_json(request, session, ("forecast", site_id, today), build)
