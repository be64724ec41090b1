"""The scheduler: crontab semantics, one run per slot, catching up a missed slot once, and the
acceptance run: scans and a report on schedules two seconds apart, received over SMTP."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from estate.config import ReportConfig, SchedulerSettings, Settings
from estate.migration import progress
from estate.models import ScanRun, ScheduleClaim
from estate.operations.claims import claim_slot, is_claimed, prune_claims
from estate.outbox.reports.decommission_list import COLUMNS
from estate.status import RunStatus
from scanners.scheduler import (
    Jobs,
    build_scheduler,
    cron_trigger,
    crontab_weekdays,
    latest_slot,
    missed_slot,
)
from tests.scheduling.seed import add_server
from tests.scheduling.smtp_peer import Received, SmtpPeer
from tests.scheduling.sources import servers_source

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("crontab", "apscheduler"),
    [
        ("*", "*"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1,3", "mon,wed"),
        ("MON-WED", "mon,tue,wed"),
    ],
)
def test_crontab_weekdays_keep_their_crontab_meaning(crontab: str, apscheduler: str) -> None:
    assert crontab_weekdays(crontab) == apscheduler


def test_a_monday_schedule_fires_on_monday_in_london_time() -> None:
    trigger = cron_trigger("0 7 * * 1", SchedulerSettings())
    wednesday = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)

    fire = trigger.get_next_fire_time(None, wednesday)

    assert fire == datetime(2026, 11, 30, 7, 0, tzinfo=LONDON)
    assert fire is not None and fire.strftime("%A") == "Monday"


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_daily_refresh_turns_it_off(blank: str) -> None:
    assert SchedulerSettings(daily_refresh=blank).daily_refresh is None


def test_latest_slot_is_the_last_fire_time_within_the_lookback() -> None:
    trigger = cron_trigger("*/15 * * * *", SchedulerSettings())
    now = datetime(2026, 11, 25, 12, 20, 30, tzinfo=LONDON)

    assert latest_slot(trigger, now, timedelta(hours=1)) == now.replace(minute=15, second=0)
    assert latest_slot(trigger, now, timedelta(minutes=5)) is None


def test_a_slot_is_claimed_once(engine: Engine) -> None:
    slot = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    assert claim_slot(engine, "source:servers", slot, "a:1") is True
    assert claim_slot(engine, "source:servers", slot, "b:2") is False
    assert claim_slot(engine, "source:servers", slot + timedelta(days=1), "b:2") is True


def test_housekeeping_forgets_only_claims_older_than_kept(engine: Engine) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    claim_slot(engine, "source:servers", old, "a:1")
    claim_slot(engine, "source:servers", recent, "a:1")

    pruned = prune_claims(engine, older_than=timedelta(days=30))

    assert pruned == 1
    assert (
        is_claimed(engine, "source:servers", old),
        is_claimed(engine, "source:servers", recent),
    ) == (False, True)


def test_after_downtime_only_the_latest_unclaimed_slot_is_caught_up(engine: Engine) -> None:
    trigger = cron_trigger("0 * * * *", SchedulerSettings())
    back_at = datetime(2026, 11, 25, 14, 40, tzinfo=LONDON)  # down since 11:30: 3 slots missed
    grace = timedelta(hours=1)

    missed = missed_slot(engine, "source:servers", trigger, back_at, grace)
    assert missed == datetime(2026, 11, 25, 14, 0, tzinfo=LONDON)
    claim_slot(engine, "source:servers", missed, "other:1")
    assert missed_slot(engine, "source:servers", trigger, back_at, grace) is None
    later = datetime(2026, 11, 25, 15, 45, tzinfo=LONDON)  # 15:00 is past a 30-minute grace
    assert missed_slot(engine, "source:servers", trigger, later, timedelta(minutes=30)) is None


def test_jobs_coalesce_and_never_overlap(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    settings.sources = [servers_source(tmp_path, schedule="0 2 * * *")]
    settings.scheduler = SchedulerSettings(misfire_grace_seconds=900)

    scheduler = build_scheduler(engine, settings)
    scheduler.start(paused=True)  # job defaults apply once started
    try:
        job = scheduler.get_job("source:servers")
    finally:
        scheduler.shutdown()

    assert job is not None
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 900)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def workbook_rows(received: Received) -> list[tuple[object, ...]]:
    """The attached workbook's rows: it opens."""
    [attachment] = list(received.message().iter_attachments())
    assert attachment.get_filename().endswith(".xlsx")
    data = attachment.get_payload(decode=True)
    assert isinstance(data, bytes)
    [sheet] = load_workbook(io.BytesIO(data)).worksheets
    assert sheet.title.startswith("Decommission 20"), sheet.title  # and the day it is as at
    return list(sheet.iter_rows(values_only=True))


def test_scans_and_a_report_on_schedules_seconds_apart_reach_the_smtp_server(
    engine: Engine,
    writer_engine: Engine,
    mail_settings: Settings,
    smtp: SmtpPeer,
    tmp_path: Path,
) -> None:
    settings = mail_settings
    settings.sources = [servers_source(tmp_path, schedule="* * * * *")]
    settings.reports = {
        "decommission-list": ReportConfig(
            schedule="* * * * *", recipients=["assets@northbridge.example"]
        )
    }
    settings.scheduler = SchedulerSettings(cron_seconds="*/2", misfire_grace_seconds=1)
    scheduler = build_scheduler(writer_engine, settings)

    scheduler.start()
    try:
        wait_for(lambda: scan_runs(engine) and smtp.received, "a scan run and a report")
    finally:
        scheduler.shutdown(wait=True)

    received = smtp.received[0]
    message = received.message()
    assert received.recipients == ["assets@northbridge.example"]
    assert message["Subject"].startswith("Decommission list ")
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and "awaiting review" in text.get_content()
    assert html is not None and '<p class="headline">' in html.get_content()
    assert workbook_rows(received)[0] == COLUMNS
    statuses = scan_runs(engine)
    with Session(engine) as session:
        claims = session.execute(
            select(func.count()).where(col(ScheduleClaim.job) == "source:servers")
        ).scalar_one()
    assert set(statuses) == {RunStatus.OK}
    assert len(statuses) == claims


def scan_runs(engine: Engine) -> list[RunStatus]:
    with Session(engine) as session:
        query = select(ScanRun).where(col(ScanRun.source) == "servers")
        return [run.status for run in session.execute(query).scalars()]


def test_the_daily_refresh_keeps_todays_progress_snapshot(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine) as session:
        add_server(session, "nbc-app01")
        session.commit()
    jobs = Jobs(engine, settings)
    jobs.triggers["daily-refresh"] = cron_trigger("* * * * *", SchedulerSettings(cron_seconds="*"))

    jobs.scheduled_refresh()

    with Session(engine) as session:
        [day] = progress.history(session, None, None)
    assert day.day == datetime.now(UTC).date() and day.servers == 1
