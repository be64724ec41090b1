"""Scan health: the failed or partial runs of the last days, and the sources that have not had
a successful run for `stale_days` (or ever)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field
from sqlalchemy import func, select
from sqlmodel import Session, col

from estate.config import Settings
from estate.models import ScanRun
from estate.models.base import utcnow
from estate.operations.runs import last_ok, last_runs
from estate.outbox.mail import Email
from estate.outbox.reports.base import ReportOptions, local_time, options_for, render_parts
from estate.status import RunStatus

# Runs listed in full; more are counted.
SHOWN_RUNS = 200


@dataclass(frozen=True)
class ProblemRun:
    id: int
    source: str
    status: str
    started: str
    problems: int
    first_reason: str


@dataclass(frozen=True)
class StaleSource:
    source: str
    last_ok: str
    last_status: str


class ScanHealth:
    name: ClassVar[str] = "scan-health"
    title: ClassVar[str] = "Scan health"

    class Options(ReportOptions):
        # Failed or partial runs started in this many days are listed.
        days: int = Field(default=7, ge=1)
        # A source whose last successful run is older than this is listed.
        stale_days: int = Field(default=2, ge=1)

    def render(self, session: Session, settings: Settings, today: date) -> Email:
        options = options_for(self.Options, self.name, settings)
        now = utcnow()
        runs, more = problem_runs(session, settings, now - timedelta(days=options.days))
        stale = stale_sources(session, settings, now - timedelta(days=options.stale_days))
        healthy = not runs and not stale
        subject = f"Scan health {today:%d %b %Y}: " + (
            "every source healthy"
            if healthy
            else f"{len(runs) + more} failed or partial runs, {len(stale)} sources not "
            f"successful for {options.stale_days} days"
        )
        text, html = render_parts(
            "scan_health",
            {
                "subject": subject,
                "title": self.title,
                "report": self.name,
                "council_day": f"{today:%A %d %B %Y}",
                "options": options,
                "runs": runs,
                "more": more,
                "stale": stale,
                "healthy": healthy,
            },
        )
        return Email(subject, text, html)


def problem_runs(
    session: Session, settings: Settings, since: datetime
) -> tuple[list[ProblemRun], int]:
    """Failed or partial runs started since then, newest first, and how many more."""
    where = (
        col(ScanRun.status).in_([RunStatus.FAILED, RunStatus.PARTIAL]),
        col(ScanRun.started_at) >= since,
    )
    total = session.execute(select(func.count()).where(*where)).scalar_one()
    query = select(ScanRun).where(*where).order_by(col(ScanRun.id).desc()).limit(SHOWN_RUNS)
    runs = [
        ProblemRun(
            id=run.id or 0,
            source=run.source,
            status=str(run.status),
            started=local_time(run.started_at, settings),
            problems=len(run.errors),
            first_reason=str(run.errors[0].get("reason", "")) if run.errors else "",
        )
        for run in session.execute(query).scalars()
    ]
    return runs, total - len(runs)


def stale_sources(session: Session, settings: Settings, since: datetime) -> list[StaleSource]:
    """Enabled sources whose last ok run finished before `since`, or that never had one."""
    finished_ok = last_ok(session)
    last_status = {source: str(run.status) for source, run in last_runs(session).items()}
    stale = []
    for source in settings.sources:
        finished = finished_ok.get(source.name)
        if source.enabled and (finished is None or finished < since):
            stale.append(
                StaleSource(
                    source=source.name,
                    last_ok=local_time(finished, settings) if finished else "never",
                    last_status=last_status.get(source.name, "never run"),
                )
            )
    return stale
