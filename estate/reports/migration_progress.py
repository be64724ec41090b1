"""Weekly migration progress: the headline percentage, each wave, and the change since last week.

From estate.progress: the kept figures (rebuilt after every scan and write) and the daily
snapshots (the scheduler's daily refresh keeps one a day); `progress_lines()` is the one place
that reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from pydantic import Field
from sqlmodel import Session

from estate import progress
from estate.reports.base import Email, ReportOptions, options_for, render_parts
from estate.settings import Settings

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

    @property
    def change(self) -> float | None:
        return None if self.before is None else round(self.percent - self.before, 1)


def progress_lines(session: Session, compare_on: date) -> tuple[Line, list[Line], date | None]:
    """The whole estate and each wave now, beside the latest snapshot on or before `compare_on`
    (and that snapshot's day, if there is one)."""
    now = progress.read(session)
    start = compare_on - SNAPSHOT_SEARCH
    days = progress.history(session, start, compare_on)
    before = days[-1] if days else None
    total = Line(
        "all servers",
        now.total.servers,
        now.total.migrated,
        now.total.percent_migrated,
        before.percent_migrated if before else None,
    )
    waves = []
    for group in now.by_wave:
        then = None
        if group.key is not None and before is not None:
            wave_days = progress.history(session, before.day, before.day, int(group.key))
            then = wave_days[-1].percent_migrated if wave_days else None
        name = group.name or NO_WAVE
        waves.append(Line(name, group.servers, group.migrated, group.percent_migrated, then))
    return total, waves, before.day if before else None


class MigrationProgress:
    name: ClassVar[str] = "migration-progress"
    title: ClassVar[str] = "Migration progress"

    class Options(ReportOptions):
        # Compare with the snapshot from this many days ago.
        compare_days: int = Field(default=7, ge=1)

    def render(self, session: Session, settings: Settings, today: date) -> Email:
        options = options_for(self.Options, self.name, settings)
        total, waves, compared = progress_lines(
            session, today - timedelta(days=options.compare_days)
        )
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
                "waves": waves,
                "compared": f"{compared:%A %d %B}" if compared else None,
            },
        )
        return Email(subject, text, html)
