"""Migration progress, outcomes, a site's hosting and exit forecast as at a past day: counted
from the entities rebuilt from the change log exactly as the live figures are counted from the
tables, or read from the figures kept that day where there are some."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from estate.config import OutcomesSettings
from estate.history.as_at import Moment, driver_rows, rebuilt
from estate.inventory.as_at import links_at, servers_at
from estate.inventory.kinds_at import entities_at
from estate.migration import forecast, hosting, outcomes, progress
from estate.models import NetworkDevice, Site, Wave, Workload
from estate.status import EntityKind


class ProgressAt(progress.Progress):
    """The progress at the end of `as_at`, and where it was read from: `history` (the servers
    rebuilt from the change log; the kept daily snapshots hold only totals, waves and sites,
    not strategies or applications, so they cannot give the whole answer)."""

    as_at: date
    source: Literal["snapshot", "history"] = "history"


def progress_at(session: Session, moment: Moment) -> ProgressAt:
    servers = servers_at(session, moment, only=progress.COUNTED)
    counts, apps = count_at(session, servers, moment)
    found = progress.assemble(session, counts, apps, None)
    # Its groups as they are (not dumped and validated again: a thousand of them).
    return ProgressAt(as_at=moment.day, **dict(found))


def count_at(
    session: Session, servers: Any, moment: Moment | None = None
) -> tuple[progress.Counts, progress.AppCounts]:
    """`progress.count` of the servers as at a day, linked to their applications as at the
    moment (none: today's links), counted here: its two GROUP BYs would each rebuild the
    servers and sort every row, where reading each server's counted columns once and counting
    in memory costs a third less (bench/as_at.py); the applications are judged from sets
    (`_judged`). A test holds the figures equal to `progress.count`'s."""
    counted = driver_rows(session, select(servers.c.id, *progress.combo(servers)))
    combo_of = {row[0]: row[1:] for row in counted}
    if moment is None:
        links = progress.LINKS
        linked_to = driver_rows(session, select(links.c.server_id, links.c.application_id))
    else:
        linked_to = links_at(session, moment)
    combos = Counter(combo_of.values())
    counts, _ = progress.tally([(*combo, n) for combo, n in combos.items()], ())
    # Servers made after the day are not in the rebuild, nor are their links counted.
    linked = Counter((app, combo_of[server]) for server, app in linked_to if server in combo_of)
    for (app, (status, *_)), n in linked.items():
        counts[("application", str(app), status)] += n
    return counts, _judged(linked)


def _key(value: Any) -> str | None:
    return None if value is None else str(value)


def _judged(linked: Counter[tuple[int, tuple[Any, ...]]]) -> progress.AppCounts:
    """`progress.judge` of `progress.tally`'s applications, from the (application, status,
    wave, strategy, site) of the links: in each group, the applications with a server there
    and those with one there not yet migrated. Sets, not a running sum per application and
    group: the sum's five updates per link were most of a count as at a day."""
    pairs = list(linked)
    apps: progress.AppCounts = {}
    # A strategy is text already: as a key it is itself.
    for dimension, at in (("wave", 1), ("strategy", 2), ("site", 3)):
        there = Counter(value for value, _ in {(c[at], a) for a, c in pairs})
        left = {(c[at], a) for a, c in pairs if c[0] not in progress.MIGRATED}
        behind = Counter(value for value, _ in left)
        for value, n in there.items():
            apps[(dimension, _key(value))] = [n, n - behind[value]]
    every = {a for a, _ in pairs}
    unfinished = {a for a, c in pairs if c[0] not in progress.MIGRATED}
    if every:
        apps[("all", None)] = [len(every), len(every - unfinished)]
    for app in every:
        apps[("application", str(app))] = [1, int(app not in unfinished)]
    return apps


class OutcomesAt(outcomes.Outcomes):
    """The outcomes at the end of `as_at`: always from `history` (no daily outcomes are kept),
    counted from the workloads and servers rebuilt from the change log."""

    as_at: date
    source: Literal["snapshot", "history"] = "history"


def outcomes_at(session: Session, moment: Moment) -> OutcomesAt:
    workloads = entities_at(session, Workload, EntityKind.WORKLOAD, moment)
    found = outcomes.read(session, workloads, servers_at(session, moment))
    return OutcomesAt(as_at=moment.day, **found.model_dump())


class HostingAt(hosting.Hosting):
    """A site's hosting at the end of `as_at`: `snapshot` where a day's figures were kept for
    it, else `history` (that day's counted from the servers and network devices rebuilt from
    the change log, after the days kept before it)."""

    as_at: date
    source: Literal["snapshot", "history"]


def hosting_at(
    session: Session,
    site_id: int,
    baseline_date: date | None,
    factors: OutcomesSettings,
    moment: Moment,
) -> HostingAt | None:
    site = session.get(Site, site_id)
    if site is None:
        return None
    kept = hosting.kept_figures(session, site_id, factors, until=moment.day)
    source: Literal["snapshot", "history"] = "snapshot"
    if not kept or kept[-1].on != moment.day:
        source = "history"
        network = entities_at(session, NetworkDevice, EntityKind.NETWORK_DEVICE, moment)
        servers = servers_at(session, moment)
        day = hosting.day_rows(
            session, moment.day, [site_id], factors.default_watts, servers, network
        )
        kept.append(hosting.figures_of(day[0], factors))
    found = hosting.assemble(site, kept, baseline_date, factors)
    return HostingAt(as_at=moment.day, source=source, **found.model_dump())


class SiteForecastAt(forecast.Forecast):
    """A site's exit forecast at the end of `as_at`: from `history` (the servers and waves
    rebuilt from the change log, and the snapshots kept up to that day)."""

    as_at: date
    source: Literal["snapshot", "history"] = "history"


def site_forecast_at(
    session: Session,
    site_id: int,
    settings: OutcomesSettings,
    baseline_date: date | None,
    moment: Moment,
) -> SiteForecastAt | None:
    waves = rebuilt(session, Wave, EntityKind.WAVE, moment)
    tables = (servers_at(session, moment), waves)
    found = forecast.forecast(session, site_id, settings, moment.day, baseline_date, tables)
    return None if found is None else SiteForecastAt(as_at=moment.day, **found.model_dump())
