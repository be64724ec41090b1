"""Weekly migration progress: the headline percentage, each wave, and the change since last week;
then, in plain English, the strategy's outcomes, each site's exit forecast against plan, and
the energy, money and carbon freed since the baseline (estate.outbox.reports.sentences).

From estate.progress: the kept figures (rebuilt after every scan and write) and the daily
snapshots (the scheduler's daily refresh keeps one a day); `progress_lines()` is the one place
that reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field
from sqlmodel import Session

from estate.config import Settings
from estate.inventory.sites import all_sites
from estate.migration import forecast, hosting, outcomes, progress
from estate.migration.figure_links import link_progress
from estate.models import Site
from estate.outbox.mail import Email
from estate.outbox.reports.base import ReportOptions, local_time, options_for, render_parts
from estate.outbox.reports.sentences import (
    forecast_sentence,
    outcomes_sentence,
    savings_sentence,
)

NO_WAVE = "no wave"
# How far back before the comparison day a snapshot may be (a scheduler down for days).
SNAPSHOT_SEARCH = timedelta(days=31)


@dataclass(frozen=True)
class Line:
    name: str
    servers: int
    migrated: int
    percent: float
    # The percentage on the comparison day, if a snapshot from then is kept.
    before: float | None
    # The list query of the migrated servers counted (estate.migration.figure_links).
    rows: str = ""

    @property
    def change(self) -> float | None:
        return None if self.before is None else round(self.percent - self.before, 1)


@dataclass(frozen=True)
class Lines:
    total: Line
    waves: list[Line]
    # The snapshot's day compared with, if there is one, and when the figures were counted.
    compared: date | None
    as_at: datetime | None


def progress_lines(session: Session, compare_on: date) -> Lines:
    """The whole estate and each wave now, beside the latest snapshot on or before `compare_on`
    (and that snapshot's day, if there is one)."""
    now = link_progress(progress.read(session))
    start = compare_on - SNAPSHOT_SEARCH
    days = progress.history(session, start, compare_on)
    before = days[-1] if days else None
    total = Line(
        "all servers",
        now.total.servers,
        now.total.migrated,
        now.total.percent_migrated,
        before.percent_migrated if before else None,
        now.total.links["migrated"],
    )
    waves = []
    for group in now.by_wave:
        then = None
        if group.key is not None and before is not None:
            wave_days = progress.history(session, before.day, before.day, int(group.key))
            then = wave_days[-1].percent_migrated if wave_days else None
        name = group.name or NO_WAVE
        waves.append(
            Line(
                name,
                group.servers,
                group.migrated,
                group.percent_migrated,
                then,
                group.links["migrated"],
            )
        )
    return Lines(total, waves, before.day if before else None, now.refreshed_at)


def sites_reported(
    session: Session, settings: Settings, named: list[str] | None
) -> tuple[list[Site], list[str]]:
    """The sites asked for by name; else those declared under [[sites]] (the Civic Centre in
    the council's); else every known site. In that order, with the names no site has."""
    known = all_sites(session)
    wanted = named if named is not None else [s.name for s in settings.sites]
    if not wanted:
        return known, []
    by_name = {site.name.casefold(): site for site in known}
    found = [by_name[name.casefold()] for name in wanted if name.casefold() in by_name]
    return found, [name for name in wanted if name.casefold() not in by_name]


def site_sentences(session: Session, settings: Settings, site: Site, today: date) -> list[str]:
    baseline = settings.migration.baseline_date
    site_id = site.id or 0
    found = forecast.forecast(session, site_id, settings.outcomes, today, baseline)
    figures = hosting.site_hosting(session, site_id, baseline, settings.outcomes)
    assert found is not None and figures is not None
    return [forecast_sentence(found), savings_sentence(figures)]


class MigrationProgress:
    name: ClassVar[str] = "migration-progress"
    title: ClassVar[str] = "Migration progress"

    class Options(ReportOptions):
        # Compare with the snapshot from this many days ago.
        compare_days: int = Field(default=7, ge=1)
        # The sites whose exit forecast and savings are told, by name; unset: those declared
        # under [[sites]], else every site.
        sites: list[str] | None = Field(default=None, max_length=50)

    def render(self, session: Session, settings: Settings, today: date) -> Email:
        options = options_for(self.Options, self.name, settings)
        lines = progress_lines(session, today - timedelta(days=options.compare_days))
        total, compared = lines.total, lines.compared
        sites, unknown = sites_reported(session, settings, options.sites)
        since = f"since {compared:%d %b}" if compared else "no earlier snapshot"
        change = f"{total.change:+g} points {since}" if total.change is not None else since
        subject = f"Migration progress {today:%d %b %Y}: {total.percent:g}% migrated ({change})"
        text, html = render_parts(
            "migration_progress",
            {
                "subject": subject,
                "title": self.title,
                "report": self.name,
                "council_day": f"{today:%A %d %B %Y}",
                "total": total,
                "waves": lines.waves,
                "as_at": local_time(lines.as_at, settings) or None,
                "public_url": settings.web.public_url,
                "page": "/migration",
                "compared": f"{compared:%A %d %B}" if compared else None,
                "outcomes": outcomes_sentence(outcomes.read(session).total),
                "sites": [site_sentences(session, settings, site, today) for site in sites],
                "unknown_sites": unknown,
            },
        )
        return Email(subject, text, html)
