"""Sites, and what each one hosts now against the baseline, month by month."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlmodel import col

from api.cache import kept_json
from api.deps import Limit, Offset, Search, SessionDep
from api.schemas import Page
from estate import hosting, inventory
from estate.models import Site
from estate.models.site import SitePublic
from estate.models.status import SiteKind
from estate.settings import Settings

router = APIRouter(prefix="/sites", tags=["sites"])
SiteId = Annotated[int, Path(ge=1, le=inventory.MAX_ID)]


@router.get("", response_model=Page[SitePublic])
def list_sites(
    session: SessionDep,
    kind: SiteKind | None = None,
    q: Search = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SitePublic]:
    query = select(Site).order_by(col(Site.name), col(Site.id))
    if kind is not None:
        query = query.where(col(Site.kind) == kind)
    search = inventory.text_search(q, col(Site.name), col(Site.address))
    if search is not None:
        query = query.where(search)
    page = inventory.paged(session, query, limit, offset)
    items = [SitePublic.model_validate(s) for s in page.items]
    return Page(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/{site_id}", response_model=SitePublic)
def get_site(session: SessionDep, site_id: SiteId) -> SitePublic:
    site = session.get(Site, site_id)
    if site is None:
        raise HTTPException(404, f"no site with id {site_id}")
    return SitePublic.model_validate(site)


@router.get("/{site_id}/hosting", response_model=hosting.Hosting)
def get_hosting(request: Request, session: SessionDep, site_id: SiteId) -> Response:
    """Servers (physical, virtual), physical hosts, racks, rack units, watts and Wi-Fi access
    points on site now, against the baseline day (`[migration] baseline_date`), and the
    last figures kept in each month."""
    # Read from the app, not SettingsDep: a dependency is one more thread hop on a hot path.
    settings: Settings = request.app.state.settings
    baseline = settings.migration.baseline_date

    def build() -> hosting.Hosting:
        site = session.get(Site, site_id)
        if site is None:
            raise HTTPException(404, f"no site with id {site_id}")
        return hosting.site_hosting(session, site, baseline)

    return kept_json(request, session, ("hosting", site_id, baseline), build)
