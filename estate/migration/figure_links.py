"""Every count of GET /progress and GET /sites/{id}/hosting beside the list query that yields
its rows: GET the link and its `total` is the figure. Links carry `as_at` where the figure is
of a past day, so a figure read later still opens on the rows it counted then.

The queries are the lists' own filters (estate.inventory.servers.ServerQuery,
estate.migration.applications.ApplicationQuery, estate.inventory.network.NetworkDeviceQuery),
so the counting rules in estate.migration.progress and .hosting and these filters are the two
ends of one contract, held by tests/migration/test_figure_links.py.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar
from urllib.parse import urlencode

from estate.migration.hosting import WIRELESS_AP, Hosting, SiteFigures
from estate.migration.progress import MIGRATED, SETTLED, Figures, Progress
from estate.status import EntityStatus, MigrationStatus

S = MigrationStatus

API = "/api/v1"
P = TypeVar("P", bound=Progress)
H = TypeVar("H", bound=Hosting)
Params = list[tuple[str, str]]
# A progress group's filter on the server list, and on the application list.
SERVER_PARAM = {d: d for d in ("wave", "strategy", "site", "application")}
APP_PARAM = {
    "wave": "server_wave",
    "strategy": "server_strategy",
    "site": "server_site",
    "application": "name",
}
# In the statuses' own order, so a link is the same however the sets are made.
MIGRATED_IN_ORDER = [s for s in MigrationStatus if s in MIGRATED]
REMAINING = [s for s in MigrationStatus if s not in MIGRATED and s not in SETTLED]
PRESENT: Params = [("status", s.value) for s in EntityStatus if s != EntityStatus.GONE]
# On site, as estate.migration.hosting counts servers: neither gone nor decommissioned.
ON_SITE: Params = [
    *PRESENT,
    *(("migration_status", s.value) for s in MigrationStatus if s != S.DECOMMISSIONED),
]


def url(resource: str, params: Params, as_at: date | None) -> str:
    given = [*params, ("as_at", as_at.isoformat())] if as_at is not None else params
    return f"{API}/{resource}" + (f"?{urlencode(given)}" if given else "")


def _statuses(statuses: list[MigrationStatus]) -> Params:
    return [("migration_status", s.value) for s in statuses]


# Each status filter encoded once: a progress has a few thousand links (a dozen per group, a
# group per application), and encoding each whole query anew took most of a read as at a day.
STATUS_QUERY = {s: urlencode(_statuses([s])) for s in MigrationStatus}
MIGRATED_QUERY = urlencode(_statuses(MIGRATED_IN_ORDER))
REMAINING_QUERY = urlencode(_statuses(REMAINING))
WITH_SERVERS_QUERY = urlencode([("with_servers", "true")])
APPS_MIGRATED_QUERY = urlencode([("migrated", "true")])


def _link(resource: str, *queries: str) -> str:
    """`url` of queries already encoded (an empty one left out), the same text."""
    given = "&".join(q for q in queries if q)
    return f"{API}/{resource}" + (f"?{given}" if given else "")


def _figure_links(figures: Figures, servers: Params, apps: Params, day: str) -> None:
    """`day`: the encoded `as_at`, or empty for today's."""
    on, of = urlencode(servers), urlencode(apps)
    figures.links = {
        "servers": _link("servers", on, day),
        "migrated": _link("servers", on, MIGRATED_QUERY, day),
        "remaining": _link("servers", on, REMAINING_QUERY, day),
        "applications": _link("applications", of, WITH_SERVERS_QUERY, day),
        "applications_migrated": _link("applications", of, APPS_MIGRATED_QUERY, day),
        **{
            f"by_status.{status.value}": _link("servers", on, STATUS_QUERY[status], day)
            for status in figures.by_status
        },
    }


def link_progress(found: P, as_at: date | None = None) -> P:
    """The progress with each count's list query (applications are linked by name, unique)."""
    day = urlencode([("as_at", as_at.isoformat())]) if as_at is not None else ""
    _figure_links(found.total, [], [], day)
    groups = {
        "wave": found.by_wave,
        "strategy": found.by_strategy,
        "site": found.by_site,
        "application": found.by_application,
    }
    for dimension, listed in groups.items():
        for group in listed:
            key = group.name if dimension == "application" else group.key
            value = "none" if key is None else key
            _figure_links(
                group,
                [(SERVER_PARAM[dimension], value)],
                [(APP_PARAM[dimension], value)],
                day,
            )
    return found


def _site_links(figures: SiteFigures, site_id: int, as_at: date | None) -> None:
    here: Params = [("site", str(site_id)), *ON_SITE]
    physical = [*here, ("kind", "physical")]
    figures.links = {
        "servers": url("servers", here, as_at),
        "physical_servers": url("servers", physical, as_at),
        "virtual_servers": url("servers", [*here, ("kind", "virtual")], as_at),
        "physical_hosts": url("servers", [*physical, ("hosting", "true")], as_at),
    }
    if figures.access_points is not None:
        access_points = [("site", str(site_id)), ("device_class", WIRELESS_AP), *PRESENT]
        figures.links["access_points"] = url("network-devices", access_points, as_at)


def link_hosting(found: H, today: date) -> H:
    """The hosting with each day's counts linked to the lists as at that day (today's live)."""
    site_id = found.site.id
    for figures in [found.now, found.baseline, *found.months]:
        if figures is not None and site_id is not None:
            _site_links(figures, site_id, None if figures.on >= today else figures.on)
    return found
