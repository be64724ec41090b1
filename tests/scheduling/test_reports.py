"""Each report rendered from rows in a real database: subject, both parts, attachments that open."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import ConfigError, ReportConfig, Settings, SourceConfig
from estate.migration import progress
from estate.models import Wave
from estate.models.base import utcnow
from estate.outbox.reports import REPORTS, check_reports, report_for
from estate.outbox.reports.decommission_list import COLUMNS as DECOMMISSION_COLUMNS
from estate.outbox.reports.device_replacement import COLUMNS as DEVICE_COLUMNS
from estate.status import MigrationStatus, RunStatus
from tests.e2e.conftest import Cli
from tests.scheduling.seed import add_device, add_review, add_run, add_server, add_site

TODAY = date(2026, 11, 25)  # financial year 2026/27, Q3 (October to December)


def test_scan_health_lists_failed_runs_and_sources_not_successful_lately(
    engine: Engine, settings: Settings
) -> None:
    settings.sources = [
        SourceConfig(name=name, kind="cmdb") for name in ("healthy", "failing", "never-run")
    ]
    settings.reports = {"scan-health": ReportConfig(options={"days": 7, "stale_days": 2})}
    now = utcnow()
    with Session(engine) as session:
        add_run(session, "healthy", RunStatus.OK, now - timedelta(hours=3))
        add_run(session, "failing", RunStatus.OK, now - timedelta(days=5))
        add_run(session, "failing", RunStatus.FAILED, now - timedelta(days=1), "vCenter timed out")
        add_run(session, "healthy", RunStatus.FAILED, now - timedelta(days=9), "too old to list")
        session.commit()

        email = report_for("scan-health").render(session, settings, TODAY)

    assert email.subject == (
        "Scan health 25 Nov 2026: 1 failed or partial runs, 2 sources not successful for 2 days"
    )
    assert "failing: last successful run" in email.text
    assert "never-run: last successful run never; last run never run" in email.text
    assert "vCenter timed out" in email.text and "too old to list" not in email.text
    assert "<td>vCenter timed out</td>" in email.html
    assert email.attachments == ()


def test_decommission_list_attaches_a_workbook_that_opens(
    engine: Engine, settings: Settings
) -> None:
    evidence = ["migrated: i-0abc running for 30 days", "powered off"]
    with Session(engine) as session:
        site = add_site(session, "Civic Centre")
        add_server(
            session,
            "nbc-cand01",
            site_id=site.id,
            rack="CC-R01",
            migration_status=MigrationStatus.DECOMMISSION_CANDIDATE,
            migration_evidence=evidence,
        )
        approved = add_server(
            session,
            "nbc-appr01",
            migration_status=MigrationStatus.DECOMMISSION_APPROVED,
            migration_evidence=evidence,
        )
        add_server(session, "nbc-live01", migration_status=MigrationStatus.MIGRATED)
        add_review(session, approved)
        session.commit()

        email = report_for("decommission-list").render(session, settings, TODAY)

    assert email.subject == "Decommission list 25 Nov 2026: 2 servers, 1 awaiting review"
    [attachment] = email.attachments
    assert attachment.filename == "decommission-list-2026-11-25.xlsx"
    sheet = load_workbook(io.BytesIO(attachment.data))["Decommission 2026-11-25"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == DECOMMISSION_COLUMNS
    listed = {row[0]: (row[4], row[11], row[12], row[13], row[15]) for row in rows[1:]}
    assert listed == {
        "nbc-cand01": ("Civic Centre", "decommission-candidate", "; ".join(evidence), None, None),
        "nbc-appr01": (
            None,
            "decommission-approved",
            "; ".join(evidence),
            "approve",
            "assets-team",
        ),
    }
    assert "nbc-cand01, Civic Centre rack CC-R01: migrated: i-0abc" in email.text
    assert "nbc-appr01" not in email.text and "nbc-live01" not in email.text
    assert "<td>nbc-cand01</td>" in email.html


def test_device_replacement_attaches_the_devices_due_as_xlsx(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine) as session:
        add_device(session, "OVERDUE", date(2026, 9, 1), assigned_to="Jane Smith")
        add_device(session, "THIS-Q", date(2026, 12, 15), department="Housing")
        add_device(session, "LATER-THIS-YEAR", date(2027, 2, 1))
        add_device(session, "NEXT-FY", date(2027, 5, 1), purchase_cost=899.0)
        add_device(session, "FAR", date(2028, 5, 1))
        add_device(session, "DISPOSED", date(2026, 12, 1), disposed_on=date(2026, 11, 1))
        session.commit()

        email = report_for("device-replacement").render(session, settings, TODAY)

    assert email.subject == (
        "Device replacement 25 Nov 2026: 1 overdue, 1 this quarter, 1 next financial year"
    )
    [attachment] = email.attachments
    assert attachment.filename == "devices-due-2026-11-25.xlsx"
    sheet = load_workbook(io.BytesIO(attachment.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(c.header for c in DEVICE_COLUMNS)
    assert [(row[0], row[1], row[2]) for row in rows[1:]] == [
        ("overdue", datetime(2026, 9, 1), "OVERDUE"),
        ("this quarter (2026/27 Q3)", datetime(2026, 12, 15), "THIS-Q"),
        ("next financial year (2027/28)", datetime(2027, 5, 1), "NEXT-FY"),
    ]
    assert rows[3][12:14] == (899.0, 899.0)  # no unit cost for laptops: the purchase cost
    text = "".join(str(v) for row in rows for v in row)
    assert "Jane Smith" not in text + email.text + email.html
    assert "attached as a spreadsheet (XLSX)" in email.text
    assert "next financial year (2027/28): 1 devices, estimated £899" in email.text


def test_migration_progress_headline_and_change_since_last_week(
    engine: Engine, settings: Settings
) -> None:
    week_ago = TODAY - timedelta(days=7)
    with Session(engine) as session:
        wave = Wave(name="Wave 1")
        session.add(wave)
        session.flush()
        in_wave = [add_server(session, f"nbc-w{i}", effective_wave_id=wave.id) for i in (1, 2)]
        for i in (1, 2):
            add_server(session, f"nbc-n{i}")
        in_wave[0].migration_status = MigrationStatus.MIGRATED
        session.flush()
        progress.rebuild(session, utcnow())
        progress.snapshot(session, week_ago)
        in_wave[1].migration_status = MigrationStatus.DECOMMISSION_CANDIDATE
        session.flush()
        progress.rebuild(session, utcnow())
        session.commit()

        email = report_for("migration-progress").render(session, settings, TODAY)

    assert email.subject == (
        "Migration progress 25 Nov 2026: 50% migrated (+25 points since 18 Nov)"
    )
    assert "50.0% migrated: 2 of 4 servers." in email.text
    assert "Change since Wednesday 18 November: +25 points (25.0% then)." in email.text
    assert "  Wave 1: 2 of 2 (100.0%), +50 points\n" in email.text
    assert "  no wave: 0 of 2 (0.0%)\n" in email.text
    assert '<p class="headline">50.0% migrated</p>' in email.html


def test_migration_progress_without_a_snapshot_says_so(engine: Engine, settings: Settings) -> None:
    with Session(engine) as session:
        add_server(session, "nbc-app01", migration_status=MigrationStatus.MIGRATED)
        progress.rebuild(session, utcnow())
        email = report_for("migration-progress").render(session, settings, TODAY)

    assert email.subject.endswith("100% migrated (no earlier snapshot)")
    assert "No snapshot from a week ago to compare with yet." in email.text


def test_every_report_renders_on_an_empty_database(engine: Engine, settings: Settings) -> None:
    with Session(engine) as session:
        for name in REPORTS:
            email = report_for(name).render(session, settings, TODAY)
            assert email.subject and email.text.strip() and "</html>" in email.html


def test_unknown_reports_and_options_are_configuration_errors(settings: Settings) -> None:
    settings.reports = {"scan-health": ReportConfig(options={"stale": 2})}
    with pytest.raises(ConfigError, match=r"reports.scan-health.options: unknown key 'stale'"):
        check_reports(settings)

    settings.reports = {"weekly": ReportConfig()}
    with pytest.raises(ConfigError, match="no report named 'weekly'"):
        check_reports(settings)

    settings.reports = {"scan-health": ReportConfig(schedule="0 7 * * 1")}
    with pytest.raises(ConfigError, match=r"reports\.scan-health: a schedule but no recipients"):
        check_reports(settings)


def test_report_preview_writes_the_html(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "health.html"

    done = cli("report", "preview", "scan-health", "--out", str(out), "--on", "2026-11-25")

    assert "Scan health 25 Nov 2026: every source healthy" in done.stdout
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "Every enabled source has had a successful run" in out.read_text()
