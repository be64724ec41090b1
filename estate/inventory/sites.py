"""Sites: those declared in the configuration, and their names for the readers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.config import Settings
from estate.db import kept
from estate.db.bulk import dialect_insert
from estate.db.paging import Page, PageQuery, Search, equal, paged, text_search, where_all
from estate.models import Site
from estate.models.base import table_of
from estate.models.site import SitePublic
from estate.status import SiteKind


def apply_site_config(session: Session, settings: Settings) -> None:
    """Create or update each `[[sites]]` entry by name; sites only scans named stay as they are."""
    rows = [site.model_dump() for site in settings.sites]
    if not rows:
        return
    table = table_of(Site)
    stmt: Any = dialect_insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"kind": stmt.excluded.kind, "address": stmt.excluded.address}
    )
    session.execute(stmt, rows)


def site_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """The names of these sites, from all sites' names as read once since the last commit (a
    council has tens of sites; every page of every list names some)."""
    if not any(i is not None for i in ids):
        return {}
    names = kept.rows(session, select(col(Site.id), col(Site.name)))
    return {int(site_id): name for site_id, name in names if site_id in ids}


class SiteQuery(PageQuery):
    """`GET /sites`."""

    kind: SiteKind | None = None
    q: Search = None


def list_sites(session: Session, query: SiteQuery) -> Page:
    """Sites by name; `q` searches names and addresses."""
    found = where_all(
        select(Site).order_by(col(Site.name), col(Site.id)),
        equal(col(Site.kind), query.kind),
        text_search(query.q, col(Site.name), col(Site.address)),
    )
    page = paged(session, found, query)
    items = [SitePublic.model_validate(s) for s in page.items]
    return page.with_items(items)


def all_sites(session: Session) -> list[Site]:
    """Every site, by name."""
    return list(session.execute(select(Site).order_by(col(Site.name), col(Site.id))).scalars())


def site(session: Session, site_id: int) -> SitePublic | None:
    found = session.get(Site, site_id)
    return SitePublic.model_validate(found) if found is not None else None
