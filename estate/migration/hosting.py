"""Hosting per site: what each site holds now against a baseline day, and month by month.

`record_day` counts every site's servers, hosts, racks, rack units, watts and Wi-Fi access
points with three GROUP BY queries and keeps them as the day's row (the last refresh of a day
wins); `site_hosting` reads the kept rows. A server is on site until it is gone or recorded
as decommissioned; physical hosts are physical servers with at least one VM on them; racks,
rack units and watts count physical servers only (a VM draws through its host).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    Numeric,
    and_,
    case,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.config import OutcomesSettings
from estate.db.bulk import chunked
from estate.models import HostingFigures, NetworkDevice, Server, Site
from estate.models.base import table_of
from estate.models.site import SitePublic
from estate.models.snapshot import SiteMeasures
from estate.status import EntityStatus, MigrationStatus, ServerKind

FIGURES = table_of(HostingFigures)
HOURS_A_YEAR = 8760
SERVERS = table_of(Server)
NETWORK = table_of(NetworkDevice)
WIRELESS_AP = "wireless-ap"
WATTS = Numeric()
# Made once: an alias of the wide servers table builds its columns anew each time (some
# milliseconds, on every write).
HOSTS, VMS = SERVERS.alias("host"), SERVERS.alias("vm")


class Energy(BaseModel):
    """What the watts mean over a year: kWh (watts x 8,760 h / 1,000), £ at the configured
    electricity price, and tCO2e at the configured grid intensity."""

    kwh_per_year: float
    cost_per_year: float
    tco2e_per_year: float

    @classmethod
    def of(cls, watts: float, factors: OutcomesSettings) -> Energy:
        kwh = watts * HOURS_A_YEAR / 1000
        return cls(
            kwh_per_year=round(kwh, 1),
            cost_per_year=round(kwh * factors.electricity_price_per_kwh, 2),
            tco2e_per_year=round(kwh * factors.grid_intensity_kg_per_kwh / 1000, 3),
        )


class SiteFigures(SiteMeasures, Energy):
    on: date
    # Each count's rows, the list query whose `total` is the count (racks, rack units and watts
    # are of the physical servers' rows): filled by the API.
    links: dict[str, str] = {}


class Difference(SiteMeasures, Energy):
    """Now minus the baseline: negative numbers are what has left the site (and what it no
    longer costs or emits)."""


class Hosting(BaseModel):
    site: SitePublic
    now: SiteFigures | None
    baseline_date: date | None
    baseline: SiteFigures | None
    difference: Difference | None
    # The last figures kept in each month, oldest first.
    months: list[SiteFigures]


def _on_site(table: Any) -> Any:
    return and_(
        table.c.site_id.is_not(None),
        table.c.status != EntityStatus.GONE,
        table.c.migration_status != MigrationStatus.DECOMMISSIONED,
    )


def _count_servers(
    session: Session, only: Any, default_watts: Mapping[ServerKind, float], servers: Any
) -> dict[int, dict[str, Any]]:
    s = servers.c
    # A physical server no source gives watts for draws the configured default.
    assumed = float(default_watts.get(ServerKind.PHYSICAL, 0.0))
    physical = s.kind == ServerKind.PHYSICAL
    rack = case((and_(physical, s.rack.is_not(None)), func.coalesce(s.room, "") + "/" + s.rack))
    query = (
        select(
            s.site_id,
            func.count().label("servers"),
            func.sum(case((physical, 1), else_=0)).label("physical_servers"),
            func.sum(case((s.kind == ServerKind.VIRTUAL, 1), else_=0)).label("virtual_servers"),
            func.count(distinct(rack)).label("racks"),
            func.sum(case((physical, func.coalesce(s.rack_units, 0)), else_=0)).label("rack_units"),
            # Summed as decimals: a float sum depends on the order rows come in (PostgreSQL's
            # differs between a site's recount and the whole estate's).
            func.sum(
                case((physical, cast(func.coalesce(s.power_watts, assumed), WATTS)), else_=0)
            ).label("watts"),
        )
        .where(_on_site(servers), only(s.site_id))
        .group_by(s.site_id)
    )
    return {row.site_id: dict(row._mapping) for row in session.execute(query)}


def _count_hosts(session: Session, only: Any, servers: Any) -> dict[int, int]:
    host, vm = (HOSTS, VMS) if servers is SERVERS else (servers.alias("host"), servers.alias("vm"))
    query = (
        select(host.c.site_id, func.count(distinct(host.c.id)))
        .select_from(host.join(vm, vm.c.host_id == host.c.id))
        .where(
            _on_site(host),
            only(host.c.site_id),
            host.c.kind == ServerKind.PHYSICAL,
            vm.c.status != EntityStatus.GONE,
            vm.c.migration_status != MigrationStatus.DECOMMISSIONED,
        )
        .group_by(host.c.site_id)
    )
    return {site_id: n for site_id, n in session.execute(query)}


def _count_access_points(session: Session, only: Any, network: Any) -> dict[int, int]:
    """Access points per site that knows any network device (else unknown, left out)."""
    n = network.c
    query = (
        select(n.site_id, func.sum(case((n.device_class == WIRELESS_AP, 1), else_=0)))
        .where(n.site_id.is_not(None), n.status != EntityStatus.GONE, only(n.site_id))
        .group_by(n.site_id)
    )
    return {site_id: int(n or 0) for site_id, n in session.execute(query)}


def moves_off_site(old_status: str | None, new_status: str | None) -> bool:
    """Whether a server's migration status moving so changes what its site hosts (a user's
    write changes nothing else the figures count)."""
    off = MigrationStatus.DECOMMISSIONED
    return (old_status == off) != (new_status == off)


def record_day(
    session: Session,
    day: date,
    site_ids: Collection[int] | None = None,
    default_watts: Mapping[ServerKind, float] | None = None,
) -> None:
    """Keep the figures of every site (or the given ones) as the day's, replacing any kept
    earlier that day. A write touches a few sites; a scan may have moved any."""
    watts = default_watts if default_watts is not None else OutcomesSettings().default_watts
    rows = day_rows(session, day, site_ids, watts, SERVERS, NETWORK)
    only = true() if site_ids is None else FIGURES.c.site_id.in_(sorted(site_ids))
    session.execute(delete(FIGURES).where(FIGURES.c.day == day, only))
    if rows:
        session.execute(insert(FIGURES), rows)


def day_rows(
    session: Session,
    day: date,
    site_ids: Collection[int] | None,
    default_watts: Mapping[ServerKind, float],
    servers: Any,
    network: Any,
) -> list[dict[str, Any]]:
    """The day's figures of every site (or the given ones), counted from `servers` and
    `network`: the tables, or the same as at a past day (estate.migration.as_at)."""

    def only(column: Any) -> Any:
        return true() if site_ids is None else column.in_(sorted(site_ids))

    found_servers = _count_servers(session, only, default_watts, servers)
    hosts = _count_hosts(session, only, servers)
    access_points = _count_access_points(session, only, network)
    if site_ids is None:
        site_ids = [i for (i,) in session.execute(select(col(Site.id))) if i is not None]
    rows = []
    for site_id in site_ids:
        found = found_servers.get(site_id, {})
        rows.append(
            {
                "day": day,
                "site_id": site_id,
                "servers": found.get("servers", 0),
                "physical_servers": found.get("physical_servers") or 0,
                "virtual_servers": found.get("virtual_servers") or 0,
                "physical_hosts": hosts.get(site_id, 0),
                "racks": found.get("racks", 0),
                "rack_units": int(found.get("rack_units") or 0),
                "watts": float(found.get("watts") or 0.0),
                "access_points": access_points.get(site_id),
            }
        )
    return rows


def figures_of(row: Mapping[str, Any], factors: OutcomesSettings) -> SiteFigures:
    """A kept (or counted) day's figures, with their energy, cost and carbon a year."""
    measures = {f: row[f] for f in SiteMeasures.model_fields}
    energy = Energy.of(measures["watts"], factors).model_dump()
    return SiteFigures(on=row["day"], **measures, **energy)


