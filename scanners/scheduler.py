"""Run each source and each report on its cron schedule, queued scan requests, and the outbox.

APScheduler 3 with `coalesce=True`, `max_instances=1` and the configured misfire grace, so a
slot missed while the scheduler was busy or down runs once, not once per missed slot. Any
number of schedulers may run over one database: a scheduled job runs a slot only if its claim
for (job, slot) is the one that went in (`estate.operations.claims`). A scheduler starting
after downtime runs the latest missed slot of each job once, if no one claimed it and it is
within the grace time.

A job that meets a database outage logs one line and waits for its next slot (or poll): the
scheduler keeps running, and nothing of that job was written. Every `scheduler.sweep_seconds`
the scheduler marks failed the runs found abandoned (their process died or lost the database,
estate.inventory.liveness) and works out their sources' alerts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from estate.access import events
from estate.config import SchedulerSettings, Settings
from estate.db import is_sqlite, session_scope
from estate.db.locks import SourceBusy
from estate.db.outages import DatabaseUnavailable, reported
from estate.inventory.liveness import sweep_abandoned
from estate.models import ScanRun
from estate.models.base import utcnow
from estate.operations.claims import claim_slot, is_claimed, prune_claims
from estate.operations.metrics import observe_scan
from estate.operations.requests import finish, take_next
from estate.outbox.alerts import after_latest, after_run
from estate.outbox.mail import deliver_due, worker_identity
from estate.outbox.reports.send import queue_report
from estate.refresh import refresh_derived
from scanners.runner import run_source

log = logging.getLogger(__name__)
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) in APScheduler 3's terms (0 = Monday):
    as day names, so `1-5` stays Monday to Friday."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        base, _, step = part.partition("/")
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            first, last = base.split("-")
            low, high = _weekday(first), _weekday(last)
            high = 7 if high == 0 and low > 0 else high
        else:
            low = _weekday(base)
            high = 6 if step else low
        days.update(day % 7 for day in range(low, high + 1, int(step or 1)))
    return ",".join(_WEEKDAYS[day] for day in sorted(days))


def _weekday(token: str) -> int:
    if token[:3] in _WEEKDAYS:
        return _WEEKDAYS.index(token[:3])
    number = int(token)
    if not 0 <= number <= 7:
        raise ValueError(f"day of week {token!r} is not 0-7")
    return number


def cron_trigger(expression: str, settings: SchedulerSettings) -> CronTrigger:
    minute, hour, day, month, weekday = expression.split()
    return CronTrigger(
        second=settings.cron_seconds,
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_weekdays(weekday),
        timezone=ZoneInfo(settings.timezone),
    )


def latest_slot(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The trigger's last fire time at or before `now`, if within `lookback`."""
    slot = None
    fire = trigger.get_next_fire_time(None, now - lookback)
    while fire is not None and fire <= now:
        slot = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return slot


def missed_slot(
    engine: Engine, job: str, trigger: CronTrigger, now: datetime, grace: timedelta
) -> datetime | None:
    """The latest slot within the grace time that no scheduler claimed, if there is one."""
    slot = latest_slot(trigger, now, grace)
    if slot is None or is_claimed(engine, job, slot):
        return None
    return slot


class Jobs:
    """What the scheduler runs; each call opens its own sessions."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.worker = worker_identity()
        self.triggers: dict[str, CronTrigger] = {}
        self.grace = timedelta(seconds=settings.scheduler.misfire_grace_seconds)

    def scheduled_scan(self, name: str) -> None:
        if self._claim(f"source:{name}"):
            self.run_scan(name)

    def scheduled_report(self, name: str) -> None:
        slot = self._claim(f"report:{name}")
        if slot is not None:
            self.send_report(name, dedupe_key=f"report:{name}:{slot.isoformat()}")

    def scheduled_refresh(self) -> None:
        """Everything derived from the inventory: replacement dates, migration statuses, the
        kept progress and today's snapshot."""
        if self._claim("daily-refresh"):
            with session_scope(self.engine) as session:
                changed = refresh_derived(session, self.settings, date.today())
            log.info("daily refresh: %d migration statuses changed", changed)

    def _claim(self, job: str) -> datetime | None:
        """The slot this firing is for, if this scheduler is the one to run it."""
        now = datetime.now(ZoneInfo(self.settings.scheduler.timezone))
        slot = latest_slot(self.triggers[job], now, self.grace)
        if slot is None:
            return None
        if not claim_slot(self.engine, job, slot, self.worker):
            log.info("%s slot %s: claimed by another scheduler", job, slot.isoformat())
            return None
        log.info("%s slot %s: claimed by %s", job, slot.isoformat(), self.worker)
        return slot

    def run_scan(self, name: str) -> ScanRun | None:
        """Run a source, then its metrics and alerts; None if it could not run."""
        started = time.monotonic()
        try:
            run = run_source(self.engine, self.settings, name)
        except SourceBusy as exc:
            log.warning("scan of %s skipped: %s", name, exc)
            return None
        observe_scan(name, str(run.status), time.monotonic() - started)
        log.info("scan of %s: run %s %s", name, run.id, run.status)
        self._alerts(name, run)
        return run

    def sweep(self) -> None:
        """Mark failed the runs found abandoned, then work out their sources' alerts: an
        abandoned run counts toward `alerts.failures_in_a_row` as any failed run does."""
        swept = sweep_abandoned(self.engine, self.settings)
        for run in swept:
            reason = run.errors[0]["reason"]
            log.warning("run %s of %s marked failed: %s", run.id, run.source, reason)
        for source in sorted({run.source for run in swept}):
            self._alerts(source)

    def _alerts(self, source: str, run: ScanRun | None = None) -> None:
        """The alert or recovery notice after this run (or the source's latest finished one)."""
        try:
            with session_scope(self.engine) as session:
                if run is not None:
                    alerted = after_run(session, self.settings, run)
                else:
                    alerted = after_latest(session, self.settings, source)
            if alerted:
                self.drain_outbox()
        except DatabaseUnavailable:
            raise
        except Exception:
            log.exception("alerts after the runs of %s failed", source)

    def send_report(self, name: str, dedupe_key: str | None = None) -> None:
        # The scan-health report must show runs that died since the last sweep.
        self.sweep()
        today = self.settings.today()
        with session_scope(self.engine) as session:
            stored = queue_report(session, self.settings, name, today, dedupe_key)
        log.info("report %s: message %s enqueued", name, stored)
        self.drain_outbox()

    def scan_requests(self) -> None:
        """Run every queued request, oldest first."""
        while (request := take_next(self.engine, self.worker)) is not None:
            assert request.id is not None
            try:
                run = self.run_scan(request.source)
            except DatabaseUnavailable:
                raise  # nothing can be recorded now; the job says so
            except Exception as exc:
                log.exception("requested scan of %s failed to start", request.source)
                finish(self.engine, request.id, None, f"{type(exc).__name__}: {exc}")
                continue
            if run is None:  # busy: leave it for the next poll
                finish(self.engine, request.id, None, "source busy; requeued", requeue=True)
                return
            finish(self.engine, request.id, run)

    def drain_outbox(self) -> None:
        delivery = deliver_due(self.engine, self.settings)
        if delivery.sent or delivery.deferred or delivery.failed:
            log.info(
                "outbox: %d sent, %d deferred, %d failed",
                delivery.sent,
                delivery.deferred,
                delivery.failed,
            )

    def housekeeping(self) -> None:
        self.drain_outbox()
        prune_claims(self.engine, timedelta(days=self.settings.scheduler.keep_claims_days))
        with session_scope(self.engine) as session:
            events.prune(session, self.settings.access.keep_events_days, utcnow())


