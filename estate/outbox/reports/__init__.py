"""Email reports, one module each; `REPORTS` maps each report's name to its class."""

from __future__ import annotations

from estate.config import ConfigError, Settings
from estate.outbox.mail import Attachment, Email
from estate.outbox.reports.base import Report, ReportOptions, options_for
from estate.outbox.reports.decommission_list import DecommissionList
from estate.outbox.reports.device_replacement import DeviceReplacement
from estate.outbox.reports.migration_progress import MigrationProgress
from estate.outbox.reports.scan_health import ScanHealth

REPORTS: dict[str, type[Report]] = {
    cls.name: cls for cls in (MigrationProgress, DecommissionList, DeviceReplacement, ScanHealth)
}


def report_for(name: str) -> Report:
    try:
        return REPORTS[name]()
    except KeyError:
        raise ConfigError(
            f"no report named {name!r} (known: {', '.join(sorted(REPORTS))})"
        ) from None


def check_reports(settings: Settings) -> None:
    """Every configured report exists, its options parse, and a scheduled one has recipients."""
    for name, config in settings.reports.items():
        report = report_for(name)
        # Each report's options model is its nested `Options` class.
        options_for(getattr(report, "Options", ReportOptions), name, settings)
        if config.enabled and config.schedule and not config.recipients:
            raise ConfigError(f"reports.{name}: a schedule but no recipients")


__all__ = [
    "REPORTS",
    "Attachment",
    "Email",
    "Report",
    "ReportOptions",
    "check_reports",
    "report_for",
]