def _difference(now: SiteFigures, then: SiteFigures, factors: OutcomesSettings) -> Difference:
    counts = set(SiteMeasures.model_fields) - {"watts", "access_points"}
    values: dict[str, Any] = {f: getattr(now, f) - getattr(then, f) for f in counts}
    values["watts"] = round(now.watts - then.watts, 3)
    known = now.access_points is not None and then.access_points is not None
    values["access_points"] = (
        (now.access_points or 0) - (then.access_points or 0) if known else None
    )
    return Difference(**values, **Energy.of(values["watts"], factors).model_dump())


def site_hosting(
    session: Session,
    site_id: int,
    baseline_date: date | None,
    factors: OutcomesSettings | None = None,
) -> Hosting | None:
    """The kept figures of one site: now (the latest day), the baseline and month by month,
    each with its energy, cost and carbon a year at `factors`; None if there is no such site."""
    factors = factors or OutcomesSettings()
    site = session.get(Site, site_id)
    if site is None:
        return None
    return assemble(site, kept_figures(session, site_id, factors), baseline_date, factors)


def kept_figures(
    session: Session, site_id: int, factors: OutcomesSettings, until: date | None = None
) -> list[SiteFigures]:
    """The site's kept days, oldest first (up to `until`, where given)."""
    query = select(FIGURES).where(FIGURES.c.site_id == site_id).order_by(FIGURES.c.day)
    if until is not None:
        query = query.where(FIGURES.c.day <= until)
    return [figures_of(dict(row._mapping), factors) for row in session.execute(query)]


def assemble(
    site: Site, kept: list[SiteFigures], baseline_date: date | None, factors: OutcomesSettings
) -> Hosting:
    """The answer from the site's days, oldest first: the last is now."""
    months: dict[tuple[int, int], SiteFigures] = {}
    for figures in kept:
        months[(figures.on.year, figures.on.month)] = figures
    now = kept[-1] if kept else None
    baseline = None
    if baseline_date is not None:
        baseline = next((f for f in reversed(kept) if f.on <= baseline_date), None)
    return Hosting(
        site=SitePublic.model_validate(site),
        now=now,
        baseline_date=baseline_date,
        baseline=baseline,
        difference=_difference(now, baseline, factors) if now and baseline else None,
        months=list(months.values()),
    )


def sites_of(session: Session, server_ids: Collection[int], day: date) -> tuple[set[int], bool]:
    """The sites whose figures these servers count in (their own and their hosts'), and
    whether every one of them has its figures kept for the day: one statement a chunk."""
    host = HOSTS
    found: set[int] = set()
    kept = True
    for chunk in chunked(sorted(server_ids)):
        query = (
            select(SERVERS.c.site_id, host.c.site_id, _kept_on(day, SERVERS), _kept_on(day, host))
            .select_from(SERVERS.outerjoin(host, host.c.id == SERVERS.c.host_id))
            .where(SERVERS.c.id.in_(chunk))
        )
        for *sites, own_kept, host_kept in session.execute(query):
            for site, site_kept in zip(sites, (own_kept, host_kept), strict=True):
                if site is not None:
                    found.add(site)
                    kept = kept and bool(site_kept)
    return found, kept


def _kept_on(day: date, servers: Any) -> Any:
    """Whether the site of `servers` (the row the statement reads) has its figures kept for
    the day."""
    return exists().where(FIGURES.c.day == day, FIGURES.c.site_id == servers.c.site_id)