def build_scheduler(engine: Engine, settings: Settings, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler with every job added; start() it (blocking runs in the calling thread)."""
    config = settings.scheduler
    workers = 1 if is_sqlite(engine) else config.scan_workers  # SQLite has one writer
    options: dict[str, Any] = {
        "executors": {
            "default": ThreadPoolExecutor(2),
            "scans": ThreadPoolExecutor(workers),
        },
        "job_defaults": {
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": config.misfire_grace_seconds,
        },
        "timezone": ZoneInfo(config.timezone),
    }
    scheduler: BaseScheduler = (
        BlockingScheduler(**options) if blocking else BackgroundScheduler(**options)
    )
    add_jobs(scheduler, Jobs(engine, settings))
    return scheduler


def add_jobs(scheduler: BaseScheduler, jobs: Jobs) -> None:
    settings = jobs.settings
    for source in settings.sources:
        if source.enabled and source.schedule:
            run = partial(jobs.scheduled_scan, source.name)
            _add_cron(scheduler, jobs, f"source:{source.name}", source.schedule, run, "scans")
    for name, report in settings.reports.items():
        if report.enabled and report.schedule:
            send = partial(jobs.scheduled_report, name)
            _add_cron(scheduler, jobs, f"report:{name}", report.schedule, send, "default")
    if settings.scheduler.daily_refresh:
        refresh = jobs.scheduled_refresh
        _add_cron(
            scheduler, jobs, "daily-refresh", settings.scheduler.daily_refresh, refresh, "scans"
        )
    now = datetime.now(ZoneInfo(settings.scheduler.timezone))
    polls = (
        ("scan-requests", jobs.scan_requests, "scans", settings.scheduler.request_poll_seconds),
        ("outbox", jobs.housekeeping, "default", settings.scheduler.outbox_poll_seconds),
        ("sweep", jobs.sweep, "default", settings.scheduler.sweep_seconds),
    )
    for job, poll, executor, seconds in polls:
        scheduler.add_job(
            reporting_outages(jobs.engine, job, poll, poll=True),
            "interval",
            id=job,
            executor=executor,
            seconds=seconds,
            next_run_time=now,
        )


def reporting_outages(
    engine: Engine, job: str, call: Callable[[], None], *, poll: bool = False
) -> Callable[[], None]:
    """The job, saying in one line when the database is away (no traceback: nothing is wrong
    with the job) and leaving it for its next slot; the scheduler keeps running. A poll (every
    few seconds) says so once while the database stays away, and again when it is back."""
    away = False

    def run() -> None:
        nonlocal away
        try:
            with reported(engine, f"running the scheduler's job {job}"):
                call()
        except DatabaseUnavailable as exc:
            level = logging.DEBUG if poll and away else logging.ERROR
            log.log(level, "%s: %s; trying again at the next slot", job, exc)
            away = True
            return
        if away and poll:
            log.info("%s: the database answers again", job)
        away = False

    return run


def _add_cron(
    scheduler: BaseScheduler,
    jobs: Jobs,
    job: str,
    schedule: str,
    call: Callable[[], None],
    executor: str,
) -> None:
    trigger = cron_trigger(schedule, jobs.settings.scheduler)
    jobs.triggers[job] = trigger
    call = reporting_outages(jobs.engine, job, call)
    extra: dict[str, Any] = {}
    now = datetime.now(ZoneInfo(jobs.settings.scheduler.timezone))
    missed = missed_slot(jobs.engine, job, trigger, now, jobs.grace)
    if missed is not None:
        # Down at that slot: run it once now (APScheduler coalesces from there).
        log.info("%s: slot %s was missed; running it now", job, missed.isoformat())
        extra["next_run_time"] = missed
    scheduler.add_job(call, trigger, id=job, name=job, executor=executor, **extra)
